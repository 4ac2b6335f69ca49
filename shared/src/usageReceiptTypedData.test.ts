import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { UsageReceipt } from "./lease.ts";
import { signUsageReceipt, verifyUsageReceipt } from "./usageReceiptTypedData.ts";

const node = privateKeyToAccount(generatePrivateKey());
const payer = privateKeyToAccount(generatePrivateKey()).address;

const receipt: UsageReceipt = {
  leaseId: `lease_${"ab".repeat(16)}`,
  state: "closed",
  payer,
  startedAt: "2026-01-01T00:00:00.123Z",
  endedAt: "2026-01-01T00:05:00.456Z",
  secondsUsed: 300,
  bytesUp: 123_456,
  bytesDown: 7_890_123,
  totalPaid: "5000",
  payments: [
    {
      scheme: "exact",
      network: "eip155:31337",
      payer,
      amount: "5000",
      minutes: 5,
      megabytes: 0,
      txHash: `0x${"12".repeat(32)}`,
      paidAt: "2026-01-01T00:00:00.000Z",
    },
  ],
  channel: { channelId: `0x${"34".repeat(32)}`, charged: "4000", chargedTotal: "9000" },
  node: `${"A".repeat(43)}=`,
};

const signed = (r: UsageReceipt, chainId = 31337) => signUsageReceipt(r, chainId, node);

describe("the usage receipt's EIP-712 proof", () => {
  it("verifies against the node's signer", async () => {
    expect(await verifyUsageReceipt(await signed(receipt), node.address)).toEqual({
      valid: true,
      signer: node.address,
    });
  });

  it("fails when any signed field is changed afterwards", async () => {
    const good = await signed(receipt);
    const tampered: UsageReceipt[] = [
      { ...good, bytesDown: good.bytesDown - 1 },
      { ...good, bytesUp: good.bytesUp * 2 },
      { ...good, secondsUsed: 299 },
      { ...good, totalPaid: "5001" },
      { ...good, endedAt: "2026-01-01T00:05:00.457Z" },
      { ...good, channel: { channelId: `0x${"34".repeat(32)}`, charged: "3999", chargedTotal: "9000" } },
      { ...good, payments: receipt.payments.map((payment) => ({ ...payment, txHash: null })) },
      { ...good, node: `${"B".repeat(43)}=` },
    ];
    for (const r of tampered) {
      expect(await verifyUsageReceipt(r, node.address)).toMatchObject({ valid: false, reason: "bad_signature" });
    }
  });

  it("binds the chain: the same proof on another chain's domain does not verify", async () => {
    const good = await signed(receipt);
    const moved = { ...good, proof: good.proof && { ...good.proof, chainId: 8453 } };
    expect(await verifyUsageReceipt(moved, node.address)).toMatchObject({ valid: false, reason: "bad_signature" });
  });

  it("names a receipt signed by another key than the advertised one, and one without a proof", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    expect(await verifyUsageReceipt(await signed(receipt), stranger)).toMatchObject({
      valid: false,
      reason: "wrong_signer",
      signer: node.address,
    });
    expect(await verifyUsageReceipt(receipt, node.address)).toEqual({ valid: false, reason: "unsigned", signer: null });
  });

  it("signs absent fields as zero values, so a receipt without payer, tx or channel still verifies", async () => {
    const bare: UsageReceipt = { ...receipt, payer: null, channel: undefined, node: undefined, payments: [] };
    expect((await verifyUsageReceipt(await signed(bare), node.address)).valid).toBe(true);
  });
});
