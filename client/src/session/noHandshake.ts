import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";
import type { TunnelDriverKind } from "../tunnel/types.ts";

/**
 * The session gave up waiting for the first handshake: why it may have happened, and plainly what it cost
 * (an `exact` payment is a final transfer, so the first payment is not refunded).
 */
export function noHandshakeError(p: {
  driver: TunnelDriverKind;
  endpoint: string;
  waitedMs: number;
  /** The lease ran out before the timeout did. */
  leaseRanOut: boolean;
  leaseId: string;
  /** The first payment, in base units and as a sentence ("0.005 tUSD"). */
  paid: bigint;
  paidText: string;
  /** Why the lease could not be closed, or null when it was. */
  closeFailure: string | null;
  /** Why the device could not be read, if it could not. */
  readError: string | null;
}): ClientError {
  const seconds = Math.round(p.waitedMs / 100) / 10;
  const within = p.leaseRanOut ? "before the lease ran out" : `within ${seconds} s`;
  const why =
    p.driver === "export"
      ? `no handshake from the node ${within}: it saw none from your WireGuard app (import the config and switch the tunnel on); if it is on, UDP to ${p.endpoint} may be blocked`
      : `no handshake from the node: UDP to ${p.endpoint} may be blocked (a firewall, or a wrong route to the node); nothing came back ${within}`;
  const device = p.readError ? ` (the device could not be read: ${p.readError})` : "";
  const money =
    p.closeFailure === null
      ? `lease ${p.leaseId} is closed; ${p.paidText} was paid for it and is not refunded (exact payments are final)`
      : `lease ${p.leaseId} could not be closed (${p.closeFailure}) and runs until it expires; ${p.paidText} was paid for it and is not refunded`;
  return new ClientError(`${why}${device}; ${money}`, {
    code: ErrorCode.no_handshake,
    details: { leaseId: p.leaseId, endpoint: p.endpoint, waitedMs: p.waitedMs, paid: p.paid.toString() },
  });
}
