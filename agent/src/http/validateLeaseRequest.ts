import { BaseError, CreateLeaseRequest, ErrorCode, LeaseId, type LeaseUnits, RenewLeaseRequest } from "@wg402/shared";
import type { z } from "zod";

type Range = { min: number; max: number };

/** What one purchase may buy: minutes within `minutes`, megabytes within `megabytes` (absent: no data sold). */
export type PurchaseBounds = { minutes: Range; megabytes?: Range };

const codeFor = (field: PropertyKey | undefined) =>
  field === "publicKey"
    ? ErrorCode.invalid_public_key
    : field === "minutes"
      ? ErrorCode.invalid_minutes
      : field === "megabytes"
        ? ErrorCode.invalid_megabytes
        : ErrorCode.invalid_request;

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BaseError("send a JSON object body", { code: ErrorCode.invalid_request });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path[0];
  const message = field === undefined ? (issue?.message ?? "invalid body") : `${String(field)}: ${issue?.message}`;
  throw new BaseError(message, { code: codeFor(field), details: result.error.issues });
}

function unitsWithin(request: { minutes?: number; megabytes?: number }, bounds: PurchaseBounds): LeaseUnits {
  const { minutes = 0, megabytes = 0 } = request;
  const { min, max } = bounds.minutes;
  if (request.minutes !== undefined && (minutes < min || minutes > max)) {
    throw new BaseError(`minutes must be a whole number from ${min} to ${max}`, { code: ErrorCode.invalid_minutes });
  }
  if (request.megabytes !== undefined) {
    if (!bounds.megabytes) {
      throw new BaseError("this node sells tunnel time only; ask for minutes", { code: ErrorCode.data_not_offered });
    }
    const range = bounds.megabytes;
    if (megabytes < range.min || megabytes > range.max) {
      throw new BaseError(`megabytes must be a whole number from ${range.min} to ${range.max}`, {
        code: ErrorCode.invalid_megabytes,
      });
    }
  }
  return { minutes, megabytes };
}

export function parseCreateLease(body: unknown, bounds: PurchaseBounds): { publicKey: string; units: LeaseUnits } {
  const request = parseBody(CreateLeaseRequest, body);
  return { publicKey: request.publicKey, units: unitsWithin(request, bounds) };
}

export function parseRenewLease(body: unknown, bounds: PurchaseBounds): LeaseUnits {
  return unitsWithin(parseBody(RenewLeaseRequest, body), bounds);
}

/** An id that cannot be a lease id is as unknown as one that could be. */
export function assertLeaseId(id: string): void {
  if (!LeaseId.safeParse(id).success)
    throw new BaseError(`no lease ${id.slice(0, 80)} on this node`, { code: ErrorCode.lease_not_found });
}

export { parseBody };
