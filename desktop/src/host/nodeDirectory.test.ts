// The node list's capacity is read afresh on every list, while the latency (several timed requests) is
// measured again only after a while or on Refresh: a node whose slots fill up says so at once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FetchLike } from "@wg402/client";
import type { NodeInfo } from "@wg402/shared";
import { nodeInfoFixture } from "../../../client/src/testing/nodeInfoFixture.ts";
import { NodeDirectory } from "./nodeDirectory.ts";
import { SettingsStore } from "./settingsStore.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-nodes-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const info = (available: number): NodeInfo =>
  nodeInfoFixture({
    name: "node",
    region: "DE",
    publicKey: Buffer.alloc(32, 7).toString("base64"),
    capacity: { total: 10, available },
  });

it("re-reads capacity on every list, keeps the measured latency, and names the country", async () => {
  let available = 10;
  let requests = 0;
  const fakeFetch: FetchLike = async () => {
    requests++;
    return new Response(JSON.stringify(info(available)), { headers: { "content-type": "application/json" } });
  };
  const settings = await SettingsStore.open(dir, { lowBalanceMinutes: 30 });
  const nodes = new NodeDirectory({
    env: { WG402_STACK_FILE: join(dir, "no-stack.json") },
    nodes: ["http://node.test"],
    settings,
    fetch: fakeFetch,
  });
  const listed = await nodes.list();
  expect(listed).toHaveLength(1);
  const [first] = listed;
  expect(first).toMatchObject({ reachable: true, capacity: { available: 10 }, country: "Germany" });
  const probed = requests;
  // A warm-up and the timed samples.
  expect(probed).toBeGreaterThan(2);

  available = 3;
  const [second] = await nodes.list();
  expect(second).toMatchObject({ capacity: { available: 3 } });
  expect(requests).toBe(probed + 1);
  expect(second?.reachable && first?.reachable && second.latencyMs).toBe(first?.reachable && first.latencyMs);

  await nodes.list(true);
  expect(requests).toBe(probed * 2 + 1);
});
