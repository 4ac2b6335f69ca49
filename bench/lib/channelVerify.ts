// Voucher verification throughput on one thread, the way the agent checks a voucher locally (no facilitator
// round trip), beside faster checks that are NOT wired into the product, to show where the time goes.
import { generateKeyPairSync, sign as opensslSign, verify as opensslVerify } from "node:crypto";
import { invert, mod } from "@noble/curves/abstract/modular";
import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak_256 } from "@noble/hashes/sha3";
import { canonicalEscrowAddresses } from "@wg402/shared";
import { BATCH_SETTLEMENT_ADDRESS, BATCH_SETTLEMENT_DOMAIN, voucherTypes } from "@x402/evm";
import { computeChannelId } from "@x402/evm/batch-settlement/client";
import {
  concatBytes,
  encodeAbiParameters,
  getAddress,
  type Hex,
  hashTypedData,
  hexToBytes,
  keccak256,
  recoverPublicKey,
  toBytes,
  verifyTypedData,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const CHAIN_ID = 31337;
const NETWORK = `eip155:${CHAIN_ID}`;
// What the SDK's getBatchSettlementEip712Domain(chainId) returns (not exported by the package).
const domain = {
  ...BATCH_SETTLEMENT_DOMAIN,
  chainId: CHAIN_ID,
  verifyingContract: getAddress(BATCH_SETTLEMENT_ADDRESS),
};

/** Runs `fn` over the samples round-robin for about `ms`; every call must return true. */
async function rate(samples: number, fn: (i: number) => boolean | Promise<boolean>, ms: number) {
  for (let i = 0; i < 20; i++) if (!(await fn(i % samples))) throw new Error("verification failed in warm-up");
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let k = 0; k < 10; k++, n++) if (!(await fn(n % samples))) throw new Error("verification failed");
    elapsed = performance.now() - start;
  }
  return { perSecond: Math.round((n / elapsed) * 1000), usPerVoucher: Math.round((elapsed / n) * 1000 * 10) / 10, n };
}

export async function benchVerify(options: { ms?: number; samples?: number } = {}) {
  const ms = options.ms ?? 1_500;
  const samples = options.samples ?? 64;
  const payerAuthorizer = privateKeyToAccount(generatePrivateKey());
  const config = {
    payer: payerAuthorizer.address,
    payerAuthorizer: payerAuthorizer.address,
    receiver: privateKeyToAccount(generatePrivateKey()).address,
    receiverAuthorizer: privateKeyToAccount(generatePrivateKey()).address,
    token: canonicalEscrowAddresses.depositCollector as Hex, // any address: only hashed
    withdrawDelay: 86_400,
    salt: keccak256(toBytes("bench")),
  };
  const channelId = computeChannelId(config, NETWORK) as Hex;
  // Cumulative vouchers on one channel, as a session signs them.
  const vouchers = await Promise.all(
    Array.from({ length: samples }, async (_, i) => {
      const maxClaimableAmount = BigInt(1_000 * (i + 1));
      const signature = await payerAuthorizer.signTypedData({
        domain,
        types: voucherTypes,
        primaryType: "Voucher",
        message: { channelId, maxClaimableAmount },
      });
      return { channelId, maxClaimableAmount: maxClaimableAmount.toString(), signature };
    }),
  );

  // 1. The product's path: the SDK's verifyLocalVoucherSignature (viem verifyTypedData: EIP-712 hash, public key
  //    recovery, address compare), exactly as @x402/evm/batch-settlement/server calls it.
  const sdkSignature = (i: number) => {
    const v = vouchers[i] as (typeof vouchers)[number];
    return verifyTypedData({
      address: getAddress(config.payerAuthorizer),
      domain,
      types: voucherTypes,
      primaryType: "Voucher",
      message: { channelId: v.channelId, maxClaimableAmount: BigInt(v.maxClaimableAmount) },
      signature: v.signature,
    });
  };
  const sdk = await rate(samples, sdkSignature, ms);
  // 2. What verifyVoucherLocally does per voucher: the channel id recomputed from the config, then the signature.
  const sdkFull = await rate(
    samples,
    async (i) => computeChannelId(config, NETWORK).toLowerCase() === channelId.toLowerCase() && (await sdkSignature(i)),
    ms,
  );
  // Where the SDK path's time goes.
  const hashOnly = await rate(
    samples,
    (i) => {
      const v = vouchers[i] as (typeof vouchers)[number];
      return (
        hashTypedData({
          domain,
          types: voucherTypes,
          primaryType: "Voucher",
          message: { channelId: v.channelId, maxClaimableAmount: BigInt(v.maxClaimableAmount) },
        }).length === 66
      );
    },
    ms,
  );

  // 3. Alternative (not in the product): the domain separator and type hash computed once; the digest by two
  //    keccak calls; the payer authorizer's public key recovered ONCE per channel, then cached with a
  //    precomputed window table, and each voucher checked with the plain ECDSA equation (u1·G + u2·Q).x = r,
  //    low-s enforced (as the escrow's ECDSA does). No recovery (no square root) per voucher.
  const typeHash = keccak_256(toBytes("Voucher(bytes32 channelId,uint128 maxClaimableAmount)"));
  const domainSeparator = hexToBytes(
    keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }, { type: "address" }],
        [
          keccak256(toBytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
          keccak256(toBytes(domain.name)),
          keccak256(toBytes(domain.version)),
          BigInt(CHAIN_ID),
          domain.verifyingContract,
        ],
      ),
    ),
  );
  const prefix = concatBytes([new Uint8Array([0x19, 0x01]), domainSeparator]);
  const channelBytes = new Map<string, Uint8Array>();
  const digestOf = (id: Hex, amount: bigint) => {
    let idBytes = channelBytes.get(id);
    if (!idBytes) {
      idBytes = hexToBytes(id);
      channelBytes.set(id, idBytes);
    }
    const struct = new Uint8Array(96);
    struct.set(typeHash, 0);
    struct.set(idBytes, 32);
    for (let k = 95, a = amount; a > 0n; k--, a >>= 8n) struct[k] = Number(a & 0xffn);
    const outer = new Uint8Array(66);
    outer.set(prefix, 0);
    outer.set(keccak_256(struct), 34);
    return keccak_256(outer);
  };
  const first = vouchers[0] as (typeof vouchers)[number];
  const firstDigest = digestOf(first.channelId, BigInt(first.maxClaimableAmount));
  const viemDigest = hashTypedData({
    domain,
    types: voucherTypes,
    primaryType: "Voucher",
    message: { channelId: first.channelId, maxClaimableAmount: BigInt(first.maxClaimableAmount) },
  });
  if (Buffer.from(firstDigest).toString("hex") !== viemDigest.slice(2)) throw new Error("fast digest differs");
  const N = secp256k1.CURVE.n;
  const G = secp256k1.ProjectivePoint.BASE;
  type Point = typeof G;
  const keys = new Map<string, Point>();
  const keyOf = async (id: Hex, digest: Uint8Array, signature: Hex) => {
    let key = keys.get(id);
    if (!key) {
      // Once per channel: recover, check it is the configured payer authorizer, keep the point with its table.
      const pub = await recoverPublicKey({ hash: digest, signature });
      const address = getAddress(`0x${keccak256(`0x${pub.slice(4)}`).slice(-40)}`);
      if (address !== getAddress(config.payerAuthorizer)) throw new Error("not the payer authorizer");
      key = secp256k1.ProjectivePoint.fromHex(pub.slice(2));
      secp256k1.utils.precompute(8, key);
      keys.set(id, key);
    }
    return key;
  };
  await keyOf(first.channelId, firstDigest, first.signature);
  const parsed = vouchers.map((v) => ({
    ...v,
    r: BigInt(`0x${v.signature.slice(2, 66)}`),
    s: BigInt(`0x${v.signature.slice(66, 130)}`),
  }));
  const fastCheck = (i: number) => {
    const v = parsed[i] as (typeof parsed)[number];
    const key = keys.get(v.channelId) as Point;
    const { r, s } = v;
    if (r <= 0n || r >= N || s <= 0n || s > N >> 1n) return false;
    const h = mod(BigInt(`0x${Buffer.from(digestOf(v.channelId, BigInt(v.maxClaimableAmount))).toString("hex")}`), N);
    const w = invert(s, N);
    // multiply (not multiplyUnsafe) on both tables: noble 1.9.1's multiplyUnsafe on a point with its own
    // precomputed table gives a wrong product on this curve (checked below with a forged voucher too).
    const R = G.multiply(mod(h * w, N)).add(key.multiply(mod(r * w, N)));
    return !R.equals(secp256k1.ProjectivePoint.ZERO) && mod(R.toAffine().x, N) === r;
  };
  // A forged voucher must fail.
  if (fastCheck(0) !== true) throw new Error("fast check rejects a good voucher");
  const forged = { ...(parsed[0] as (typeof parsed)[number]), maxClaimableAmount: "999999999" };
  parsed.push(forged);
  if (fastCheck(parsed.length - 1) !== false) throw new Error("fast check accepts a forged voucher");
  parsed.pop();
  const fast = await rate(samples, fastCheck, ms);
  const fastDigestOnly = await rate(
    samples,
    (i) => digestOf((parsed[i] as (typeof parsed)[number]).channelId, BigInt(i + 1)).length === 32,
    ms,
  );

  // 4. Bound (not a voucher check): OpenSSL's secp256k1 ECDSA verify through node:crypto. node:crypto has no
  //    verify of a pre-hashed digest (it always hashes its input first: SHA-256 here), so it cannot check an
  //    EIP-712 voucher signature; this is what native ECDSA on this curve costs on this core.
  const ec = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const message = Buffer.from(firstDigest);
  const opensslSig = opensslSign("sha256", message, { key: ec.privateKey, dsaEncoding: "ieee-p1363" });
  const openssl = await rate(
    1,
    () => opensslVerify("sha256", message, { key: ec.publicKey, dsaEncoding: "ieee-p1363" }, opensslSig),
    ms,
  );

  return {
    method: `single thread, ${samples} distinct cumulative vouchers of one channel, ~${ms} ms per row, every check asserted true`,
    sdkVerifyTypedData: {
      ...sdk,
      what: "the product's path: @x402/evm batch-settlement server verifyLocalVoucherSignature = viem verifyTypedData (EIP-712 hash + secp256k1 recovery + address compare)",
    },
    sdkVerifyVoucherLocally: {
      ...sdkFull,
      what: "per voucher as verifyVoucherLocally runs: computeChannelId(config) + verifyTypedData",
    },
    breakdown: {
      viemHashTypedDataPerSecond: hashOnly.perSecond,
      viemHashTypedDataUs: hashOnly.usPerVoucher,
      fastDigestPerSecond: fastDigestOnly.perSecond,
      fastDigestUs: fastDigestOnly.usPerVoucher,
    },
    alternativeNotInProduct: {
      cachedKeyNoble: {
        ...fast,
        what: "ALTERNATIVE, not wired in: precomputed domain separator + 2 keccak, payer authorizer public key recovered once per channel and cached with a precomputed window table, plain ECDSA verify u1·G + u2·Q (noble, the library viem uses), low-s",
      },
      opensslEcdsaBound: {
        ...openssl,
        what: "BOUND, not a voucher check: node:crypto OpenSSL secp256k1 ECDSA verify (SHA-256 of the input; node:crypto cannot verify a pre-hashed EIP-712 digest)",
      },
    },
  };
}
