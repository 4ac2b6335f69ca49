// The one definition of what a node signs when a lease closes. Node and client build the EIP-712 message from
// the receipt's JSON with this function, so a verifier needs nothing but the receipt itself.
import { type Hex, isAddressEqual, recoverTypedDataAddress, zeroAddress, zeroHash } from "viem";
import type { UsageReceipt } from "./lease.ts";

/** Not the x402 extension's "x402 receipt": that one is per payment, this one is per lease. */
// Version 2 signs each payment's megabytes.
export const USAGE_RECEIPT_DOMAIN = { name: "wg402 usage receipt", version: "2" } as const;

export const usageReceiptTypes = {
  UsageReceipt: [
    { name: "leaseId", type: "string" },
    { name: "state", type: "string" },
    { name: "payer", type: "address" },
    { name: "node", type: "string" },
    { name: "startedAt", type: "uint256" },
    { name: "endedAt", type: "uint256" },
    { name: "secondsUsed", type: "uint256" },
    { name: "bytesUp", type: "uint256" },
    { name: "bytesDown", type: "uint256" },
    { name: "totalPaid", type: "uint256" },
    { name: "payments", type: "Payment[]" },
    { name: "channel", type: "Channel[]" },
  ],
  Payment: [
    { name: "scheme", type: "string" },
    { name: "network", type: "string" },
    { name: "payer", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "minutes", type: "uint256" },
    { name: "megabytes", type: "uint256" },
    { name: "txHash", type: "bytes32" },
    { name: "paidAt", type: "uint256" },
  ],
  Channel: [
    { name: "channelId", type: "bytes32" },
    { name: "charged", type: "uint256" },
    { name: "chargedTotal", type: "uint256" },
  ],
} as const;

/**
 * The EIP-712 typed data of a usage receipt (its `proof` left out). EIP-712 has no optional fields, so an
 * absent payer or tx hash signs as zero, an absent node key as "", and the channel as a list of zero or one;
 * times sign as milliseconds since the epoch, exactly what the ISO strings carry.
 */
export function usageReceiptTypedData(receipt: UsageReceipt, chainId: number) {
  const ms = (iso: string) => BigInt(Date.parse(iso));
  return {
    domain: { ...USAGE_RECEIPT_DOMAIN, chainId },
    types: usageReceiptTypes,
    primaryType: "UsageReceipt",
    message: {
      leaseId: receipt.leaseId,
      state: receipt.state,
      payer: (receipt.payer ?? zeroAddress) as Hex,
      node: receipt.node ?? "",
      startedAt: ms(receipt.startedAt),
      endedAt: ms(receipt.endedAt),
      secondsUsed: BigInt(receipt.secondsUsed),
      bytesUp: BigInt(receipt.bytesUp),
      bytesDown: BigInt(receipt.bytesDown),
      totalPaid: BigInt(receipt.totalPaid),
      payments: receipt.payments.map((p) => ({
        scheme: p.scheme,
        network: p.network,
        payer: p.payer as Hex,
        amount: BigInt(p.amount),
        minutes: BigInt(p.minutes),
        megabytes: BigInt(p.megabytes),
        txHash: (p.txHash ?? zeroHash) as Hex,
        paidAt: ms(p.paidAt),
      })),
      channel: receipt.channel
        ? [
            {
              channelId: receipt.channel.channelId as Hex,
              charged: BigInt(receipt.channel.charged),
              chargedTotal: BigInt(receipt.channel.chargedTotal),
            },
          ]
        : [],
    },
  } as const;
}

/** What signs a receipt: a viem account, or anything with its address and EIP-712 signing. */
export type UsageReceiptSigner = {
  address: Hex;
  signTypedData: (typed: ReturnType<typeof usageReceiptTypedData>) => Promise<Hex>;
};

/** The receipt with its `proof`: `signer`'s EIP-712 signature over its contents (any old proof left out). */
export async function signUsageReceipt(
  receipt: UsageReceipt,
  chainId: number,
  signer: UsageReceiptSigner,
): Promise<UsageReceipt> {
  const { proof: _old, ...unsigned } = receipt;
  const signature = await signer.signTypedData(usageReceiptTypedData(unsigned, chainId));
  return { ...unsigned, proof: { format: "eip712", chainId, signer: signer.address, signature } };
}

export type UsageReceiptVerdict =
  | { valid: true; signer: Hex }
  | { valid: false; reason: "unsigned" | "bad_signature" | "wrong_signer"; signer: Hex | null };

/**
 * Whether the receipt's proof is a signature over its own contents by the signer it names and, when given,
 * by `expectedSigner` (the address the node advertises). Never throws: a receipt is evidence either way.
 */
export async function verifyUsageReceipt(
  receipt: UsageReceipt,
  expectedSigner?: string | null,
): Promise<UsageReceiptVerdict> {
  const { proof } = receipt;
  if (!proof) return { valid: false, reason: "unsigned", signer: null };
  let signer: Hex;
  try {
    signer = await recoverTypedDataAddress({
      ...usageReceiptTypedData(receipt, proof.chainId),
      signature: proof.signature as Hex,
    });
  } catch {
    return { valid: false, reason: "bad_signature", signer: null };
  }
  if (!isAddressEqual(signer, proof.signer as Hex)) return { valid: false, reason: "bad_signature", signer };
  if (expectedSigner && !isAddressEqual(signer, expectedSigner as Hex)) {
    return { valid: false, reason: "wrong_signer", signer };
  }
  return { valid: true, signer };
}
