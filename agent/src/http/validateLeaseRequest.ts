import { BaseError, CreateLeaseRequest, ErrorCode, LeaseId, RenewLeaseRequest } from "@wg402/shared";
import type { z } from "zod";

const codeFor = (field: PropertyKey | undefined) =>
  field === "publicKey"
    ? ErrorCode.invalid_public_key
    : field === "minutes"
      ? ErrorCode.invalid_minutes
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

function assertMinutes(minutes: number, range: { min: number; max: number }): void {
  if (minutes < range.min || minutes > range.max) {
    throw new BaseError(`minutes must be a whole number from ${range.min} to ${range.max}`, {
      code: ErrorCode.invalid_minutes,
    });
  }
}

export function parseCreateLease(body: unknown, range: { min: number; max: number }): CreateLeaseRequest {
  const request = parseBody(CreateLeaseRequest, body);
  assertMinutes(request.minutes, range);
  return request;
}

export function parseRenewLease(body: unknown, range: { min: number; max: number }): RenewLeaseRequest {
  const request = parseBody(RenewLeaseRequest, body);
  assertMinutes(request.minutes, range);
  return request;
}

/** An id that cannot be a lease id is as unknown as one that could be. */
export function assertLeaseId(id: string): void {
  if (!LeaseId.safeParse(id).success)
    throw new BaseError(`no lease ${id.slice(0, 80)} on this node`, { code: ErrorCode.lease_not_found });
}

export { parseBody };
