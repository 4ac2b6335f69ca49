import { readFile } from "node:fs/promises";
import { decryptKeystore } from "@wg402/shared";
import type { Hex } from "viem";
import type { FacilitatorConfig } from "./config.ts";

/** The signer key from the environment or an encrypted keystore file. It is never logged. */
export async function loadSignerKey(config: FacilitatorConfig): Promise<Hex> {
  if (config.FACILITATOR_PRIVATE_KEY) return config.FACILITATOR_PRIVATE_KEY as Hex;
  const path = config.FACILITATOR_KEYSTORE as string;
  const file = JSON.parse(await readFile(path, "utf8"));
  return decryptKeystore(file, config.FACILITATOR_KEYSTORE_PASSWORD ?? "");
}
