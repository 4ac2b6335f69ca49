// Whether the endpoint answering is the node it says it is: a fresh challenge, signed by the key the caller
// trusts for it (the node's advertised offerSigner; a registry entry's signer once discovery reads one).
import { randomBytes } from "node:crypto";
import { type NodeInfo, verifyNodeChallenge } from "@wg402/shared";
import { type FetchLike, fetchNodeInfo } from "./nodeApi.ts";

export type NodeIdentity =
  | { verdict: "verified"; signer: string }
  | { verdict: "unsigned" }
  | { verdict: "mismatch"; reason: string };

export async function checkNodeIdentity(
  nodeUrl: string,
  p: { expect: Pick<NodeInfo, "publicKey" | "endpoint"> & { signer: string | undefined }; fetch?: FetchLike },
): Promise<NodeIdentity> {
  if (!p.expect.signer) return { verdict: "unsigned" };
  const challenge = `0x${randomBytes(32).toString("hex")}` as const;
  const answered = await fetchNodeInfo(nodeUrl, { fetch: p.fetch, challenge }).catch(() => null);
  return judgeNodeIdentity(challenge, answered, { ...p.expect, signer: p.expect.signer });
}

/** The verdict on `answered`, the node's answer to `challenge` (null: it did not answer). */
export async function judgeNodeIdentity(
  challenge: `0x${string}`,
  answered: NodeInfo | null,
  expect: Pick<NodeInfo, "publicKey" | "endpoint"> & { signer: string },
  verify: typeof verifyNodeChallenge = verifyNodeChallenge,
): Promise<NodeIdentity> {
  if (!answered?.challenge) return { verdict: "mismatch", reason: "it did not answer the challenge" };
  if (answered.publicKey !== expect.publicKey) return { verdict: "mismatch", reason: "its WireGuard key changed" };
  const claim = { challenge, wireguardKey: expect.publicKey, endpoint: expect.endpoint };
  return (await verify(claim, answered.challenge, expect.signer))
    ? { verdict: "verified", signer: expect.signer }
    : { verdict: "mismatch", reason: "the challenge was not signed by the expected key over this key and endpoint" };
}
