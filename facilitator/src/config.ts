import { type ChainInfo, chainByNetwork, chains, EvmAddress, parseConfig } from "@wg402/shared";
import { z } from "zod";

const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const NetworkRef = z.string().transform((ref, ctx) => {
  const chain = (chains as Record<string, ChainInfo>)[ref] ?? chainByNetwork(ref);
  if (!chain) {
    ctx.addIssue({
      code: "custom",
      message: `unknown network "${ref}" (use ${Object.keys(chains).join(", ")} or eip155:<id>)`,
    });
    return z.NEVER;
  }
  return chain.key;
});

const PrivateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key");

/** The x402 schemes this facilitator can settle. */
export const FacilitatorScheme = z.enum(["exact", "batch-settlement"]);
export type FacilitatorScheme = z.infer<typeof FacilitatorScheme>;

/** Every variable the facilitator reads, parsed once at start-up. */
export const FacilitatorConfig = z
  .object({
    FACILITATOR_HOST: z.string().default("127.0.0.1"),
    FACILITATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(4020),
    FACILITATOR_NETWORKS: z
      .string()
      .default("local")
      .transform((value) =>
        value
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(z.array(NetworkRef).min(1)),
    // Unset: `exact` everywhere, `batch-settlement` where the chain registry says its escrow is deployed. Set: those
    // schemes on every configured network (start-up refuses a network without the escrow's code).
    FACILITATOR_SCHEMES: z
      .string()
      .optional()
      .transform((value) =>
        value === undefined
          ? undefined
          : value
              .split(",")
              .map((part) => part.trim())
              .filter(Boolean),
      )
      .pipe(
        z
          .array(FacilitatorScheme)
          .min(1, "name at least one scheme")
          .refine((list) => new Set(list).size === list.length, "names a scheme twice")
          .optional(),
      ),
    FACILITATOR_PRIVATE_KEY: PrivateKey.optional(),
    FACILITATOR_KEYSTORE: z.string().optional(),
    FACILITATOR_KEYSTORE_PASSWORD: z.string().optional(),
    // The batch-settlement receiver authorizer: a key of its own, never the signer's (see loadSignerKey.ts).
    FACILITATOR_AUTHORIZER_PRIVATE_KEY: PrivateKey.optional(),
    FACILITATOR_AUTHORIZER_KEYSTORE: z.string().optional(),
    FACILITATOR_AUTHORIZER_KEYSTORE_PASSWORD: z.string().optional(),
    FACILITATOR_API_KEYS: list(z.string().min(16, "API keys must be at least 16 characters")),
    FACILITATOR_ALLOWED_ASSETS: list(EvmAddress),
    FACILITATOR_ALLOWED_PAY_TO: list(EvmAddress),
    FACILITATOR_DB_PATH: z.string().default(".wg402/facilitator.sqlite"),
    FACILITATOR_MIN_GAS_WEI: z.coerce.bigint().nonnegative().default(1_000_000_000_000_000n),
    FACILITATOR_POLLING_INTERVAL_MS: z.coerce.number().int().positive().optional(),
    FACILITATOR_CONFIRMATION_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    FACILITATOR_LOG_LOOKBACK_BLOCKS: z.coerce.bigint().positive().default(10_000n),
    FACILITATOR_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(65_536),
    // Per client address on /verify and /settle; 0 turns it off. See rateLimit.ts for the burst.
    FACILITATOR_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(6_000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .refine((c) => Boolean(c.FACILITATOR_PRIVATE_KEY) !== Boolean(c.FACILITATOR_KEYSTORE), {
    message: "set exactly one of FACILITATOR_PRIVATE_KEY or FACILITATOR_KEYSTORE",
    path: ["FACILITATOR_PRIVATE_KEY"],
  })
  .refine((c) => !c.FACILITATOR_KEYSTORE || c.FACILITATOR_KEYSTORE_PASSWORD !== undefined, {
    message: "FACILITATOR_KEYSTORE needs FACILITATOR_KEYSTORE_PASSWORD",
    path: ["FACILITATOR_KEYSTORE_PASSWORD"],
  })
  // These two name no path: parseConfig echoes a named variable's value, and here that value is a valid key.
  .refine((c) => !(c.FACILITATOR_AUTHORIZER_PRIVATE_KEY && c.FACILITATOR_AUTHORIZER_KEYSTORE), {
    message: "set at most one of FACILITATOR_AUTHORIZER_PRIVATE_KEY or FACILITATOR_AUTHORIZER_KEYSTORE",
  })
  .refine((c) => !c.FACILITATOR_AUTHORIZER_KEYSTORE || c.FACILITATOR_AUTHORIZER_KEYSTORE_PASSWORD !== undefined, {
    message: "FACILITATOR_AUTHORIZER_KEYSTORE needs FACILITATOR_AUTHORIZER_KEYSTORE_PASSWORD",
    path: ["FACILITATOR_AUTHORIZER_KEYSTORE_PASSWORD"],
  })
  .refine(
    (c) =>
      !c.FACILITATOR_AUTHORIZER_PRIVATE_KEY ||
      c.FACILITATOR_AUTHORIZER_PRIVATE_KEY.toLowerCase() !== c.FACILITATOR_PRIVATE_KEY?.toLowerCase(),
    {
      message: "FACILITATOR_AUTHORIZER_PRIVATE_KEY: the receiver authorizer needs a key of its own, not the signer's",
    },
  );
export type FacilitatorConfig = z.infer<typeof FacilitatorConfig>;

export function loadFacilitatorConfig(env: Record<string, string | undefined> = process.env): FacilitatorConfig {
  return parseConfig(FacilitatorConfig, env);
}
