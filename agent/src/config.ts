import { type ChainInfo, chainByNetwork, chains, EvmAddress, parseConfig, WireguardPublicKey } from "@wg402/shared";
import { z } from "zod";
import { checkRegistryConfig, registryConfigFields } from "./registry/registryConfig.ts";

const csv = z.string().transform((value) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
);

const Ipv4Cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR such as 10.64.0.0/16")
  .refine((cidr) => {
    const [ip, bits] = cidr.split("/") as [string, string];
    return ip.split(".").every((o) => Number(o) <= 255) && Number(bits) >= 8 && Number(bits) <= 30;
  }, "octets must be ≤ 255 and the prefix between /8 and /30");

const NetworkRef = z.string().transform((ref, ctx) => {
  const chain = (chains as Record<string, ChainInfo>)[ref] ?? chainByNetwork(ref);
  if (!chain) {
    ctx.addIssue({ code: "custom", message: `unknown network "${ref}"` });
    return z.NEVER;
  }
  return chain.key;
});

const PrivateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key");

/** Every variable the agent reads, parsed once at start-up. */
export const AgentConfig = z
  .object({
    AGENT_HOST: z.string().default("127.0.0.1"),
    AGENT_PORT: z.coerce.number().int().min(0).max(65_535).default(4021),
    AGENT_NAME: z.string().default("wg402 node"),
    AGENT_REGION: z.string().default("local"),
    AGENT_DB_PATH: z.string().default(".wg402/agent.sqlite"),
    AGENT_BODY_LIMIT_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(16_384),
    // WireGuard
    /** auto: kernel WireGuard if the kernel has it, else wireguard-go; adopt: use an existing interface; fake: no device. */
    AGENT_WG_MODE: z.enum(["auto", "userspace", "kernel", "adopt", "fake"]).default("auto"),
    /** Put the interface in this existing network namespace (npm start uses one, so host routing is untouched). */
    AGENT_WG_NETNS: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a network namespace name")
      .optional(),
    AGENT_WG_PRIVATE_KEY_FILE: z.string().default(".wg402/agent-wg.key"),
    // Signed offers and receipts (x402 `offer-receipt`, EIP-712): the node's own secp256k1 key, never payTo's.
    /** Created 0600 on first start, like the WireGuard key; ignored when AGENT_SIGNING_PRIVATE_KEY is set. */
    AGENT_SIGNING_KEY_FILE: z.string().default(".wg402/agent-signing.key"),
    AGENT_SIGNING_PRIVATE_KEY: PrivateKey.optional(),
    AGENT_WG_INTERFACE: z
      .string()
      .regex(/^[A-Za-z0-9_=+.-]{1,15}$/, "must be a valid interface name (≤ 15 chars)")
      .default("wg402"),
    AGENT_WG_LISTEN_PORT: z.coerce.number().int().min(1).max(65_535).default(51820),
    AGENT_WG_ENDPOINT_HOST: z.string().default("127.0.0.1"),
    AGENT_WG_SUBNET: Ipv4Cidr.default("10.64.0.0/16"),
    AGENT_WG_DNS: csv.default(["1.1.1.1"]),
    AGENT_WG_ALLOWED_IPS: csv.default(["0.0.0.0/0", "::/0"]),
    /** Only for the fake driver, which has no device to read a key from. */
    AGENT_WG_PUBLIC_KEY: WireguardPublicKey.optional(),
    AGENT_WG_KEEPALIVE_SECONDS: z.coerce.number().int().min(0).max(3600).default(25),
    // Pricing and payment
    AGENT_NETWORK: NetworkRef.default("local"),
    AGENT_TOKEN_ADDRESS: EvmAddress.optional(),
    AGENT_TOKEN_NAME: z.string().optional(),
    AGENT_TOKEN_VERSION: z.string().optional(),
    AGENT_TOKEN_SYMBOL: z.string().optional(),
    AGENT_TOKEN_DECIMALS: z.coerce.number().int().min(0).max(36).optional(),
    AGENT_PAY_TO: EvmAddress,
    AGENT_PRICE_PER_MINUTE: z.coerce.bigint().positive().default(1_000n),
    AGENT_MIN_MINUTES: z.coerce.number().int().min(1).default(1),
    AGENT_MAX_MINUTES: z.coerce.number().int().min(1).default(1_440),
    // Data (see README "Paying by the megabyte"): off unless a price per MB is set.
    /** Base units per MB (10^6 bytes, up + down, counted at the node's interface). */
    AGENT_PRICE_PER_MB: z.coerce.bigint().positive().optional(),
    AGENT_MIN_MB: z.coerce.number().int().min(1).default(1),
    AGENT_MAX_MB: z.coerce.number().int().min(1).default(100_000),
    /** A channel charges data by blocks of this many bytes (10^6 divisible by it): 0.1 MB by default. */
    AGENT_DATA_BLOCK_BYTES: z.coerce
      .number()
      .int()
      .min(1_000)
      .max(1_000_000)
      .refine((block) => 1_000_000 % block === 0, "must divide 1,000,000 (an MB is a whole number of blocks)")
      .default(100_000),
    /** How long a data-only lease stays valid after each purchase. */
    AGENT_DATA_VALIDITY_MINUTES: z.coerce.number().int().min(1).max(525_600).default(1_440),
    /** The fastest the meter reads a lease that nears its allowance (it polls faster as the time to it shrinks). */
    AGENT_METER_MIN_INTERVAL_MS: z.coerce.number().int().min(20).max(10_000).default(100),
    /** The node's uplink, Mbit/s: how fast a lease could use its allowance, so how soon it must be read. */
    AGENT_UPLINK_MBIT: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
    AGENT_GRACE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
    AGENT_PAYMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(3_600).default(120),
    /** A billed minute in seconds. 60 in production; tests shorten it to watch real expiry. */
    AGENT_SECONDS_PER_MINUTE: z.coerce.number().int().min(1).max(60).default(60),
    /** How often WireGuard's counters are read into the ledger. */
    AGENT_METER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
    AGENT_FACILITATOR_URL: z.url().default("http://127.0.0.1:4020"),
    /** Read-only chain access, to recover payments that settled while the agent was down. */
    AGENT_RPC_URL: z.url().optional(),
    AGENT_FACILITATOR_API_KEY: z.string().optional(),
    // Escrow channels (x402 `batch-settlement`), offered beside `exact` when on; see README "Paying by channel".
    AGENT_CHANNEL: z.enum(["on", "off"]).default("off"),
    /** Who signs claims and refunds: the agent's own key (channels outlive a change of facilitator), or the facilitator's. */
    AGENT_CHANNEL_AUTHORIZER: z.enum(["agent", "facilitator"]).default("agent"),
    AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: PrivateKey.optional(),
    /** The payer's escape hatch delay the node asks for: the time it has to claim after a withdrawal starts. */
    AGENT_CHANNEL_WITHDRAW_DELAY_SECONDS: z.coerce.number().int().min(900).max(2_592_000).default(86_400),
    /**
     * How often the escrow is read for payers' withdrawals; at most 300 s, a third of the shortest delay, so the
     * node always claims before a withdrawal can be finalized.
     */
    AGENT_CHANNEL_WITHDRAW_WATCH_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
    /** How long the chain's view of a channel is trusted for local voucher verification. */
    AGENT_CHANNEL_STATE_TTL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
    AGENT_CHANNEL_CLAIM_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
    /** Claim once this much (base units, summed over channels) is charged but unclaimed. */
    AGENT_CHANNEL_CLAIM_THRESHOLD: z.coerce.bigint().nonnegative().default(1_000_000n),
    AGENT_CHANNEL_MAX_CLAIMS_PER_BATCH: z.coerce.number().int().min(1).max(500).default(50),
    AGENT_CHANNEL_SETTLE_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(3_600),
    /** A channel with no request for this long gets its unused deposit back, cooperatively. */
    AGENT_CHANNEL_REFUND_IDLE_SECONDS: z.coerce.number().int().min(60).default(3_600),
    /**
     * Where channel records live: `sqlite` (the node's ledger) or `redis`, shared by an operator's fleet of
     * nodes (one payTo), so a payer who deposited once moves between them without a new deposit.
     */
    AGENT_CHANNEL_STORE: z.enum(["sqlite", "redis"]).default("sqlite"),
    /** The fleet's Redis: `redis://host:port`, `rediss://…` or `unix:///path/redis.sock`. */
    AGENT_REDIS_URL: z
      .string()
      .regex(/^(rediss?|unix):\/\//, "a redis://, rediss:// or unix:// URL")
      .optional(),
    /** Default `wg402:<chainId>:<payTo>`: two operators on one Redis never meet. All nodes of a fleet agree. */
    AGENT_REDIS_KEY_PREFIX: z.string().min(1).optional(),
    /** A Redis command slower than this counts as Redis being down (`channel_store_unavailable`). */
    AGENT_REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    // The node's NodeRegistry entry (issue 16): registry/registryConfig.ts.
    ...registryConfigFields,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .refine((c) => c.AGENT_MIN_MINUTES <= c.AGENT_MAX_MINUTES, {
    message: "must not exceed AGENT_MAX_MINUTES",
    path: ["AGENT_MIN_MINUTES"],
  })
  .refine((c) => c.AGENT_MIN_MB <= c.AGENT_MAX_MB, { message: "must not exceed AGENT_MAX_MB", path: ["AGENT_MIN_MB"] })
  .refine((c) => c.AGENT_CHANNEL === "off" || (chains[c.AGENT_NETWORK] as ChainInfo).escrow.deployed, {
    message: "the chain registry knows no batch-settlement escrow on this network",
    path: ["AGENT_CHANNEL"],
  })
  .refine(
    (c) =>
      c.AGENT_CHANNEL === "off" ||
      c.AGENT_CHANNEL_AUTHORIZER === "facilitator" ||
      c.AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY,
    {
      message: "set AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY, or AGENT_CHANNEL_AUTHORIZER=facilitator to delegate",
      path: ["AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY"],
    },
  )
  .refine((c) => c.AGENT_CHANNEL_STORE === "sqlite" || c.AGENT_REDIS_URL, {
    message: "set AGENT_REDIS_URL, the fleet's Redis, with AGENT_CHANNEL_STORE=redis",
    path: ["AGENT_REDIS_URL"],
  })
  .refine((c) => c.AGENT_TOKEN_ADDRESS || (chains[c.AGENT_NETWORK] as ChainInfo).usdc, {
    message: "the local chain has no default token: set AGENT_TOKEN_ADDRESS (npm start does)",
    path: ["AGENT_TOKEN_ADDRESS"],
  })
  .superRefine(checkRegistryConfig);
export type AgentConfig = z.infer<typeof AgentConfig>;

export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  return parseConfig(AgentConfig, env);
}

/** The token the node is paid in: configured, or the chain's USDC. */
export function tokenOf(config: AgentConfig) {
  const usdc = (chains[config.AGENT_NETWORK] as ChainInfo).usdc;
  return {
    address: (config.AGENT_TOKEN_ADDRESS ?? usdc?.address) as `0x${string}`,
    name: config.AGENT_TOKEN_NAME ?? usdc?.eip712.name ?? "wg402 Test USD",
    version: config.AGENT_TOKEN_VERSION ?? usdc?.eip712.version ?? "1",
    symbol: config.AGENT_TOKEN_SYMBOL ?? usdc?.symbol ?? "tUSD",
    decimals: config.AGENT_TOKEN_DECIMALS ?? usdc?.decimals ?? 6,
  };
}
