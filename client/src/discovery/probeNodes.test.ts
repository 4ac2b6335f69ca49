// probeNodes against real loopback node servers: one deadline for all, bounded concurrency, and identity for
// every node before latency for any, so an overloaded discovery still hears from each node once.
import { randomBytes } from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startTestNodeServer, type TestNode, type TestNodeServer } from "./discoveryTestNodes.ts";
import { probeNodes } from "./probeNodes.ts";

const signer = privateKeyToAccount(generatePrivateKey());
const challenge = `0x${randomBytes(32).toString("hex")}` as const;
let server: TestNodeServer;

const node = (name: string, delayMs = 0): TestNode => ({
  name,
  signer,
  delayMs,
  registered: {
    wireguardKey: randomBytes(32).toString("base64"),
    payTo: signer.address,
    signer: signer.address,
    pricePerMinute: "1000",
    pricePerMb: "0",
    schemes: ["exact"],
    country: "DE",
    label: name,
  },
});

beforeAll(async () => {
  server = await startTestNodeServer();
});
afterAll(() => server.close());

describe("probeNodes", () => {
  it("answers at the deadline: a slow node is late, a closed port unreachable, a fast one timed", async () => {
    server.add(node("fast"));
    server.add(node("late", 10_000));
    const started = performance.now();
    const outcomes = await probeNodes(
      [
        { id: "fast", url: server.urlOf("fast") },
        { id: "late", url: server.urlOf("late") },
        { id: "closed", url: "http://127.0.0.1:9/n/closed" },
      ],
      { challenge, deadlineMs: 700 },
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    const fast = outcomes.get("fast");
    expect(fast?.ok && fast.info.challenge?.challenge).toBe(challenge);
    expect(fast?.ok && fast.latencyMs).toEqual(expect.any(Number));
    expect(outcomes.get("late")).toEqual({ ok: false, reason: "deadline" });
    expect(outcomes.get("closed")).toEqual({ ok: false, reason: "unreachable" });
  });

  it("keeps to its concurrency and hears from every node before timing any", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `slowish-${i}`);
    for (const name of names) server.add(node(name, 400));
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    // 8 identity requests of 400 ms, 4 at a time: done at ~800 ms; one timed sample each, 4 at a time, ends
    // a first round at ~1,200 ms and a second at ~1,600 ms: the deadline falls between.
    const outcomes = await probeNodes(
      names.map((name) => ({ id: name, url: server.urlOf(name) })),
      { challenge, deadlineMs: 1_400, concurrency: 4, samples: 1, fetch: counting },
    );
    expect(most).toBeLessThanOrEqual(4);
    const all = [...outcomes.values()];
    expect(all.every((o) => o.ok)).toBe(true);
    const timed = all.filter((o) => o.ok && o.latencyMs !== null).length;
    expect(timed).toBeGreaterThan(0);
    expect(timed).toBeLessThan(names.length);
  });
});
