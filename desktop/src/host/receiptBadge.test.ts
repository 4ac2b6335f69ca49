// History's badge and the receipts export, on receipts signed here with a throwaway node key and kept in a
// real ReceiptStore: the signature is checked again (a receipt edited after it was kept fails), the bytes
// verdict is the core's from the close.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkUsageReceipt,
  type ReceiptEntry,
  ReceiptStore,
  type SessionRecord,
  type UsageReceiptEntry,
} from "@wg402/client";
import { signUsageReceipt, type UsageReceipt, verifyUsageReceipt } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { commands } from "../api/commands.ts";
import { historyEntries } from "./historyEntryView.ts";
import { badgesFor, readKeptReceipts, receiptBadge } from "./receiptBadge.ts";
import { exportReceipts } from "./receiptsExport.ts";

const node = privateKeyToAccount(generatePrivateKey());
const other = privateKeyToAccount(generatePrivateKey());
const LEASE = `lease_${"ab".repeat(16)}`;
const MB = 1_000_000;

async function signed(bytesUp: number, bytesDown: number, by = node, leaseId = LEASE): Promise<UsageReceipt> {
  const r: UsageReceipt = {
    leaseId,
    state: "closed",
    payer: other.address,
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:01:40.000Z",
    secondsUsed: 100,
    bytesUp,
    bytesDown,
    totalPaid: "2000",
    payments: [],
  };
  return signUsageReceipt(r, 31337, by);
}

/** A usage entry as LeaseReceipts keeps it: checked by the core against `counters` (null: export driver). */
async function kept(
  receipt: UsageReceipt,
  counters: { bytesUp: number; bytesDown: number } | null,
  expectedSigner: string | null = node.address,
): Promise<UsageReceiptEntry> {
  const check = await checkUsageReceipt(receipt, {
    signer: expectedSigner,
    counters: counters && { ...counters, readAt: Date.parse("2026-01-01T00:01:39.500Z") },
  });
  return {
    kind: "usage",
    savedAt: "2026-01-01T00:01:41.000Z",
    nodeUrl: "http://127.0.0.1:4021",
    leaseId: receipt.leaseId,
    expectedSigner,
    receipt,
    check,
  };
}

describe("receiptBadge", () => {
  it("verified: signed by the advertised signer, bytes within tolerance of this device's counters", async () => {
    const badge = await receiptBadge([
      await kept(await signed(10 * MB, 20 * MB), { bytesUp: 10 * MB, bytesDown: 20 * MB }),
    ]);
    expect(badge).toMatchObject({ status: "verified", signer: node.address, kept: 1 });
    expect(badge.bytes?.up).toMatchObject({ node: 10 * MB, client: 10 * MB, ok: true });
    expect(badge.detail).toBe(`Receipt signed by ${node.address}; bytes match our counters.`);
  });

  it("verified with the bytes unchecked when this device had no counters (export driver)", async () => {
    const badge = await receiptBadge([await kept(await signed(1_000, 2_000), null)]);
    expect(badge).toMatchObject({ status: "verified", bytes: null });
    expect(badge.detail).toContain("bytes not checked");
  });

  it("bytes mismatch: signed, but the node counted far more than this device, with the numbers", async () => {
    const badge = await receiptBadge([
      await kept(await signed(15 * MB, 20 * MB), { bytesUp: 10 * MB, bytesDown: 20 * MB }),
    ]);
    expect(badge.status).toBe("bytes_mismatch");
    expect(badge.bytes?.up).toMatchObject({ node: 15 * MB, client: 10 * MB, ok: false });
    expect(badge.bytes?.down.ok).toBe(true);
    expect(badge.detail).toContain(`up node ${15 * MB} B vs ours ${10 * MB} B`);
  });

  it("signature invalid: a receipt edited after it was kept, though its check at the close passed", async () => {
    const entry = await kept(await signed(1_000, 2_000), null);
    expect(entry.check.ok).toBe(true);
    const tampered = { ...entry, receipt: { ...entry.receipt, bytesUp: 1 } };
    const badge = await receiptBadge([tampered]);
    expect(badge.status).toBe("signature_invalid");
    expect(badge.detail).toContain("signature bad signature");
  });

  it("signature invalid: signed by a key that is not the node's advertised signer, or with none advertised", async () => {
    expect((await receiptBadge([await kept(await signed(1, 2, other), null)])).status).toBe("signature_invalid");
    const unbound = await receiptBadge([await kept(await signed(1, 2), null, null)]);
    expect(unbound).toMatchObject({ status: "signature_invalid", signer: node.address });
  });

  it("a bad signature outranks a bytes mismatch: the figures are nobody's word", async () => {
    const entry = await kept(await signed(15 * MB, 20 * MB), { bytesUp: 10 * MB, bytesDown: 20 * MB });
    const badge = await receiptBadge([{ ...entry, receipt: { ...entry.receipt, bytesDown: 1 } }]);
    expect(badge.status).toBe("signature_invalid");
    expect(badge.bytes?.up.ok).toBe(false);
  });

  it("no signed receipt: none kept, only a payment kept, or the node's receipt carries no signature", async () => {
    expect(await receiptBadge([])).toMatchObject({ status: "none", kept: 0 });
    expect((await receiptBadge([payment()])).status).toBe("none");
    const { proof: _, ...unsigned } = await signed(1, 2);
    expect((await receiptBadge([await kept(unsigned, null)])).status).toBe("none");
  });

  it("the last usage receipt of a lease decides", async () => {
    const bad = await kept(await signed(1, 2, other), null);
    const good = await kept(await signed(1, 2), null);
    expect((await receiptBadge([bad, payment(), good])).status).toBe("verified");
    expect((await receiptBadge([good, bad])).status).toBe("signature_invalid");
  });
});

describe("the receipt store behind History and the export", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-receipt-badge-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("matches History's rows to their receipts by lease id", async () => {
    const store = new ReceiptStore(dir);
    const otherLease = `lease_${"cd".repeat(16)}`;
    await store.add(payment());
    await store.add(await kept(await signed(1, 2), null));
    const entries = await historyEntries([record(LEASE), record(otherLease)], {}, store);
    expect(entries.map((e) => [e.leaseId, e.receipt.status, e.receipt.kept])).toEqual([
      [LEASE, "verified", 2],
      [otherLease, "none", 0],
    ]);
  });

  it("a damaged receipt file leaves History listed, every badge saying so; the export refuses", async () => {
    const store = new ReceiptStore(dir);
    await writeFile(store.path, "{not json\n");
    const [badge] = await badgesFor([LEASE], await readKeptReceipts(store));
    expect(badge).toMatchObject({ status: "unreadable" });
    expect(badge?.detail).toContain("line 1 is not a receipt entry");
    await expect(exportReceipts(store, undefined)).rejects.toThrow("line 1 is not a receipt entry");
  });

  it("exports all receipts or one lease's, as kept, each checked again; the usage receipt still verifies", async () => {
    const store = new ReceiptStore(dir);
    const otherLease = `lease_${"cd".repeat(16)}`;
    await store.add(payment());
    await store.add(await kept(await signed(1, 2), null));
    await store.add(await kept(await signed(3, 4, other, otherLease), null));
    const now = new Date("2026-01-02T03:04:05.000Z");
    const all = await exportReceipts(store, undefined, now);
    expect(all).toMatchObject({ count: 3, leaseId: null, fileName: "wg402-receipts-2026-01-02T03-04-05.json" });
    const body = JSON.parse(all.json);
    expect(body).toMatchObject({ exportedAt: now.toISOString(), verifiedCount: 1, failed: 2 });
    expect(body.receipts.map((r: { verified: { valid: boolean } }) => r.verified.valid)).toEqual([false, true, false]);
    expect(body.receipts[0].verified.problem).toBe("the node sent no receipt");

    const one = await exportReceipts(store, LEASE, now);
    expect(one).toMatchObject({ count: 2, leaseId: LEASE, fileName: `wg402-receipts-${LEASE}.json` });
    const usage = JSON.parse(one.json).receipts.find((r: ReceiptEntry) => r.kind === "usage");
    expect(await verifyUsageReceipt(usage.receipt, node.address)).toEqual({ valid: true, signer: node.address });
  });

  it("the command takes nothing (all) or a lease id, never a path to read", () => {
    const input = commands["receipts.export"].input;
    expect(input.safeParse(undefined).success).toBe(true);
    expect(input.safeParse(null).success).toBe(true);
    expect(input.safeParse({ leaseId: LEASE }).success).toBe(true);
    expect(input.safeParse({ leaseId: "../wallet.json" }).success).toBe(false);
    expect(input.safeParse({ leaseId: LEASE, path: "/etc/passwd" }).success).toBe(false);
  });
});

function payment(): ReceiptEntry {
  return {
    kind: "payment",
    savedAt: "2026-01-01T00:00:01.000Z",
    nodeUrl: "http://127.0.0.1:4021",
    leaseId: LEASE,
    expectedSigner: node.address,
    scheme: "exact",
    amount: "2000",
    txHash: null,
    payer: other.address,
    offer: null,
    receipt: null,
    verdict: null,
  };
}

function record(leaseId: string): SessionRecord {
  return {
    leaseId,
    nodeUrl: "http://127.0.0.1:4021",
    nodeName: "Test node",
    region: "DE",
    network: "eip155:31337",
    token: { symbol: "tUSD", decimals: 6 },
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:01:40.000Z",
    secondsUsed: 100,
    bytesUp: 1,
    bytesDown: 2,
    totalPaid: "2000",
    payments: [],
    endCause: "closed",
  };
}
