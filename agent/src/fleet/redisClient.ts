import { BaseError, ErrorCode } from "@wg402/shared";
import type { RedisChannelStorageClient } from "@x402/evm/batch-settlement/server/redis-storage";
import type { Logger } from "pino";
import { createClient } from "redis";

/** What the fleet code asks of Redis: the SDK storage's client, plus a way to close it. */
export type FleetRedis = RedisChannelStorageClient & {
  /** Runs a Lua script, as `eval` does, with this client's timeout and error mapping. */
  script(source: string, keys: string[], args: string[]): Promise<unknown>;
  close(): Promise<void>;
};

const unavailable = (cause: unknown) =>
  new BaseError("the fleet's channel store (Redis) is not answering; no channel payment is taken, try again shortly", {
    code: ErrorCode.channel_store_unavailable,
    cause,
  });

/** `redis://host:port[/db]`, `rediss://…`, or `unix:///path/to/redis.sock`. */
function socketOf(url: string) {
  if (url.startsWith("unix:")) return { url: undefined, path: new URL(url).pathname };
  return { url, path: undefined };
}

/**
 * A node-redis v5 client that fails fast: no offline queue (a command while Redis is down fails at once
 * instead of waiting for a reconnect), a timeout on every command, reconnects in the background, and every
 * failure as `channel_store_unavailable`. A command that timed out may still land: every caller treats a
 * failed write as "may have happened" (see redisChannelStore.ts).
 */
export function createFleetRedis(p: { url: string; timeoutMs: number; log: Logger }): FleetRedis {
  const { url, path } = socketOf(p.url);
  const common = {
    connectTimeout: p.timeoutMs,
    reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
  };
  const client = path
    ? createClient({ disableOfflineQueue: true, socket: { ...common, path, tls: false } })
    : createClient({ url, disableOfflineQueue: true, socket: common });
  let down = false;
  client.on("error", (err: unknown) => {
    if (!down) p.log.warn({ err }, "channel store (Redis) unreachable; channel payments refused until it returns");
    down = true;
  });
  client.on("ready", () => {
    if (down) p.log.info("channel store (Redis) reachable again");
    down = false;
  });
  // Not awaited: a node whose Redis is down at start-up still starts, serves its leases and sells `exact`.
  const connecting = client.connect().catch(() => undefined);

  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!client.isReady) throw unavailable(new Error("not connected"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${p.timeoutMs} ms`)), p.timeoutMs);
        }),
      ]);
    } catch (error) {
      throw error instanceof BaseError ? error : unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    get: (key) => guard(() => client.get(key)),
    set: (key, value, options) =>
      guard(async () => {
        const reply = await client.set(key, value, {
          ...(options?.NX ? { condition: "NX" as const } : {}),
          ...(options?.PX ? { expiration: { type: "PX" as const, value: options.PX } } : {}),
        });
        return reply === null ? null : String(reply);
      }),
    del: (key) => guard(() => client.del(key)),
    eval: (script, options) => guard(() => client.eval(script, options) as Promise<unknown>),
    script: (source, keys, args) => guard(() => client.eval(source, { keys, arguments: args }) as Promise<unknown>),
    async *scanIterator(options) {
      if (!client.isReady) throw unavailable(new Error("not connected"));
      try {
        for await (const keys of client.scanIterator(options)) yield keys;
      } catch (error) {
        throw unavailable(error);
      }
    },
    async close() {
      // Never waits on a Redis that is down: shutdown must not hang on a reconnect loop.
      if (client.isReady) await client.close().catch(() => client.destroy());
      else if (client.isOpen) client.destroy();
      await connecting;
    },
  };
}
