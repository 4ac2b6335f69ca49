import { chains } from "@wg402/shared";
import type { Ledger } from "@wg402/shared/node";
import type { Logger } from "pino";
import type { AgentConfig } from "../config.ts";
import { RedisChannelHolds, SettlerTurn } from "./fleetHolds.ts";
import { RedisChannelStore } from "./redisChannelStore.ts";
import { createFleetRedis } from "./redisClient.ts";

/**
 * The key prefix of one operator's fleet: its payTo on its chain, so two operators (or one operator's two
 * chains) sharing a Redis never meet. AGENT_REDIS_KEY_PREFIX overrides it; every node of a fleet must agree.
 */
export const fleetKeyPrefix = (config: AgentConfig): string =>
  config.AGENT_REDIS_KEY_PREFIX ?? `wg402:${chains[config.AGENT_NETWORK].id}:${config.AGENT_PAY_TO.toLowerCase()}`;

/** AGENT_CHANNEL_STORE=redis: the fleet's channel records, channel holds and settler turn, on one client. */
export function buildFleetStore(p: { config: AgentConfig; ledger: Ledger; nodeId: string; log: Logger }) {
  const { config } = p;
  if (!config.AGENT_REDIS_URL) throw new Error("AGENT_CHANNEL_STORE=redis without AGENT_REDIS_URL"); // config refuses it
  const redis = createFleetRedis({ url: config.AGENT_REDIS_URL, timeoutMs: config.AGENT_REDIS_TIMEOUT_MS, log: p.log });
  const keyPrefix = fleetKeyPrefix(config);
  return {
    redis,
    storage: new RedisChannelStore({ redis, keyPrefix, ledger: p.ledger }),
    holds: new RedisChannelHolds({ redis, keyPrefix, nodeId: p.nodeId }),
    // Outlives the longest pass interval that matters for money (the withdrawal watch, at most 300 s).
    turn: new SettlerTurn({
      redis,
      keyPrefix,
      nodeId: p.nodeId,
      ttlMs: Math.max(config.AGENT_CHANNEL_WITHDRAW_WATCH_SECONDS * 3, 60) * 1000,
    }),
  };
}
