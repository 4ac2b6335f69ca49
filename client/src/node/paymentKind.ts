import { ErrorCode, type NodeInfo, type PaymentKind } from "@wg402/shared";
import { z } from "zod";
import { ClientError } from "../errors.ts";

/** x402's escrow-channel scheme, as nodes name it in `accepts`. */
export const CHANNEL_SCHEME = "batch-settlement";

/** How the user asked to pay: `auto` (the channel when the node offers it, else `exact`), or one of them. */
export const SchemeChoice = z.enum(["auto", "exact", "channel"]);
export type SchemeChoice = z.infer<typeof SchemeChoice>;

/** The node's first `exact` offer. */
export function exactPaymentKind(node: NodeInfo): PaymentKind {
  const kind = node.accepts.find((k) => k.scheme === "exact");
  if (!kind) {
    throw new ClientError(
      `the node accepts only ${node.accepts.map((k) => k.scheme).join(", ")}; this client pays with the x402 "exact" scheme or an escrow channel`,
      { code: ErrorCode.unsupported_scheme },
    );
  }
  return kind;
}

/**
 * The offer this client pays with. The channel is preferred because a renewal then costs no chain
 * transaction and the payer is charged to the second; `exact` stays the default wherever no channel is offered.
 * Refused before anything is signed when the chosen scheme is not on offer.
 */
export function choosePaymentKind(node: NodeInfo, choice: SchemeChoice = "auto"): PaymentKind {
  const channel = node.accepts.find((k) => k.scheme === CHANNEL_SCHEME);
  if (choice === "channel") {
    if (channel) return channel;
    throw new ClientError(
      `the node does not offer an escrow channel (it accepts ${node.accepts.map((k) => k.scheme).join(", ")}); use --scheme exact; nothing was signed`,
      { code: ErrorCode.channel_not_offered },
    );
  }
  if (choice === "auto" && channel) return channel;
  return exactPaymentKind(node);
}

export function isChannelKind(kind: PaymentKind): boolean {
  return kind.scheme === CHANNEL_SCHEME;
}
