// Whether a node's own answer agrees with what its operator staked on: its key, prices, payTo, schemes and
// signer, and a fresh challenge signed by the registered signer. Any disagreement makes the node untrusted:
// listed, with the reasons, but never paid automatically.
import type { NodeInfo, RegistryEntry } from "@wg402/shared";
import { type Address, isAddressEqual } from "viem";
import { judgeNodeIdentity } from "../node/nodeIdentity.ts";
import type { ChallengeVerifier } from "./challengePool.ts";

export const TrustProblem = {
  /** `publicKey` is not the entry's WireGuard key. */
  key_mismatch: "key_mismatch",
  /** The price per minute differs from the entry's. */
  price_mismatch: "price_mismatch",
  /** The price per MB differs (the entry's "0" means the node sells no data). */
  data_price_mismatch: "data_price_mismatch",
  /** An offer pays someone other than the entry's payTo. */
  pay_to_mismatch: "pay_to_mismatch",
  /** The schemes offered are not the schemes registered. */
  scheme_mismatch: "scheme_mismatch",
  /** `offerSigner` is not the entry's signer. */
  signer_mismatch: "signer_mismatch",
  /** The node names no signer, so it cannot prove who it is. */
  unsigned: "unsigned",
  /** The challenge was not answered, or not by the entry's signer over this key and endpoint. */
  challenge_invalid: "challenge_invalid",
  /** The entry's URL is not a usable http(s) URL. */
  invalid_url: "invalid_url",
} as const;
export type TrustProblem = (typeof TrustProblem)[keyof typeof TrustProblem];

export type CrossCheck = { trust: "verified" | "untrusted"; problems: TrustProblem[] };

const sameAddress = (a: string, b: string) => {
  try {
    return isAddressEqual(a as Address, b as Address);
  } catch {
    return false;
  }
};

/**
 * Everything but the signature: whether the answer's key, prices, payTo, schemes and signer are the entry's.
 * Alone it proves nothing about who answers; discovery uses it alone only for a node whose signed challenge
 * is cached (proofCache.ts) and still names this key, signer and URL.
 */
export function checkFields(entry: RegistryEntry, info: NodeInfo): TrustProblem[] {
  const problems: TrustProblem[] = [];
  if (info.publicKey !== entry.wireguardKey) problems.push(TrustProblem.key_mismatch);
  if (info.pricePerMinute !== entry.pricePerMinute) problems.push(TrustProblem.price_mismatch);
  const dataPrice = info.data?.pricePerMb ?? "0";
  if (BigInt(dataPrice) !== BigInt(entry.pricePerMb) || (entry.pricePerMb === "0") !== (info.data === undefined)) {
    problems.push(TrustProblem.data_price_mismatch);
  }
  if (!info.accepts.every((kind) => sameAddress(kind.payTo, entry.payTo))) problems.push(TrustProblem.pay_to_mismatch);
  const offered = new Set(info.accepts.map((kind) => kind.scheme));
  const registered = new Set<string>(entry.schemes);
  if (offered.size !== registered.size || [...offered].some((scheme) => !registered.has(scheme))) {
    problems.push(TrustProblem.scheme_mismatch);
  }
  if (!info.offerSigner) problems.push(TrustProblem.unsigned);
  else if (!sameAddress(info.offerSigner, entry.signer)) problems.push(TrustProblem.signer_mismatch);
  return problems;
}

/** The field checks on a cached proof's node: `verified` only while its answer still matches its entry. */
export function crossCheckProven(entry: RegistryEntry, info: NodeInfo): CrossCheck {
  const problems = checkFields(entry, info);
  return { trust: problems.length === 0 ? "verified" : "untrusted", problems };
}

/** `info` is the node's answer to `challenge` (the answer the signature covers). */
export async function crossCheck(
  entry: RegistryEntry,
  info: NodeInfo,
  challenge: `0x${string}`,
  options: { verify?: ChallengeVerifier } = {},
): Promise<CrossCheck> {
  const problems = checkFields(entry, info);
  if (info.offerSigner) {
    // Against the registered key and signer, not the node's claims: only the entry is staked on.
    const identity = await judgeNodeIdentity(
      challenge,
      info,
      {
        publicKey: entry.wireguardKey,
        endpoint: info.endpoint,
        signer: entry.signer,
      },
      options.verify,
    );
    if (identity.verdict !== "verified") problems.push(TrustProblem.challenge_invalid);
  }
  return { trust: problems.length === 0 ? "verified" : "untrusted", problems };
}
