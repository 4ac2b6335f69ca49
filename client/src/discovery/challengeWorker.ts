// The worker side of challengePool.ts: verifies node challenges off the main thread.
import { parentPort } from "node:worker_threads";
import { type NodeChallengeAnswer, verifyNodeChallenge } from "@wg402/shared";

type Request = {
  id: number;
  claim: { challenge: `0x${string}`; wireguardKey: string; endpoint: string };
  answer: NodeChallengeAnswer;
  signer: string;
};

parentPort?.on("message", (request: Request) => {
  verifyNodeChallenge(request.claim, request.answer, request.signer).then(
    (ok) => parentPort?.postMessage({ id: request.id, ok }),
    () => parentPort?.postMessage({ id: request.id, ok: false }),
  );
});
