// A settled payment is public calldata: anyone can present it again, to any resource server, with
// requirements of their choosing. It must only ever answer for its own. Real chain, SDK-signed payments.
import { deployToken } from "@wg402/contracts";
import { chains, x402TestUSDAbi } from "@wg402/shared";
import type { PaymentPayload } from "@x402/core/types";
import { createWalletClient, type Hex, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Facilitator } from "./buildFacilitator.ts";
import { type FacilitatorHarness, startFacilitatorHarness } from "./testing/facilitatorHarness.ts";
import { signExactPayment } from "./testing/signExactPayment.ts";

let h: FacilitatorHarness;
let facilitator: Facilitator;

beforeAll(async () => {
  h = await startFacilitatorHarness();
  facilitator = h.build();
});

afterAll(async () => {
  await h?.stop();
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a settled payment only answers for its own requirements", () => {
  let payment: PaymentPayload;
  let settled: SettleBody;
  type SettleBody = { success: boolean; transaction: string; errorReason?: string };

  beforeAll(async () => {
    payment = await h.sdkPayment();
    settled = (await h.post(facilitator.app, "/settle", payment).expect(200)).body;
    expect(settled.success).toBe(true);
  });

  // What a resource server that only calls /settle would be handed: someone else's public payment.
  it.each([
    ["a different amount", { amount: "1" }, "invalid_exact_evm_payload_authorization_value_mismatch"],
    ["a higher amount", { amount: "15000000" }, "invalid_exact_evm_payload_authorization_value_mismatch"],
    [
      "a different payTo",
      { payTo: "0x000000000000000000000000000000000000dEaD" },
      "invalid_exact_evm_recipient_mismatch",
    ],
    ["a different asset", { asset: "0x000000000000000000000000000000000000bEEF" }, "invalid_exact_evm_signature"],
  ])("refuses the cached success re-posted with %s", async (_name, change, reason) => {
    const nonceBefore = await h.signerNonce();
    const other = { ...h.requirements, ...change };
    const res = await h.post(facilitator.app, "/settle", payment, other).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: reason });
    expect(res.body.transaction).not.toBe(settled.transaction);
    // The same payload rebuilt to claim the new requirements as its own is refused all the same.
    const rebuilt = await h.post(facilitator.app, "/settle", { ...payment, accepted: other }, other).expect(200);
    expect(rebuilt.body).toMatchObject({ success: false, errorReason: reason });
    expect(await h.signerNonce()).toBe(nonceBefore);
  });

  it("refuses it for a genuine second token of the same EIP-712 name, where the payer holds funds", async () => {
    const deployer = createWalletClient({
      chain: chains.local.viem,
      transport: http(h.chain.rpcUrl),
      account: privateKeyToAccount(h.chain.stack.accounts.deployer.privateKey as Hex),
    });
    const twin = await deployToken({ wallet: deployer, publicClient: h.publicClient });
    const mint = await deployer.writeContract({
      address: twin.address,
      abi: x402TestUSDAbi,
      functionName: "mint",
      args: [h.payer.address, 10_000_000n],
    });
    await h.publicClient.waitForTransactionReceipt({ hash: mint });
    const other = { ...h.requirements, asset: twin.address };
    const res = await h.post(facilitator.app, "/settle", { ...payment, accepted: other }, other).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "invalid_exact_evm_signature" });
    expect(await h.balanceOf(h.payer.address, twin.address)).toBe(10_000_000n);
  });

  it("still answers the genuine replay from the ledger", async () => {
    const res = await h.post(facilitator.app, "/settle", payment).expect(200);
    expect(res.body).toEqual(settled);
  });

  it("refuses an authorization another relayer spent when the requirements differ", async () => {
    const spent = await h.sdkPayment();
    const relayer = h.build({}, "another-relayer.sqlite");
    expect((await h.post(relayer.app, "/settle", spent).expect(200)).body.success).toBe(true);
    const nonceBefore = await h.signerNonce();

    const cheaper = await h.post(facilitator.app, "/settle", spent, { ...h.requirements, amount: "1000" }).expect(200);
    expect(cheaper.body).toMatchObject({
      success: false,
      errorReason: "invalid_exact_evm_payload_authorization_value_mismatch",
    });
    const elsewhere = await h
      .post(facilitator.app, "/settle", spent, { ...h.requirements, payTo: h.stranger() })
      .expect(200);
    expect(elsewhere.body).toMatchObject({ success: false, errorReason: "invalid_exact_evm_recipient_mismatch" });
    expect(facilitator.ledger.get(h.ledgerKey(spent))).toBeUndefined();
    expect(await h.signerNonce()).toBe(nonceBefore);
  });

  it("refuses an authorization another relayer spent when presented with a junk signature", async () => {
    const spent = await h.sdkPayment();
    const relayer = h.build({}, "another-relayer-2.sqlite");
    const settledThere = (await h.post(relayer.app, "/settle", spent).expect(200)).body;
    expect(settledThere.success).toBe(true);
    const forged = await signExactPayment({
      account: privateKeyToAccount(generatePrivateKey()),
      requirements: h.requirements,
    });
    const junk = {
      ...spent,
      payload: { ...spent.payload, signature: (forged.payload as { signature: Hex }).signature },
    };
    const res = await h.post(facilitator.app, "/settle", junk).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "invalid_exact_evm_signature" });
    expect(facilitator.ledger.get(h.ledgerKey(spent))).toBeUndefined();
    // Nothing was recorded for the junk, so the genuine payment is still recognised.
    const genuine = await h.post(facilitator.app, "/settle", spent).expect(200);
    expect(genuine.body).toMatchObject({ success: true, transaction: settledThere.transaction });
  });

  it("refuses a concurrent settle of an in-flight payment with different requirements", async () => {
    const inflight = await h.sdkPayment();
    const toBefore = await h.balanceOf(h.payTo);
    const nonceBefore = await h.signerNonce();
    await h.rpc("evm_setAutomine", [false]);
    try {
      const genuine = h.post(facilitator.app, "/settle", inflight).then((r) => r);
      // Broadcast and waiting for its receipt: the settlement is in flight until a block is mined.
      await waitFor(() => facilitator.ledger.get(h.ledgerKey(inflight))?.status === "submitted");
      const cheaper = h.post(facilitator.app, "/settle", inflight, { ...h.requirements, amount: "1" }).then((r) => r);
      const elsewhere = h
        .post(facilitator.app, "/settle", inflight, { ...h.requirements, payTo: h.stranger() })
        .then((r) => r);
      const sameAgain = h.post(facilitator.app, "/settle", inflight).then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await h.rpc("evm_mine");
      const [g, c, e, s] = await Promise.all([genuine, cheaper, elsewhere, sameAgain]);
      expect(g.body.success).toBe(true);
      expect(c.body).toMatchObject({
        success: false,
        errorReason: "invalid_exact_evm_payload_authorization_value_mismatch",
      });
      expect(e.body).toMatchObject({ success: false, errorReason: "invalid_exact_evm_recipient_mismatch" });
      expect(s.body).toEqual(g.body);
    } finally {
      await h.rpc("evm_setAutomine", [true]);
    }
    expect(await h.balanceOf(h.payTo)).toBe(toBefore + 1_500_000n);
    expect(await h.signerNonce()).toBe(nonceBefore + 1);
  });
});
