// pickBest: the cheapest among the verified nodes within max(2 × best, best + 20 ms) of the fastest.
import type { RegistryEntry } from "@wg402/shared";
import type { DiscoveredNode } from "./discoverNodes.ts";
import { latencyCutoff, pickBest } from "./pickBest.ts";

let n = 0;
function node(over: {
  latencyMs: number | null;
  price?: string;
  perMb?: string;
  trust?: DiscoveredNode["trust"];
  country?: string;
}): DiscoveredNode {
  n++;
  const entry = {
    id: `0x${n.toString(16).padStart(64, "0")}`,
    pricePerMinute: over.price ?? "1000",
    pricePerMb: over.perMb ?? "0",
    country: over.country ?? "DE",
    status: "active",
  } as RegistryEntry;
  return {
    entry,
    url: `http://127.0.0.1/${n}`,
    trust: over.trust ?? "verified",
    problems: [],
    latencyMs: over.latencyMs,
    info: null,
    provenAt: null,
  };
}

describe("pickBest", () => {
  it("defines the fast group as within max(2 × best, best + 20 ms)", () => {
    expect(latencyCutoff(1)).toBe(21);
    expect(latencyCutoff(50)).toBe(100);
  });

  it("picks the cheapest of the fast group, not the cheapest overall nor the fastest", () => {
    const fastest = node({ latencyMs: 5, price: "1000" });
    const cheapFast = node({ latencyMs: 24, price: "900" });
    const cheapestSlow = node({ latencyMs: 26, price: "100" });
    expect(pickBest([fastest, cheapestSlow, cheapFast])).toBe(cheapFast);
    // Far from loopback the factor decides: 2 × 100 ms.
    const far = node({ latencyMs: 100, price: "1000" });
    const farCheap = node({ latencyMs: 199, price: "500" });
    expect(pickBest([far, farCheap, node({ latencyMs: 201, price: "1" })])).toBe(farCheap);
  });

  it("never picks an untrusted or unreachable node, however cheap", () => {
    const verified = node({ latencyMs: 3, price: "1000" });
    const liar = node({ latencyMs: 1, price: "1", trust: "untrusted" });
    const gone = node({ latencyMs: null, price: "1", trust: "unreachable" });
    expect(pickBest([liar, gone, verified])).toBe(verified);
    expect(pickBest([liar, gone])).toBeUndefined();
    expect(pickBest([])).toBeUndefined();
  });

  it("breaks price ties by price per MB, then latency; keeps to the region when asked", () => {
    const a = node({ latencyMs: 2, price: "1000", perMb: "30" });
    const b = node({ latencyMs: 3, price: "1000", perMb: "20" });
    const c = node({ latencyMs: 1, price: "1000", perMb: "20" });
    expect(pickBest([a, b, c])).toBe(c);
    const fr = node({ latencyMs: 1, price: "1", country: "FR" });
    expect(pickBest([a, fr], { region: "de" })).toBe(a);
    expect(pickBest([a], { region: "FR" })).toBeUndefined();
  });
});
