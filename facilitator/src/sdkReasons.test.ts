// The reason codes the facilitator answers with in the SDK's name must be the SDK's: drive the SDK's own
// `exact` facilitator scheme into each refusal and compare.
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import type { FacilitatorEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { SdkReason } from "./sdkReasons.ts";
import { signExactPayment } from "./testing/signExactPayment.ts";

const account = privateKeyToAccount(generatePrivateKey());
const requirements: PaymentRequirements = {
  scheme: "exact",
  network: "eip155:31337",
  asset: privateKeyToAccount(generatePrivateKey()).address,
  amount: "1000",
  payTo: privateKeyToAccount(generatePrivateKey()).address,
  maxTimeoutSeconds: 120,
  extra: { name: "Token", version: "2" },
};

// Enough of a chain for verification to reach each check: the payer is an EOA, whose signature the SDK
// checks locally. Nothing here is ever sent.
const signer: FacilitatorEvmSigner = {
  getAddresses: () => [account.address],
  readContract: async () => {
    throw new Error("not on a chain");
  },
  verifyTypedData: async () => {
    throw new Error("not on a chain");
  },
  writeContract: async () => {
    throw new Error("not on a chain");
  },
  sendTransaction: async () => {
    throw new Error("not on a chain");
  },
  waitForTransactionReceipt: async () => {
    throw new Error("not on a chain");
  },
  getCode: async () => "0x",
};

const verify = async (payload: PaymentPayload, reqs = requirements) =>
  (await new ExactEvmScheme(signer).verify(payload, reqs)).invalidReason;

describe("SdkReason", () => {
  it("names the SDK's refusals exactly as the SDK does", async () => {
    const payment = await signExactPayment({ account, requirements });
    expect(await verify(payment, { ...requirements, network: "eip155:1" })).toBe(SdkReason.network_mismatch);
    const forged = await signExactPayment({ account: privateKeyToAccount(generatePrivateKey()), requirements });
    const mixed = { ...payment, payload: { ...payment.payload, signature: forged.payload.signature } };
    expect(await verify(mixed)).toBe(SdkReason.invalid_signature);
    expect(await verify(payment, { ...requirements, extra: {} })).toBe(SdkReason.missing_eip712_domain);
    expect(await verify(await signExactPayment({ account, requirements, to: account.address }))).toBe(
      SdkReason.recipient_mismatch,
    );
    expect(await verify(await signExactPayment({ account, requirements, value: 1n }))).toBe(SdkReason.value_mismatch);
  });
});
