import { signUsageReceipt, type UsageReceipt } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  byteCheck,
  checkUsageReceipt,
  describeUsageCheck,
  WG_PACKET_OVERHEAD_BYTES,
  WG_SLACK_PACKETS,
} from "./usageCheck.ts";

const node = privateKeyToAccount(generatePrivateKey());
const MB = 1_000_000;

async function receiptOf(bytesUp: number, bytesDown: number): Promise<UsageReceipt> {
  const r: UsageReceipt = {
    leaseId: `lease_${"cd".repeat(16)}`,
    state: "closed",
    payer: node.address,
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:01:40.000Z",
    secondsUsed: 100,
    bytesUp,
    bytesDown,
    totalPaid: "2000",
    payments: [],
  };
  return signUsageReceipt(r, 31337, node);
}
// Our counters, read half a second before the node closed the lease.
const counters = (bytesUp: number, bytesDown: number) => ({
  bytesUp,
  bytesDown,
  readAt: Date.parse("2026-01-01T00:01:39.500Z"),
});

describe("byteCheck: the node's bytes against ours", () => {
  const base = { secondsUsed: 100, meterIntervalSeconds: 10, readingAgeSeconds: 0 };

  it("allows the framing of every packet and the handshakes, even with no time lag at all", () => {
    const check = byteCheck({ ...base, client: 0, node: WG_SLACK_PACKETS * WG_PACKET_OVERHEAD_BYTES });
    expect(check.ok).toBe(true);
    expect(byteCheck({ ...base, client: 0, node: (WG_SLACK_PACKETS + 10) * WG_PACKET_OVERHEAD_BYTES }).ok).toBe(false);
  });

  it("lets the node lag by one meter interval at our average rate, and no more", () => {
    // 10 MB over 100 s is 100 kB/s: one 10 s interval is 1 MB.
    expect(byteCheck({ ...base, client: 10 * MB, node: 9.1 * MB }).ok).toBe(true);
    expect(byteCheck({ ...base, client: 10 * MB, node: 8.5 * MB }).ok).toBe(false);
  });

  it("lets the node count more only for what passed after our reading", () => {
    expect(byteCheck({ ...base, client: 10 * MB, node: 10.05 * MB }).ok).toBe(true);
    expect(byteCheck({ ...base, client: 10 * MB, node: 10.5 * MB }).ok).toBe(false);
    expect(byteCheck({ ...base, readingAgeSeconds: 5, client: 10 * MB, node: 10.5 * MB }).ok).toBe(true);
  });
});

describe("checkUsageReceipt", () => {
  it("passes a signed receipt whose bytes match ours", async () => {
    const check = await checkUsageReceipt(await receiptOf(2 * MB, 5 * MB), {
      signer: node.address,
      counters: counters(2 * MB, 5 * MB - 300),
      meterIntervalSeconds: 10,
    });
    expect(check).toMatchObject({ signature: "valid", signer: node.address, ok: true });
    expect(check.bytes?.up.ok && check.bytes.down.ok).toBe(true);
    expect(describeUsageCheck(check)).toMatch(/bytes match/);
  });

  it("catches a node that under-reports or over-reports, and keeps both figures", async () => {
    const under = await checkUsageReceipt(await receiptOf(1 * MB, 5 * MB), {
      signer: node.address,
      counters: counters(2 * MB, 5 * MB),
    });
    expect(under).toMatchObject({
      signature: "valid",
      ok: false,
      bytes: { up: { ok: false, node: MB, client: 2 * MB } },
    });
    const over = await checkUsageReceipt(await receiptOf(2 * MB, 10 * MB), {
      signer: node.address,
      counters: counters(2 * MB, 5 * MB),
    });
    expect(over).toMatchObject({ ok: false, bytes: { down: { ok: false, node: 10 * MB } } });
    expect(describeUsageCheck(over)).toMatch(/BYTES MISMATCH: down node 10000000 B vs ours 5000000 B/);
  });

  it("fails a tampered receipt, one signed by a stranger, and one from a node that advertises no signer", async () => {
    const good = await receiptOf(MB, MB);
    const tampered = await checkUsageReceipt({ ...good, bytesDown: 2 }, { signer: node.address, counters: null });
    expect(tampered).toMatchObject({ signature: "bad_signature", ok: false });
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    expect(await checkUsageReceipt(good, { signer: stranger, counters: null })).toMatchObject({
      signature: "wrong_signer",
      ok: false,
    });
    expect(await checkUsageReceipt(good, { signer: undefined, counters: null })).toMatchObject({
      signature: "unbound",
      ok: false,
    });
  });

  it("without counters of our own checks the signature alone and says so", async () => {
    const check = await checkUsageReceipt(await receiptOf(MB, MB), { signer: node.address, counters: null });
    expect(check).toMatchObject({ ok: true, bytes: null });
    expect(describeUsageCheck(check)).toMatch(/bytes not checked/);
  });
});
