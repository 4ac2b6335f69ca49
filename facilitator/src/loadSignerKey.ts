import { readFile } from "node:fs/promises";
import { decryptKeystore } from "@wg402/shared";
import type { Hex } from "viem";
import type { FacilitatorConfig } from "./config.ts";

async function fromKeystore(path: string, password: string): Promise<Hex> {
  const file = JSON.parse(await readFile(path, "utf8"));
  return decryptKeystore(file, password);
}

/** The signer key from the environment or an encrypted keystore file. It is never logged. */
export async function loadSignerKey(config: FacilitatorConfig): Promise<Hex> {
  if (config.FACILITATOR_PRIVATE_KEY) return config.FACILITATOR_PRIVATE_KEY as Hex;
  return fromKeystore(config.FACILITATOR_KEYSTORE as string, config.FACILITATOR_KEYSTORE_PASSWORD ?? "");
}

/**
 * The `batch-settlement` receiver authorizer's key, from the environment or a keystore, or undefined when none is
 * configured (then no `receiverAuthorizer` is offered and servers sign their own claims and refunds).
 */
export async function loadAuthorizerKey(config: FacilitatorConfig): Promise<Hex | undefined> {
  if (config.FACILITATOR_AUTHORIZER_PRIVATE_KEY) return config.FACILITATOR_AUTHORIZER_PRIVATE_KEY as Hex;
  if (!config.FACILITATOR_AUTHORIZER_KEYSTORE) return undefined;
  return fromKeystore(config.FACILITATOR_AUTHORIZER_KEYSTORE, config.FACILITATOR_AUTHORIZER_KEYSTORE_PASSWORD ?? "");
}
