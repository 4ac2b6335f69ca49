import type { LeaseUnits } from "@wg402/shared";
import type { Request } from "express";
import { assertLeaseId, type PurchaseBounds, parseCreateLease, parseRenewLease } from "../http/validateLeaseRequest.ts";
import type { Purchase } from "../payments/paidRoute.ts";
import type { LeaseService } from "./leaseService.ts";

// A payment's target names everything it buys. Time alone keeps the ledger's older form, so a copy of a
// payment recorded before data leases still matches its own.
const targetOf = (what: string, units: LeaseUnits) =>
  units.megabytes === 0 ? `${what}:${units.minutes}` : `${what}:${units.minutes}:${units.megabytes}`;

/** `POST /lease`: a new lease for a WireGuard key. */
export const createLeasePurchase =
  (leases: LeaseService, bounds: PurchaseBounds) =>
  (req: Request): Purchase => {
    const { publicKey, units } = parseCreateLease(req.body, bounds);
    return {
      path: "/lease",
      target: targetOf(`create:${publicKey}`, units),
      units,
      precheck: () => leases.precheckCreate(publicKey),
      reserve: (payment) => {
        leases.reserveLease(publicKey, payment);
      },
    };
  };

/** `POST /lease/:id/renew`: more of what limits a lease. Anyone may pay for anyone's lease: a gift. */
export const renewLeasePurchase =
  (leases: LeaseService, bounds: PurchaseBounds) =>
  (req: Request): Purchase => {
    const leaseId = String(req.params.id);
    assertLeaseId(leaseId);
    const units = parseRenewLease(req.body, bounds);
    return {
      path: `/lease/${leaseId}/renew`,
      target: targetOf(`renew:${leaseId}`, units),
      units,
      leaseId,
      precheck: () => leases.precheckRenew(leaseId, units),
      reserve: (payment) => {
        leases.reserveRenewal(leaseId, payment);
      },
    };
  };
