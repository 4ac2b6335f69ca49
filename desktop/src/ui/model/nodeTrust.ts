// What the node list says of a node's standing against the registry: a short badge and, for an untrusted node,
// each reason in a sentence. The reasons are the core's problem codes (client/src/discovery/crossCheck.ts).
import type { NodeView } from "../../api/views.ts";

const problemText: Record<string, { short: string; sentence: string }> = {
  key_mismatch: { short: "key mismatch", sentence: "Its WireGuard key is not the one registered." },
  price_mismatch: { short: "price mismatch", sentence: "It asks another price per minute than registered." },
  data_price_mismatch: { short: "data price mismatch", sentence: "It asks another price per MB than registered." },
  pay_to_mismatch: { short: "payee mismatch", sentence: "It asks to be paid at another address than registered." },
  scheme_mismatch: { short: "scheme mismatch", sentence: "It offers other ways to pay than registered." },
  signer_mismatch: { short: "signer mismatch", sentence: "It signs with another key than the registered one." },
  unsigned: { short: "unsigned", sentence: "It names no signing key, so it cannot prove who it is." },
  challenge_invalid: {
    short: "identity not proven",
    sentence: "It did not sign a fresh challenge with the registered key over its key and endpoint.",
  },
  invalid_url: { short: "bad URL", sentence: "Its registered URL is not a usable http(s) URL." },
};

const describe = (code: string) => problemText[code] ?? { short: code.replaceAll("_", " "), sentence: code };

export type TrustBadge = {
  tone: "verified" | "untrusted" | "unreachable" | "custom";
  text: string;
  /** Sentences saying why, for an untrusted node; empty otherwise. */
  reasons: string[];
};

export function trustBadge(node: NodeView): TrustBadge {
  switch (node.trust) {
    case "verified":
      return { tone: "verified", text: "Verified on-chain", reasons: [] };
    case "untrusted": {
      const shorts = node.problems.map((code) => describe(code).short);
      return {
        tone: "untrusted",
        text: `Untrusted: ${shorts.join(", ") || "does not match its entry"}`,
        reasons: node.problems.map((code) => describe(code).sentence),
      };
    }
    case "unreachable":
      return { tone: "unreachable", text: "Registered, not answering", reasons: [] };
    case "custom":
      return { tone: "custom", text: "Custom: not checked on-chain", reasons: [] };
  }
}

/** Why the chosen node cannot be connected to, or null when it can (or none is chosen). */
export function unusableReason(selected: string | null, nodes: NodeView[]): string | null {
  const node = selected ? nodes.find((n) => n.url === selected) : undefined;
  if (!node) return null;
  if (node.trust === "untrusted") return "The chosen node does not match its registry entry; choose another";
  if (!node.reachable) return "The chosen node is not answering right now; wait, or choose another";
  if (node.capacity.available === 0) return "The chosen node has no free slot right now; wait, or choose another";
  return null;
}
