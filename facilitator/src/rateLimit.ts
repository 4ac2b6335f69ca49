import { sendError } from "@wg402/service-kit";
import { ErrorCode } from "@wg402/shared";
import type { Request, RequestHandler } from "express";

// Levels are kept in 1/60000ths of a token, so that a bucket refills by exactly `perMinute` units per
// millisecond and integer clocks never meet a rounding error.
const UNITS_PER_TOKEN = 60_000;

export type TokenBucketsParameters = {
  /** Sustained rate per key. The burst is a tenth of it: ten seconds' worth at that rate. */
  perMinute: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  /** Hard bound on memory, reached only when that many keys are active within one refill time. */
  maxBuckets?: number;
};

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

type Bucket = { level: number; at: number };

/**
 * One token bucket per key. A bucket idle for a full refill time is indistinguishable from a new one, so it
 * is forgotten: the map is kept in last-seen order and trimmed from its oldest end on every take.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMinute: number;
  private readonly capacity: number;
  private readonly fullRefillMs: number;
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor({ perMinute, now = () => performance.now(), maxBuckets = 100_000 }: TokenBucketsParameters) {
    if (!(perMinute > 0)) throw new RangeError(`perMinute must be positive, got ${perMinute}`);
    this.perMinute = perMinute;
    this.capacity = Math.max(1, Math.floor(perMinute / 6)) * UNITS_PER_TOKEN;
    this.fullRefillMs = this.capacity / perMinute;
    this.now = now;
    this.maxBuckets = maxBuckets;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): TakeResult {
    const now = this.now();
    this.evictIdle(now);
    const previous = this.buckets.get(key);
    const level = previous
      ? Math.min(this.capacity, previous.level + (now - previous.at) * this.perMinute)
      : this.capacity;
    // Re-inserting keeps the map in last-seen order.
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value as string);
    if (level >= UNITS_PER_TOKEN) {
      this.buckets.set(key, { level: level - UNITS_PER_TOKEN, at: now });
      return { allowed: true };
    }
    this.buckets.set(key, { level, at: now });
    const waitMs = (UNITS_PER_TOKEN - level) / this.perMinute;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  private evictIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < this.fullRefillMs) return;
      this.buckets.delete(key);
    }
  }
}

export type RateLimitParameters = {
  /** 0 turns the limit off. */
  perMinute: number;
  /** Requests that skip the limit (operators' own clients, identified by API key). */
  exempt: (req: Request) => boolean;
  now?: () => number;
};

/**
 * Per-client-address limit, meant to run before anything else on a route: a refused request costs a map
 * lookup. Behind a proxy every client shares the proxy's address; `trust proxy` stays off so that a
 * client cannot pick its own key with X-Forwarded-For.
 */
export function rateLimit({ perMinute, exempt, now }: RateLimitParameters): RequestHandler {
  if (perMinute === 0) return (_req, _res, next) => next();
  const buckets = new TokenBuckets({ perMinute, now });
  return (req, res, next) => {
    if (exempt(req)) return next();
    const result = buckets.take(req.ip ?? req.socket.remoteAddress ?? "unknown");
    if (result.allowed) return next();
    res.setHeader("Retry-After", String(result.retryAfterSeconds));
    sendError(
      res,
      ErrorCode.rate_limited,
      `too many requests from this address; retry in ${result.retryAfterSeconds} s`,
    );
  };
}
