import type { NodeView, ReachableNodeView } from "../../api/views.ts";
import { chosenNode, groupNodes, rankNodes, selectable } from "./nodeRanking.ts";
import { tusd } from "./testSession.ts";

function node(
  name: string,
  p: { perMinute: number; secondsPerMinute?: number; latencyMs: number; region?: string; free?: number },
): ReachableNodeView {
  const spm = p.secondsPerMinute ?? 60;
  return {
    reachable: true,
    url: `http://${name}.example`,
    source: "settings",
    name,
    region: p.region ?? "eu",
    version: "0.1.0",
    network: "eip155:31337",
    chainName: "Local",
    pricePerMinute: tusd(p.perMinute),
    pricePerHour: tusd((p.perMinute * 3600) / spm),
    secondsPerMinute: spm,
    minMinutes: 1,
    maxMinutes: 1440,
    capacity: { total: 10, available: p.free ?? 10 },
    latencyMs: p.latencyMs,
    country: null,
    scheme: "exact",
    data: null,
    pricePerGb: null,
    trust: "custom",
    problems: [],
    registry: null,
  };
}

const down: NodeView = {
  reachable: false,
  url: "http://down.example",
  source: "env",
  error: { error: "node_unreachable", message: "connection refused" },
  trust: "custom",
  problems: [],
  registry: null,
};

describe("node ranking", () => {
  const a = node("a", { perMinute: 2000, latencyMs: 5, region: "us" });
  const b = node("b", { perMinute: 1000, latencyMs: 40, region: "eu" });
  const c = node("c", { perMinute: 1500, latencyMs: 20, region: "ap" });

  it("marks the cheapest and the fastest, and sorts by price by default order", () => {
    const ranked = rankNodes([a, down, b, c], "price");
    expect(ranked.map((n) => n.url)).toEqual([b.url, c.url, a.url, down.url]);
    expect(ranked.find((n) => n.cheapest)?.url).toBe(b.url);
    expect(ranked.find((n) => n.fastest)?.url).toBe(a.url);
    expect(ranked.filter((n) => n.cheapest || n.fastest)).toHaveLength(2);
  });

  it("sorts by latency, region and capacity, either way, unreachable nodes last", () => {
    expect(rankNodes([a, b, c, down], "latency").map((n) => n.url)).toEqual([a.url, c.url, b.url, down.url]);
    expect(rankNodes([a, b, c, down], "latency", true).map((n) => n.url)).toEqual([b.url, c.url, a.url, down.url]);
    expect(rankNodes([a, b, c], "region").map((n) => n.url)).toEqual([c.url, b.url, a.url]);
    const roomy = node("d", { perMinute: 3000, latencyMs: 1, free: 50 });
    expect(rankNodes([a, roomy], "capacity")[0]?.url).toBe(roomy.url);
  });

  it("compares price per wall-clock hour, so short test minutes are not called cheap", () => {
    const testNode = node("t", { perMinute: 1000, secondsPerMinute: 3, latencyMs: 1 });
    const real = node("r", { perMinute: 2000, latencyMs: 30 });
    const ranked = rankNodes([testNode, real], "price");
    expect(ranked[0]?.url).toBe(real.url);
    expect(ranked.find((n) => n.cheapest)?.url).toBe(real.url);
  });

  it("marks nothing with a single usable node, and never a full one", () => {
    expect(rankNodes([a], "price").some((n) => n.cheapest || n.fastest)).toBe(false);
    const full = node("full", { perMinute: 1, latencyMs: 0, free: 0 });
    const ranked = rankNodes([full, a, b], "price");
    expect(ranked.find((n) => n.url === full.url)).toMatchObject({ cheapest: false, fastest: false });
  });
});

describe("the chosen node", () => {
  const cheap = node("cheap", { perMinute: 1000, latencyMs: 9 });
  const picked = node("picked", { perMinute: 3000, latencyMs: 1 });
  const pickedDown: NodeView = { ...down, url: picked.url, source: "settings" };

  it("starts at the cheapest usable node", () => {
    expect(chosenNode(null, [picked, cheap], [picked, cheap])).toBe(cheap.url);
  });

  it("keeps the user's pick through a probe that finds it unreachable, and drops it once it is unlisted", () => {
    expect(chosenNode(picked.url, [pickedDown, cheap], [cheap])).toBe(picked.url);
    expect(chosenNode(picked.url, [cheap], [cheap])).toBe(cheap.url);
    expect(chosenNode(picked.url, [], [])).toBeNull();
  });
});

describe("registry nodes", () => {
  const registered = (name: string, trust: "verified" | "untrusted", perMinute: number): ReachableNodeView => ({
    ...node(name, { perMinute, latencyMs: 1 }),
    source: "registry",
    trust,
    problems: trust === "untrusted" ? ["key_mismatch"] : [],
  });
  const verified = registered("verified", "verified", 2000);
  const liar = registered("liar", "untrusted", 1);
  const custom = node("custom", { perMinute: 3000, latencyMs: 9 });

  it("never offers an untrusted node: not selectable, not cheapest, not chosen, ranked after the others", () => {
    expect(selectable(liar)).toBe(false);
    expect(selectable(verified)).toBe(true);
    const ranked = rankNodes([liar, custom, verified], "price");
    expect(ranked.map((n) => n.url)).toEqual([verified.url, custom.url, liar.url]);
    expect(ranked.find((n) => n.cheapest)?.url).toBe(verified.url);
    const all = [liar, custom, verified];
    expect(chosenNode(null, all, all.filter(selectable))).toBe(verified.url);
  });

  it("groups the registry's nodes apart from the custom ones, each in rank order", () => {
    const unreachableRegistered: NodeView = {
      ...down,
      url: "http://gone.example",
      source: "registry",
      trust: "unreachable",
    };
    const groups = groupNodes(rankNodes([custom, unreachableRegistered, liar, down, verified], "price"));
    expect(groups.registry.map((n) => n.url)).toEqual([verified.url, liar.url, unreachableRegistered.url]);
    expect(groups.custom.map((n) => n.url)).toEqual([custom.url, down.url]);
  });
});
