// The challenge pool verifies on real worker threads, with the same verdicts as inline verification.
import { randomBytes } from "node:crypto";
import { signNodeChallenge } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startChallengePool } from "./challengePool.ts";

const signer = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());

describe("startChallengePool", () => {
  it("verifies on worker threads: the signer's answer passes, a stranger's and a replay fail", async () => {
    const pool = startChallengePool(2);
    try {
      const claim = {
        challenge: `0x${randomBytes(32).toString("hex")}` as const,
        wireguardKey: randomBytes(32).toString("base64"),
        endpoint: "127.0.0.1:51820",
      };
      const good = await signNodeChallenge(claim, signer);
      const replay = await signNodeChallenge({ ...claim, challenge: `0x${"00".repeat(32)}` }, signer);
      const verdicts = await Promise.all([
        pool.verify(claim, good, signer.address),
        pool.verify(claim, await signNodeChallenge(claim, stranger), signer.address),
        pool.verify(claim, replay, signer.address),
        pool.verify({ ...claim, endpoint: "10.0.0.1:51820" }, good, signer.address),
      ]);
      expect(verdicts).toEqual([true, false, false, false]);
      expect(pool.threaded()).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
