import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { signNodeChallenge, verifyNodeChallenge } from "./nodeChallenge.ts";

const node = privateKeyToAccount(generatePrivateKey());
const claim = {
  challenge: `0x${"ab".repeat(32)}` as const,
  wireguardKey: "kPpDc0rVRnUmNXpA2j1yYF8mJ5jG4h3eFwWlq1o3nHI=",
  endpoint: "203.0.113.7:51820",
};

describe("the node challenge", () => {
  it("verifies the node's own answer, and nothing else", async () => {
    const answer = await signNodeChallenge(claim, node);
    expect(await verifyNodeChallenge(claim, answer, node.address)).toBe(true);
    // Another signer, another challenge, another key or endpoint: refused.
    expect(await verifyNodeChallenge(claim, answer, privateKeyToAccount(generatePrivateKey()).address)).toBe(false);
    expect(await verifyNodeChallenge({ ...claim, challenge: `0x${"cd".repeat(32)}` }, answer, node.address)).toBe(
      false,
    );
    expect(await verifyNodeChallenge({ ...claim, wireguardKey: "x" }, answer, node.address)).toBe(false);
    expect(await verifyNodeChallenge({ ...claim, endpoint: "198.51.100.1:51820" }, answer, node.address)).toBe(false);
    expect(await verifyNodeChallenge(claim, { ...answer, signature: `0x${"00".repeat(65)}` }, node.address)).toBe(
      false,
    );
  });
});
