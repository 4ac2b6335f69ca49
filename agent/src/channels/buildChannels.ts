import type { Clock } from "@wg402/shared/runtime";
import type { AuthorizerSigner } from "@x402/evm";
import { BatchSettlementEvmScheme } from "@x402/evm/batch-settlement/server";
import type { Logger } from "pino";
import { privateKeyToAccount } from "viem/accounts";
import type { AgentConfig } from "../config.ts";
import { buildFleetStore } from "../fleet/buildFleetStore.ts";
import type { LeaseStore } from "../ledger/leaseStore.ts";
import type { BillingTerms } from "./channelBilling.ts";
import { ChannelPayments } from "./channelPayments.ts";
import type { AgentChannelStore } from "./channelStore.ts";
import { SqliteChannelStorage } from "./sqliteChannelStorage.ts";

/** The node's prices as billing reads them. */
export const billingTermsOf = (config: AgentConfig): BillingTerms => ({
  pricePerMinute: config.AGENT_PRICE_PER_MINUTE,
  minuteMs: config.AGENT_SECONDS_PER_MINUTE * 1000,
  pricePerMb: config.AGENT_PRICE_PER_MB ?? null,
  blockBytes: config.AGENT_DATA_BLOCK_BYTES,
  dataValidityMs: config.AGENT_DATA_VALIDITY_MINUTES * 60_000,
});

/** The receiver authorizer the agent signs claims and refunds with, from its own key. */
function authorizerOf(key: `0x${string}`): AuthorizerSigner {
  const account = privateKeyToAccount(key);
  return {
    address: account.address,
    signTypedData: (params) => account.signTypedData(params as Parameters<typeof account.signTypedData>[0]),
  };
}

/**
 * The channel side of the agent when AGENT_CHANNEL=on: the SDK's server scheme on the channel store — the
 * ledger's own connection (AGENT_CHANNEL_STORE=sqlite: a charge and the lease time it buys commit in one
 * transaction), or the operator fleet's Redis (=redis: fleet/) — and the billing around it.
 */
export function buildChannels(input: {
  config: AgentConfig;
  store: LeaseStore;
  clock: Clock;
  logger: Logger;
  /** This node's stable name in a fleet (its WireGuard public key): whose holds and reservations are whose. */
  nodeId: string;
}) {
  const { config, store, clock } = input;
  if (config.AGENT_CHANNEL !== "on") return undefined;
  const fleet =
    config.AGENT_CHANNEL_STORE === "redis"
      ? buildFleetStore({ config, ledger: store.sharedLedger, nodeId: input.nodeId, log: input.logger })
      : undefined;
  const storage: AgentChannelStore = fleet?.storage ?? new SqliteChannelStorage(store.sharedLedger, clock.now);
  const key = config.AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY as `0x${string}` | undefined;
  // Delegated: the SDK takes the facilitator's receiverAuthorizer from its /supported answer.
  const authorizer = config.AGENT_CHANNEL_AUTHORIZER === "agent" && key ? authorizerOf(key) : undefined;
  const scheme = new BatchSettlementEvmScheme(config.AGENT_PAY_TO as `0x${string}`, {
    storage,
    ...(authorizer ? { receiverAuthorizerSigner: authorizer } : {}),
    withdrawDelay: config.AGENT_CHANNEL_WITHDRAW_DELAY_SECONDS,
    onchainStateTtlMs: config.AGENT_CHANNEL_STATE_TTL_SECONDS * 1000,
    enforceMinDeposit: false,
  });
  const payments = new ChannelPayments({
    store,
    storage,
    scheme,
    terms: billingTermsOf(config),
    clock,
    log: input.logger,
    ...(fleet ? { holds: fleet.holds } : {}),
    holdSlackMs: (config.AGENT_GRACE_SECONDS + config.AGENT_PAYMENT_TIMEOUT_SECONDS) * 1000 + 60_000,
  });
  return {
    storage,
    scheme,
    payments,
    authorizer: authorizer?.address,
    /** In a fleet, whether this node runs the settler's passes now; undefined: always (a single node). */
    settlerTurn: fleet && (() => fleet.turn.mine()),
    /** Closes the fleet's Redis client, if any. */
    close: async () => fleet?.redis.close(),
  };
}
export type AgentChannels = NonNullable<ReturnType<typeof buildChannels>>;
