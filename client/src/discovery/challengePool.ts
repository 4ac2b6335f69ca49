// Challenge signatures verified on worker threads. Each one is an ECDSA public-key recovery (milliseconds of
// CPU): a thousand on the main thread would stall the event loop and so inflate every latency sample taken
// meanwhile. A pool that cannot start, or whose worker dies, verifies inline instead: never a lost answer.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  NODE_CHALLENGE_DOMAIN,
  type NodeChallengeAnswer,
  nodeChallengeTypes,
  verifyNodeChallenge,
} from "@wg402/shared";

export type ChallengeClaim = { challenge: `0x${string}`; wireguardKey: string; endpoint: string };
export type ChallengeVerifier = (
  claim: ChallengeClaim,
  answer: NodeChallengeAnswer,
  signer: string,
) => Promise<boolean>;
export type ChallengePool = {
  verify: ChallengeVerifier;
  /** Whether verification runs on workers (false: inline, as a fallback). */
  threaded: () => boolean;
  close: () => Promise<void>;
};

type Pending = { claim: ChallengeClaim; answer: NodeChallengeAnswer; signer: string; resolve: (ok: boolean) => void };

const inlineVerify: ChallengeVerifier = (claim, answer, signer) =>
  verifyNodeChallenge(claim, answer, signer).catch(() => false);

/**
 * `size` workers (default: the cores but one, at least one, at most 4: the main thread is idle once probing
 * ends; on two cores a second worker's start-up and contention cost more than it verifies within a deadline).
 */
export function startChallengePool(size = Math.min(4, Math.max(1, availableParallelism() - 1))): ChallengePool {
  let workers: Worker[];
  try {
    const workerData = { domain: NODE_CHALLENGE_DOMAIN, types: nodeChallengeTypes };
    workers = Array.from(
      { length: size },
      () => new Worker(new URL("./challengeWorker.ts", import.meta.url), { workerData }),
    );
  } catch {
    return { verify: inlineVerify, threaded: () => false, close: async () => {} };
  }
  const pending = new Map<number, Pending>();
  let broken = false;
  const failOver = () => {
    broken = true;
    for (const [id, p] of pending) {
      pending.delete(id);
      void inlineVerify(p.claim, p.answer, p.signer).then(p.resolve);
    }
  };
  for (const worker of workers) {
    worker.unref();
    worker.on("message", ({ id, ok }: { id: number; ok: boolean }) => {
      pending.get(id)?.resolve(ok);
      pending.delete(id);
    });
    worker.on("error", failOver);
  }
  let next = 0;
  return {
    verify(claim, answer, signer) {
      if (broken) return inlineVerify(claim, answer, signer);
      const id = next++;
      return new Promise<boolean>((resolve) => {
        pending.set(id, { claim, answer, signer, resolve });
        (workers[id % workers.length] as Worker).postMessage({ id, claim, answer, signer });
      });
    },
    threaded: () => !broken,
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
