import type { ChannelHolds } from "../channels/channelStore.ts";
import type { FleetRedis } from "./redisClient.ts";

// Take or extend: refused while another node holds the key; an extension never shortens a hold.
const TAKE = `
local v = redis.call("GET", KEYS[1])
if v and v ~= ARGV[1] then return 0 end
local want = tonumber(ARGV[2])
if redis.call("PTTL", KEYS[1]) < want then redis.call("SET", KEYS[1], ARGV[1], "PX", want) end
if KEYS[2] then redis.call("SADD", KEYS[2], ARGV[3]) end
return 1
`;
const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
redis.call("SREM", KEYS[2], ARGV[2])
return 1
`;
const HOLDER = `return redis.call("GET", KEYS[1])`;
// The node's set of holds, less those that expired or moved on (a hold's key expires, its set entry does not).
const MINE = `
local ids = redis.call("SMEMBERS", KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  if redis.call("GET", ARGV[1] .. id) == ARGV[2] then table.insert(out, id) else redis.call("SREM", KEYS[1], id) end
end
return out
`;

/**
 * The fleet-wide "one lease at a time per channel": a Redis key per channel naming the node that serves it,
 * `<prefix>:fleet:hold:<channelId>` = node id, with an expiry at least the paid time of the node's lease on it
 * plus slack (ChannelPayments sets it). It is taken before a purchase reserves anything, kept by every sweep
 * while a lease on the channel runs or awaits its final charge, and given up once that final charge is taken.
 * A node killed mid-lease keeps its hold until the lease could no longer run, so no other node can start
 * billing the channel from a charge that still misses the dead node's last seconds; after that, another node
 * may take the channel, and the dead node's late final bill only raises the charge to what its lease owed
 * (never above; the operator, not the payer, bears any overlap).
 */
export class RedisChannelHolds implements ChannelHolds {
  private readonly redis: FleetRedis;
  private readonly node: string;
  private readonly holdPrefix: string;
  private readonly mineKey: string;

  constructor(p: { redis: FleetRedis; keyPrefix: string; nodeId: string }) {
    this.redis = p.redis;
    this.node = p.nodeId;
    this.holdPrefix = `${p.keyPrefix}:fleet:hold:`;
    this.mineKey = `${p.keyPrefix}:fleet:node:${p.nodeId}:holds`;
  }

  async take(channelId: string, ttlMs: number): Promise<boolean> {
    const id = channelId.toLowerCase();
    const keys = [this.holdPrefix + id, this.mineKey];
    return (await this.redis.script(TAKE, keys, [this.node, String(Math.ceil(ttlMs)), id])) === 1;
  }

  async release(channelId: string): Promise<void> {
    const id = channelId.toLowerCase();
    await this.redis.script(RELEASE, [this.holdPrefix + id, this.mineKey], [this.node, id]);
  }

  async heldElsewhere(channelId: string): Promise<boolean> {
    const holder = await this.redis.script(HOLDER, [this.holdPrefix + channelId.toLowerCase()], []);
    return typeof holder === "string" && holder !== this.node;
  }

  async mine(): Promise<string[]> {
    const ids = await this.redis.script(MINE, [this.mineKey], [this.holdPrefix, this.node]);
    return Array.isArray(ids) ? ids.map(String) : [];
  }
}

/**
 * One settler at a time in a fleet: claims, settles, idle refunds and the withdrawal watch run only on the
 * node holding `<prefix>:fleet:settler`. The holder keeps it by running its passes; if it dies, the key
 * expires and the next node to try takes over (no operator action, unlike a designated settler node). Two
 * nodes never claim the same vouchers unless one pass outlives the lock's `ttlMs` (then the second claim of a
 * channel claims nothing more: the escrow's totalClaimed only rises).
 */
export class SettlerTurn {
  private readonly redis: FleetRedis;
  private readonly key: string;
  private readonly node: string;
  private readonly ttlMs: number;

  constructor(p: { redis: FleetRedis; keyPrefix: string; nodeId: string; ttlMs: number }) {
    this.redis = p.redis;
    this.key = `${p.keyPrefix}:fleet:settler`;
    this.node = p.nodeId;
    this.ttlMs = p.ttlMs;
  }

  /** Whether this node is (now) the fleet's settler. */
  async mine(): Promise<boolean> {
    return (await this.redis.script(TAKE, [this.key], [this.node, String(this.ttlMs), ""])) === 1;
  }
}
