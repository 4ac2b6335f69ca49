// A node whose Redis is not there at all (no server on the socket): commands fail at once with
// channel_store_unavailable instead of queueing, and shutdown does not hang on the reconnect loop.

import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { createFleetRedis } from "./redisClient.ts";

it("fails fast while Redis is absent, and closes without waiting for it", async () => {
  const socket = join(tmpdir(), `wg402-no-redis-${process.pid}.sock`);
  const redis = createFleetRedis({ url: `unix://${socket}`, timeoutMs: 300, log: pino({ level: "silent" }) });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  await expect(redis.get("x")).rejects.toMatchObject({ code: "channel_store_unavailable" });
  await expect(redis.script("return 1", [], [])).rejects.toMatchObject({ code: "channel_store_unavailable" });
  expect(Date.now() - started).toBeLessThan(100);
  await redis.close();
});
