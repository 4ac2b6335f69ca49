import { ErrorCode } from "@wg402/shared";
import type { PaymentRequired, PaymentRequirements } from "@x402/core/types";
import { createOfferEIP712 } from "@x402/extensions/offer-receipt";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { checkOffer } from "./offerCheck.ts";

const node = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());
const requirement: PaymentRequirements = {
  scheme: "exact",
  network: "eip155:31337",
  asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  amount: "3000",
  maxTimeoutSeconds: 120,
  extra: {},
};

async function paymentRequired(signer = node, terms: Partial<PaymentRequirements> = {}): Promise<PaymentRequired> {
  const offer = await createOfferEIP712(
    "http://127.0.0.1:4021/lease",
    { acceptIndex: 0, ...requirement, ...terms, offerValiditySeconds: 120 },
    (typed) => signer.signTypedData(typed as never),
  );
  return {
    x402Version: 2,
    resource: { url: "http://127.0.0.1:4021/lease" },
    accepts: [requirement],
    extensions: { "offer-receipt": { info: { offers: [offer] } } },
  } as PaymentRequired;
}
const unsignedRequired = { x402Version: 2, resource: { url: "x" }, accepts: [requirement] } as PaymentRequired;

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: { code?: string }) => error.code,
  );

describe("checkOffer", () => {
  it("accepts an offer for the very terms asked, signed by the advertised signer", async () => {
    const verdict = await checkOffer(await paymentRequired(), requirement, {
      signer: node.address,
      requireSigned: true,
    });
    expect(verdict).toMatchObject({ signed: true, signer: node.address });
  });

  it("always refuses an offer signed by another key than the advertised one", async () => {
    for (const requireSigned of [true, false]) {
      expect(
        await codeOf(checkOffer(await paymentRequired(stranger), requirement, { signer: node.address, requireSigned })),
      ).toBe(ErrorCode.offer_invalid);
    }
  });

  it("always refuses a 402 whose terms differ from the signed offer (an altered requirement)", async () => {
    const altered = { ...requirement, payTo: stranger.address };
    const required = await paymentRequired();
    expect(await codeOf(checkOffer(required, altered, { signer: node.address, requireSigned: false }))).toBe(
      ErrorCode.offer_invalid,
    );
  });

  it("always refuses a signature that does not verify", async () => {
    const required = await paymentRequired();
    const extensions = required.extensions as { "offer-receipt": { info: { offers: { signature: string }[] } } };
    for (const offer of extensions["offer-receipt"].info.offers) offer.signature = `0x${"00".repeat(65)}`;
    expect(await codeOf(checkOffer(required, requirement, { signer: node.address, requireSigned: false }))).toBe(
      ErrorCode.offer_invalid,
    );
  });

  it("refuses an unsigned 402, or a signer the node does not advertise, only when signing is required", async () => {
    expect(await codeOf(checkOffer(unsignedRequired, requirement, { signer: node.address, requireSigned: true }))).toBe(
      ErrorCode.offer_unsigned,
    );
    expect(
      await checkOffer(unsignedRequired, requirement, { signer: node.address, requireSigned: false }),
    ).toMatchObject({
      signed: false,
    });
    const required = await paymentRequired();
    expect(await codeOf(checkOffer(required, requirement, { signer: undefined, requireSigned: true }))).toBe(
      ErrorCode.offer_unsigned,
    );
    expect(await checkOffer(required, requirement, { signer: undefined, requireSigned: false })).toMatchObject({
      signed: false,
    });
  });
});
