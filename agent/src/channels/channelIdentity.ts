import { Bytes32Hex, HexSignature, PayloadAddress, type PaymentIdentity, Uint256String } from "@wg402/shared";
import { getAddress, sha256, stringToHex } from "viem";
import { z } from "zod";

/** The `ChannelConfig` a batch-settlement payload names its channel by. */
const ChannelConfigFields = z.object({
  payer: PayloadAddress,
  payerAuthorizer: PayloadAddress,
  receiver: PayloadAddress,
  receiverAuthorizer: PayloadAddress,
  token: PayloadAddress,
  withdrawDelay: z
    .number()
    .int()
    .min(0)
    .max(2 ** 40),
  salt: Bytes32Hex,
});

const VoucherFields = z.object({
  channelId: Bytes32Hex,
  maxClaimableAmount: Uint256String,
  signature: HexSignature,
});

/**
 * The two payloads that buy lease time: the first payment of a channel (an ERC-3009 deposit with its first
 * voucher) and every later one (a voucher alone). Refunds, claims and settles buy nothing here.
 */
export const ChannelPaymentPayload = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("deposit"),
    channelConfig: ChannelConfigFields,
    voucher: VoucherFields,
    deposit: z.object({ amount: Uint256String, authorization: z.record(z.string(), z.unknown()) }),
  }),
  z.object({ type: z.literal("voucher"), channelConfig: ChannelConfigFields, voucher: VoucherFields }),
]);
export type ChannelPaymentPayload = z.infer<typeof ChannelPaymentPayload>;

export const CHANNEL_SCHEME = "batch-settlement";

/**
 * A channel payment's identity. A voucher is cumulative, so (channel, ceiling) names it: a copy of it carries
 * the same pair, and a payer who signs a new one raises the ceiling. `nonce` holds the channel id and
 * `validBefore` is 0 so the payment rows keep one shape; neither means anything to the `exact` resolver, which
 * never sees these rows.
 */
export type ChannelPaymentIdentity = Omit<PaymentIdentity, "scheme"> & {
  scheme: typeof CHANNEL_SCHEME;
  channelId: `0x${string}`;
  maxClaimable: bigint;
  kind: "deposit" | "voucher";
};

export type AgentPaymentIdentity = PaymentIdentity | ChannelPaymentIdentity;

export const isChannelIdentity = (identity: AgentPaymentIdentity): identity is ChannelPaymentIdentity =>
  identity.scheme === CHANNEL_SCHEME;

export type ChannelIdentityResult = { ok: true; identity: ChannelPaymentIdentity } | { ok: false; message: string };

/** Parses a batch-settlement payload by schema and names the payment. Never throws. */
export function channelIdentityOf(
  accepted: { network: string; asset: string },
  payload: unknown,
): ChannelIdentityResult {
  const parsed = ChannelPaymentPayload.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `payload.${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}` };
  }
  const { voucher, channelConfig, type } = parsed.data;
  const channelId = voucher.channelId.toLowerCase() as `0x${string}`;
  const digest = sha256(stringToHex(JSON.stringify([accepted.network, accepted.asset.toLowerCase(), parsed.data])));
  return {
    ok: true,
    identity: {
      scheme: CHANNEL_SCHEME,
      key: `${CHANNEL_SCHEME}:${accepted.network}:${channelId}:${voucher.maxClaimableAmount}`,
      network: accepted.network as PaymentIdentity["network"],
      asset: getAddress(accepted.asset),
      payer: getAddress(channelConfig.payer),
      payTo: getAddress(channelConfig.receiver),
      amount: voucher.maxClaimableAmount,
      nonce: channelId,
      validBefore: 0,
      signature: voucher.signature as `0x${string}`,
      digest,
      channelId,
      maxClaimable: BigInt(voucher.maxClaimableAmount),
      kind: type,
    },
  };
}
