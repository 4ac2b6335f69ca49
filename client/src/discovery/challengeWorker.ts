// The worker side of challengePool.ts: verifies node challenges off the main thread. It imports viem's utils
// alone, not @wg402/shared (whose whole index takes a worker a second or more to load, on the critical path of
// a cold discovery), and takes the EIP-712 domain and types from the pool, which has them from
// @wg402/shared's nodeChallenge: the same check as verifyNodeChallenge (challengePool.test.ts holds them equal).
import { parentPort, workerData } from "node:worker_threads";
import type { Hex, TypedDataDomain } from "viem";
import { isAddressEqual, recoverTypedDataAddress } from "viem/utils";

type Claim = { challenge: Hex; wireguardKey: string; endpoint: string };
type Request = {
  id: number;
  claim: Claim;
  answer: { challenge: string; signer: string; signature: string };
  signer: string;
};

const { domain, types } = workerData as { domain: TypedDataDomain; types: Record<string, unknown> };

async function verify({ claim, answer, signer }: Request): Promise<boolean> {
  if (answer.challenge.toLowerCase() !== claim.challenge.toLowerCase()) return false;
  try {
    const recovered = await recoverTypedDataAddress({
      domain,
      types,
      primaryType: "NodeChallenge",
      message: claim,
      signature: answer.signature as Hex,
    } as Parameters<typeof recoverTypedDataAddress>[0]);
    return isAddressEqual(recovered, signer as Hex);
  } catch {
    return false;
  }
}

parentPort?.on("message", (request: Request) => {
  verify(request).then(
    (ok) => parentPort?.postMessage({ id: request.id, ok }),
    () => parentPort?.postMessage({ id: request.id, ok: false }),
  );
});
