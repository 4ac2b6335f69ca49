// Signed offers and receipts across the packages: a real chain, the real facilitator and real agents (on
// FakeDrivers, whose counters the test sets), and the client core's VpnSession on a tunnel driver that counts
// what it "carries". Every offer and receipt verifies; a node whose counters say less or more than the
// client's is caught and kept as evidence; a tampered receipt fails `wg402 receipts --verify`; and
// `wg402 connect --require-signed` pays nothing to a node that signs nothing.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentHarness, type RunningAgent, startAgentHarness } from "@wg402/agent/testing";
import {
  ExitCode,
  openLeaseClient,
  type ReceiptEntry,
  ReceiptStore,
  runCli,
  type SessionClosed,
  type TunnelDriver,
  type TunnelHandle,
  VpnSession,
} from "@wg402/client";
import { verifyUsageReceipt } from "@wg402/shared";
import { type EIP712SignedOffer, verifyOfferSignatureEIP712 } from "@x402/extensions/offer-receipt";
import { privateKeyToAccount } from "viem/accounts";

const MB = 1_000_000;
/** Long enough that one meter interval (1 s) is a small part of the lease's traffic. */
const SESSION_MS = 4_000;

/** A tunnel end that carries nothing but counts what the test says it carried, as WireGuard's counters do. */
class CountingTunnel implements TunnelDriver {
  readonly kind = "userspace" as const;
  readonly killSwitch = false;
  readonly evidence = "device" as const;
  sent = 0;
  received = 0;
  private handshakeAt: number | null = null;
  async precheck(): Promise<void> {}
  async up(request: { interfaceName: string }) {
    this.handshakeAt = Date.now();
    const handle: TunnelHandle = {
      driver: "userspace",
      interfaceName: request.interfaceName,
      netns: null,
      configPath: null,
      serverPublicKey: "",
      routes: [],
      blockRoutes: [],
      routingTable: null,
      blocked: false,
    };
    return { handle, notes: [] };
  }
  async block(handle: TunnelHandle) {
    return { ...handle, blocked: true };
  }
  async down(): Promise<void> {}
  async readPeer() {
    return { lastHandshakeAt: this.handshakeAt, rxBytes: this.received, txBytes: this.sent };
  }
}

let h: AgentHarness;
let dir: string;
let homes = 0;
beforeAll(async () => {
  h = await startAgentHarness();
  dir = await mkdtemp(join(tmpdir(), "wg402-receipts-e2e-"));
});
afterAll(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const meterEverySecond = { AGENT_METER_INTERVAL_SECONDS: "1" };

/**
 * One session of `up`/`down` bytes through `node`, whose own counters (its FakeDriver's, as the node reads
 * them) are scaled by `nodeSees`: 1 for an honest node, less or more for a node that misreports.
 */
async function session(
  node: RunningAgent,
  nodeSees: { up: number; down: number },
  scheme: "exact" | "channel" = "exact",
) {
  const wallet = await h.fundedWallet(100_000n);
  const home = join(dir, `home-${homes++}`);
  const client = await openLeaseClient({
    nodeUrl: node.url,
    account: () => privateKeyToAccount(wallet.privateKey),
    sessionCap: 50_000n,
    scheme,
    requireSigned: true,
    env: { ...h.clientEnv, WG402_HOME: home },
  });
  const tunnel = new CountingTunnel();
  const vpn = new VpnSession({ client, driver: tunnel, minutes: 2, handshakeTimeoutMs: 5_000 });
  let closed: SessionClosed | undefined;
  vpn.on("closed", (e) => {
    closed = e;
  });
  const { lease, payment } = await vpn.start();
  const carry = (up: number, down: number) => {
    tunnel.sent += up;
    tunnel.received += down;
    node.driver.addTraffic(lease.publicKey, Math.round(up * nodeSees.up), Math.round(down * nodeSees.down));
  };
  for (let i = 0; i < 4; i++) {
    carry(MB / 2, 2 * MB);
    await new Promise((resolve) => setTimeout(resolve, SESSION_MS / 4));
  }
  const { receipt } = await vpn.stop();
  const entries = await new ReceiptStore(home).list();
  return { closed, receipt, payment, entries, home, info: client.node };
}

const usageEntry = (entries: ReceiptEntry[]) => entries.find((e) => e.kind === "usage");

describe("an honest node", () => {
  it("signs the offer paid, the payment's receipt and the usage receipt, whose bytes match the client's", async () => {
    const node = await h.startAgent({ env: meterEverySecond });
    const { closed, receipt, payment, entries, info } = await session(node, { up: 1, down: 1 });
    expect(info.offerSigner).toBeDefined();
    // The offer the client paid against, checked before it signed.
    expect(payment.offer).toBeTruthy();
    expect((await verifyOfferSignatureEIP712(payment.offer as EIP712SignedOffer)).signer).toBe(info.offerSigner);
    expect(payment.signedReceipt?.verdict).toEqual({ valid: true, signer: info.offerSigner, problem: null });
    // The final receipt: signed by the advertised key, its bytes within tolerance of ours.
    expect(receipt).toMatchObject({ bytesUp: 2 * MB, bytesDown: 8 * MB });
    expect(receipt && (await verifyUsageReceipt(receipt, info.offerSigner)).valid).toBe(true);
    expect(closed?.receiptCheck).toMatchObject({ signature: "valid", ok: true });
    // Both kept beside the history, each one verifying.
    expect(entries.map((e) => e.kind)).toEqual(["payment", "usage"]);
    expect(usageEntry(entries)).toMatchObject({ expectedSigner: info.offerSigner, check: { ok: true } });
  });
});

describe("an honest node paid by escrow channel", () => {
  it("signs the channel's offer and the usage receipt, its charge included", async () => {
    const node = await h.startAgent({
      env: { ...meterEverySecond, AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: `0x${"22".repeat(32)}` },
    });
    const { closed, receipt, payment, info } = await session(node, { up: 1, down: 1 }, "channel");
    expect(payment.scheme).toBe("batch-settlement");
    expect((await verifyOfferSignatureEIP712(payment.offer as EIP712SignedOffer)).signer).toBe(info.offerSigner);
    expect(receipt?.channel).toBeDefined();
    expect(closed?.receiptCheck).toMatchObject({ signature: "valid", ok: true });
  });
});

describe("a node whose counters misreport", () => {
  it("is caught when it under-reports the bytes sent (kept as evidence)", async () => {
    const node = await h.startAgent({ env: meterEverySecond });
    const { closed, entries } = await session(node, { up: 0.5, down: 1 });
    expect(closed?.receiptCheck).toMatchObject({
      signature: "valid",
      ok: false,
      bytes: { up: { ok: false, client: 2 * MB, node: MB }, down: { ok: true } },
    });
    expect(usageEntry(entries)).toMatchObject({ check: { ok: false } });
  });

  it("is caught when it over-reports the bytes received", async () => {
    const node = await h.startAgent({ env: meterEverySecond });
    const { closed } = await session(node, { up: 1, down: 1.5 });
    expect(closed?.receiptCheck).toMatchObject({
      ok: false,
      bytes: { up: { ok: true }, down: { ok: false, client: 8 * MB, node: 12 * MB } },
    });
  });
});

/** The CLI in-process, with its output captured. */
async function cli(argv: string[], env: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe("wg402 receipts --verify", () => {
  it("verifies every kept receipt, and fails one whose figures were changed afterwards", async () => {
    const node = await h.startAgent({ env: meterEverySecond });
    const { home } = await session(node, { up: 1, down: 1 });
    const env = { ...h.clientEnv, WG402_HOME: home };
    const good = await cli(["receipts", "--verify", "--json"], env);
    expect(good.code).toBe(ExitCode.ok);
    expect(JSON.parse(good.stdout)).toMatchObject({ verifiedCount: 2, failed: 0 });

    // Someone "corrects" the node's byte count in the kept receipt: its signature no longer holds.
    const path = new ReceiptStore(home).path;
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    const tampered = lines.map((line) => {
      const entry = JSON.parse(line) as ReceiptEntry;
      return JSON.stringify(entry.kind === "usage" ? { ...entry, receipt: { ...entry.receipt, bytesDown: 1 } } : entry);
    });
    await writeFile(path, `${tampered.join("\n")}\n`);
    const bad = await cli(["receipts", "--verify", "--json"], env);
    expect(bad.code).toBe(ExitCode.payment);
    expect(JSON.parse(bad.stdout)).toMatchObject({ verifiedCount: 1, failed: 1 });
    expect(JSON.parse(bad.stderr.trim())).toMatchObject({ error: "receipt_invalid" });
  });
});

describe("wg402 connect --require-signed", () => {
  it("refuses a node that signs nothing before paying anything, and pays it without the flag", async () => {
    const node = await h.startAgent({ signingKey: null });
    const wallet = await h.fundedWallet(100_000n);
    const env = { ...h.clientEnv, WG402_HOME: join(dir, `home-${homes++}`), WG402_PRIVATE_KEY: wallet.privateKey };
    const args = ["connect", node.url, "--driver", "export", "--minutes", "1", "--output", join(dir, "x.conf")];
    const refused = await cli([...args, "--require-signed", "--json"], env);
    expect(refused.code).toBe(ExitCode.payment);
    expect(refused.stderr).toMatch(/"error":"offer_unsigned"/);
    expect(await h.balanceOf(wallet.address)).toBe(100_000n);
    // Off by default in the CLI: the same node is paid (its FakeDriver never handshakes, so the lease is
    // closed again at once).
    const paid = await cli([...args, "--handshake-timeout", "0.5", "--json"], env);
    expect(paid.stderr).not.toMatch(/offer_unsigned/);
    expect(await h.balanceOf(wallet.address)).toBeLessThan(100_000n);
  });
});
