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

  it("reads a proven node without a challenge, and challenges it after all when it names another endpoint", async () => {
    server.add(node("proven"));
    server.add(node("moved"));
    const before = { proven: server.challenges("proven"), moved: server.challenges("moved") };
    const answered: [string, boolean][] = [];
    const outcomes = await probeNodes(
      [
        { id: "proven", url: server.urlOf("proven"), proven: { endpoint: "127.0.0.1:51820" } },
        { id: "moved", url: server.urlOf("moved"), proven: { endpoint: "10.0.0.1:51820" } },
      ],
      {
        challenge,
        deadlineMs: 1_000,
        onAnswer: (target, _info, challenged) => {
          answered.push([target.id, challenged]);
          return undefined;
        },
      },
    );
    const proven = outcomes.get("proven");
    expect(proven).toMatchObject({ ok: true, challenged: false });
    expect(proven?.ok && proven.info.challenge).toBeUndefined();
    const moved = outcomes.get("moved");
    expect(moved).toMatchObject({ ok: true, challenged: true });
    expect(moved?.ok && moved.info.challenge?.challenge).toBe(challenge);
    expect(server.challenges("proven")).toBe(before.proven);
    expect(server.challenges("moved")).toBe(before.moved + 1);
    expect(answered.sort()).toEqual([
      ["moved", true],
      ["proven", false],
    ]);
  });

  it("sends no more challenges than are unchecked at once, and still hears from every node", async () => {
    const names = Array.from({ length: 6 }, (_, i) => `checked-${i}`);
    for (const name of names) server.add(node(name));
    let outstanding = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      if (String(input).includes("challenge=")) most = Math.max(most, ++outstanding);
      return fetch(input, init);
    };
    const outcomes = await probeNodes(
      names.map((name) => ({ id: name, url: server.urlOf(name) })),
      {
        challenge,
        deadlineMs: 2_000,
        maxUnchecked: 2,
        fetch: counting,
        // Each check takes 50 ms: a third challenge waits for one of the first two to be checked.
        onAnswer: () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              outstanding--;
              resolve();
            }, 50),
          ),
      },
    );
    expect(most).toBe(2);
    expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
  });
});
