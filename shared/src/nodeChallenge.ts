// Proof that an endpoint is the node it claims to be: `GET /?challenge=<32 bytes>` answers with the node's
// EIP-712 signature, by its own signing key (offerSigner), over the challenge, its WireGuard key and its endpoint.
// A client picks the challenge, so an old answer cannot be replayed; a registry entry names the signer to expect.
import { type Hex, isAddressEqual, type LocalAccount, recoverTypedDataAddress } from "viem";
import { z } from "zod";

export const NODE_CHALLENGE_DOMAIN = { name: "wg402 node", version: "1" } as const;

export const nodeChallengeTypes = {
  NodeChallenge: [
    { name: "challenge", type: "bytes32" },
    { name: "wireguardKey", type: "string" },
    { name: "endpoint", type: "string" },
  ],
} as const;

export const NodeChallenge = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex challenge");

/** The answer `GET /?challenge=` carries beside the node info. */
export const NodeChallengeAnswer = z.object({
  challenge: NodeChallenge,
  signer: z.string(),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte hex signature"),
});
export type NodeChallengeAnswer = z.infer<typeof NodeChallengeAnswer>;

type Claim = { challenge: Hex; wireguardKey: string; endpoint: string };

const typedData = (claim: Claim) =>
  ({
    domain: NODE_CHALLENGE_DOMAIN,
    types: nodeChallengeTypes,
    primaryType: "NodeChallenge",
    message: claim,
  }) as const;

export async function signNodeChallenge(claim: Claim, account: LocalAccount): Promise<NodeChallengeAnswer> {
  const signature = await account.signTypedData(typedData(claim));
  return { challenge: claim.challenge, signer: account.address, signature };
}

/** Whether `answer` is `expectedSigner`'s signature over this challenge, key and endpoint. */
export async function verifyNodeChallenge(
  claim: Claim,
  answer: NodeChallengeAnswer,
  expectedSigner: string,
): Promise<boolean> {
  if (answer.challenge.toLowerCase() !== claim.challenge.toLowerCase()) return false;
  try {
    const signer = await recoverTypedDataAddress({ ...typedData(claim), signature: answer.signature as Hex });
    return isAddressEqual(signer, expectedSigner as Hex);
  } catch {
    return false;
  }
}
