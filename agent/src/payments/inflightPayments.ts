/** An HTTP answer as data, so that every copy of one payment can be given the same one. */
export type PaidAnswer = { status: number; headers: Record<string, string>; body: unknown };

/** The parts of a payment's identity that tell copies of it apart. */
export type PaymentRef = { key: string; digest: string };

type Running = { digest: string; target: string; answer: Promise<PaidAnswer> };

/**
 * The payments this process is handling right now, by payment key. A second copy of a payment (same
 * signed payload, same purchase) waits for the first and gets its answer; a different payload or purchase
 * under the same key gets `conflict`. Checking and registering happen in one synchronous step, so two
 * copies arriving together can never both proceed.
 */
export class InflightPayments {
  private readonly running = new Map<string, Running>();

  /** The running handling of this payment's key, if any, as what a copy of it should get. */
  join(identity: PaymentRef, target: string, conflict: () => PaidAnswer): Promise<PaidAnswer> | undefined {
    const running = this.running.get(identity.key);
    if (!running) return undefined;
    if (running.digest !== identity.digest || running.target !== target) return Promise.resolve(conflict());
    return running.answer;
  }

  /** Runs `task` as the one handling of this key; callers must {@link join} first. */
  run(identity: PaymentRef, target: string, task: () => Promise<PaidAnswer>): Promise<PaidAnswer> {
    if (this.running.has(identity.key)) throw new Error(`payment ${identity.key} is already being handled`);
    // Started after registration, so even the task's own first synchronous step sees itself registered.
    const answer = Promise.resolve()
      .then(task)
      .finally(() => this.running.delete(identity.key));
    this.running.set(identity.key, { digest: identity.digest, target, answer });
    return answer;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once nothing is in flight (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.answer));
  }
}
