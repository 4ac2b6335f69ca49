// The registry's variables (issue 16), merged into AgentConfig (config.ts): the node lists itself in the on-chain
// NodeRegistry when AGENT_REGISTRY=on. The operator key controls the entry and pays the stake: a key apart from
// payTo (which only receives) and from the node's signing key (which lives on the node and signs offers).
import { readFile } from "node:fs/promises";
import { BaseError, CountryCode, decryptKeystore, ErrorCode, EvmAddress } from "@wg402/shared";
import type { Hex } from "viem";
import { z } from "zod";

export const registryConfigFields = {
  AGENT_REGISTRY: z.enum(["on", "off"]).default("off"),
  AGENT_REGISTRY_ADDRESS: EvmAddress.optional(),
  /** The lease API URL the entry names; default http://<AGENT_HOST>:<the port it listens on>. */
  AGENT_PUBLIC_URL: z.url().max(256).optional(),
  /** ISO 3166-1 alpha-2; the entry's label is AGENT_REGION. */
  AGENT_COUNTRY: CountryCode.optional(),
  /** Base units staked at registration; default the contract's minStake. */
  AGENT_REGISTRY_STAKE: z.coerce.bigint().positive().optional(),
  AGENT_OPERATOR_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key")
    .optional(),
  AGENT_OPERATOR_KEYSTORE: z.string().min(1).optional(),
  AGENT_OPERATOR_KEYSTORE_PASSWORD: z.string().optional(),
};

type RegistryFields = z.output<z.ZodObject<typeof registryConfigFields>>;

/** The cross-field rules, as issues on the variable to fix. */
export function checkRegistryConfig(
  c: RegistryFields & { AGENT_HOST: string; AGENT_WG_MODE: string; AGENT_WG_PUBLIC_KEY?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (c.AGENT_OPERATOR_PRIVATE_KEY && c.AGENT_OPERATOR_KEYSTORE) {
    issue("AGENT_OPERATOR_KEYSTORE", "set AGENT_OPERATOR_PRIVATE_KEY or AGENT_OPERATOR_KEYSTORE, not both");
  }
  if (c.AGENT_OPERATOR_KEYSTORE && c.AGENT_OPERATOR_KEYSTORE_PASSWORD === undefined) {
    issue("AGENT_OPERATOR_KEYSTORE_PASSWORD", "required with AGENT_OPERATOR_KEYSTORE");
  }
  if (c.AGENT_REGISTRY === "off") return;
  if (!c.AGENT_REGISTRY_ADDRESS) issue("AGENT_REGISTRY_ADDRESS", "required when AGENT_REGISTRY=on");
  if (!c.AGENT_COUNTRY) issue("AGENT_COUNTRY", "required when AGENT_REGISTRY=on (ISO 3166-1 alpha-2, e.g. DE)");
  if (!c.AGENT_OPERATOR_PRIVATE_KEY && !c.AGENT_OPERATOR_KEYSTORE) {
    issue("AGENT_OPERATOR_PRIVATE_KEY", "required when AGENT_REGISTRY=on (or AGENT_OPERATOR_KEYSTORE)");
  }
  // The default URL is the listening address: a wildcard one names no host a client could reach.
  if (!c.AGENT_PUBLIC_URL && ["0.0.0.0", "::", "[::]"].includes(c.AGENT_HOST)) {
    issue("AGENT_PUBLIC_URL", `required when AGENT_REGISTRY=on and AGENT_HOST=${c.AGENT_HOST}`);
  }
  // A fake node without a fixed key would get a new key, so a new entry, on every start.
  if (c.AGENT_WG_MODE === "fake" && !c.AGENT_WG_PUBLIC_KEY) {
    issue("AGENT_WG_PUBLIC_KEY", "required when AGENT_REGISTRY=on with AGENT_WG_MODE=fake");
  }
}

/** The operator's private key: AGENT_OPERATOR_PRIVATE_KEY, or the keystore decrypted with its password. */
export async function loadOperatorKey(c: RegistryFields): Promise<Hex | undefined> {
  if (c.AGENT_OPERATOR_PRIVATE_KEY) return c.AGENT_OPERATOR_PRIVATE_KEY as Hex;
  if (!c.AGENT_OPERATOR_KEYSTORE) return undefined;
  const text = await readFile(c.AGENT_OPERATOR_KEYSTORE, "utf8").catch((cause: unknown) => {
    throw new BaseError(`cannot read AGENT_OPERATOR_KEYSTORE (${c.AGENT_OPERATOR_KEYSTORE})`, {
      code: ErrorCode.invalid_config,
      cause,
    });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new BaseError("AGENT_OPERATOR_KEYSTORE is not JSON", { code: ErrorCode.invalid_config, cause });
  }
  try {
    return await decryptKeystore(json, c.AGENT_OPERATOR_KEYSTORE_PASSWORD ?? "");
  } catch (cause) {
    const message = cause instanceof BaseError ? cause.shortMessage : String(cause);
    throw new BaseError(`AGENT_OPERATOR_KEYSTORE: ${message}`, { code: ErrorCode.invalid_config, cause });
  }
}
