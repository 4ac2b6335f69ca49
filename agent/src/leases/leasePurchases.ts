import type { Request } from "express";
import { assertLeaseId, parseCreateLease, parseRenewLease } from "../http/validateLeaseRequest.ts";
import type { Purchase } from "../payments/paidRoute.ts";
import type { LeaseService } from "./leaseService.ts";

type MinuteRange = { min: number; max: number };

/** `POST /lease`: a new lease for a WireGuard key. */
export const createLeasePurchase =
  (leases: LeaseService, range: MinuteRange) =>
  (req: Request): Purchase => {
    const { publicKey, minutes } = parseCreateLease(req.body, range);
    return {
      path: "/lease",
      target: `create:${publicKey}:${minutes}`,
      minutes,
      precheck: () => leases.precheckCreate(publicKey),
      reserve: (payment) => {
        leases.reserveLease(publicKey, payment);
      },
    };
  };

/** `POST /lease/:id/renew`: more minutes on a lease. Anyone may pay for anyone's lease: a gift. */
export const renewLeasePurchase =
  (leases: LeaseService, range: MinuteRange) =>
  (req: Request): Purchase => {
    const leaseId = String(req.params.id);
    assertLeaseId(leaseId);
    const { minutes } = parseRenewLease(req.body, range);
    return {
      path: `/lease/${leaseId}/renew`,
      target: `renew:${leaseId}:${minutes}`,
      minutes,
      leaseId,
      precheck: () => leases.precheckRenew(leaseId),
      reserve: (payment) => {
        leases.reserveRenewal(leaseId, payment);
      },
    };
  };
