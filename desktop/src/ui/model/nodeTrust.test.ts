import type { NodeView } from "../../api/views.ts";
import { trustBadge, unusableReason } from "./nodeTrust.ts";

const unreachable = (url: string, trust: NodeView["trust"], problems: string[] = []): NodeView => ({
  reachable: false,
  url,
  source: "registry",
  error: { error: "node_unreachable", message: "did not answer" },
  trust,
  problems,
  registry: null,
});

describe("trust badge", () => {
  it("names each reason an untrusted node is untrusted, in short and in a sentence", () => {
    const badge = trustBadge(unreachable("http://liar.example", "untrusted", ["key_mismatch", "pay_to_mismatch"]));
    expect(badge).toEqual({
      tone: "untrusted",
      text: "Untrusted: key mismatch, payee mismatch",
      reasons: [
        "Its WireGuard key is not the one registered.",
        "It asks to be paid at another address than registered.",
      ],
    });
  });

  it("says a new problem code as it is rather than hiding it", () => {
    expect(trustBadge(unreachable("http://x.example", "untrusted", ["future_problem"])).text).toBe(
      "Untrusted: future problem",
    );
  });

  it("tells verified, unreachable and custom nodes apart", () => {
    expect(trustBadge(unreachable("http://a.example", "verified")).text).toBe("Verified on-chain");
    expect(trustBadge(unreachable("http://a.example", "unreachable")).text).toBe("Registered, not answering");
    expect(trustBadge(unreachable("http://a.example", "custom")).tone).toBe("custom");
  });
});

describe("why the chosen node cannot be used", () => {
  it("says an untrusted pick does not match its entry, and an unreachable one is not answering", () => {
    const liar = unreachable("http://liar.example", "untrusted", ["key_mismatch"]);
    const gone = unreachable("http://gone.example", "unreachable");
    expect(unusableReason(liar.url, [liar, gone])).toMatch(/does not match its registry entry/);
    expect(unusableReason(gone.url, [liar, gone])).toMatch(/not answering/);
    expect(unusableReason(null, [liar])).toBeNull();
  });
});
