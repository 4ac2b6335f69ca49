import { ErrorCode, type NodeInfo, type PaymentKind } from "@wg402/shared";
import { ClientError } from "../errors.ts";

/** The node's first `exact` offer; other schemes (the escrow channel, later) are not spoken by this client yet. */
export function exactPaymentKind(node: NodeInfo): PaymentKind {
  const kind = node.accepts.find((k) => k.scheme === "exact");
  if (!kind) {
    throw new ClientError(
      `the node accepts only ${node.accepts.map((k) => k.scheme).join(", ")}; this client pays with the x402 "exact" scheme`,
      { code: ErrorCode.unsupported_scheme },
    );
  }
  return kind;
}
