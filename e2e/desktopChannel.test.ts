// The desktop UI paying by escrow channel, in Chromium: the real UI daemon process, a real hardhat chain, the
// real facilitator and a real agent with AGENT_CHANNEL=on (FakeDriver, export driver: the test plays the
// WireGuard app). The plan shows the deposit before anything is signed, the session panel's charge ticks by
// the second, disconnecting shows the charge, the refund and its tx, and the chain agrees to the base unit:
// the payer holds its funds less what was charged. History keeps the row. Then a node that is gone: its
// deposit comes back by the escrow's own withdrawal, started, counted down (on the chain's clock) and
// finalized from the app. Each History row carries its signed usage receipt's badge (verified; none from the
// node that was gone), and the receipts export as a .json file whose usage receipt verifies.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchNodeInfo, type ReceiptEntry } from "@wg402/client";
import { chains, verifyUsageReceipt, writeLocalStack } from "@wg402/shared";
import { createWalletClient, type Hex, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  answerAsWireguardApp,
  DesktopUi,
  flowSteps,
  hasChromium,
  type InProcessAgent,
  startFakeAgent,
  tokenOf,
  tokens,
} from "./desktopHarness.ts";
import { type PaidStack, startPaidStack } from "./support.ts";

const PRICE = 1_000n; // base units per billed minute
const SECONDS_PER_MINUTE = 3;
const FUNDS = 5_000_000n; // 5 tUSD
// The default spend cap, one hour at this node's price, is the deposit.
const DEPOSIT = PRICE * BigInt(3600 / SECONDS_PER_MINUTE);

const describeWithChromium = hasChromium ? describe : describe.skip;
if (!hasChromium)
  console.warn("e2e/desktopChannel.test.ts skipped: no /usr/bin/chromium (apt-get install -y chromium)");

let dir: string;
let stack: PaidStack;
let node: InProcessAgent;
let payer: { privateKey: Hex; address: Hex };
let stopAnswering: (() => void) | undefined;
let nodeGone = false;
const ui = new DesktopUi();

beforeAll(async () => {
  if (!hasChromium) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-channel-"));
  stack = await startPaidStack(dir);
  node = await startFakeAgent(
    {
      ...stack.agentEnv,
      AGENT_NAME: "Channel node",
      AGENT_REGION: "DE",
      AGENT_PRICE_PER_MINUTE: PRICE.toString(),
      AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
      AGENT_CHANNEL: "on",
      AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey(),
    },
    join(dir, "agent.sqlite"),
  );
  stopAnswering = answerAsWireguardApp(node, () => true);
  const stackFile = join(dir, "local.json");
  await writeLocalStack(
    { ...stack.chain.stack, services: { facilitator: stack.facilitatorUrl, agent: node.url } },
    stackFile,
  );
  payer = await stack.fundedWallet(FUNDS);
  await ui.start(dir, {
    WG402_STACK_FILE: stackFile,
    WG402_RPC_URL_LOCAL: stack.chain.rpcUrl,
    WG402_PRIVATE_KEY: payer.privateKey,
    WG402_UI_DRIVER: "export",
  });
}, 180_000);

afterAll(async () => {
  stopAnswering?.();
  await ui.stop("daemon-channel.log").finally(async () => {
    if (!nodeGone) await node?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}, 60_000);

/** The base units an element carries in `data-amount` (what it shows, formatted, is checked beside it). */
async function amountAt(selector: string): Promise<bigint> {
  const value = await ui.page.locator(selector).first().getAttribute("data-amount", { timeout: 10_000 });
  if (value === null || !/^[0-9]+$/.test(value)) throw new Error(`no amount at ${selector}: ${String(value)}`);
  return BigInt(value);
}

/** Clicks `button` and returns the JSON file the page downloads, parsed. */
async function downloadedJson(button: string): Promise<{ name: string; body: ExportedReceipts }> {
  const [download] = await Promise.all([
    ui.page.waitForEvent("download", { timeout: 20_000 }),
    ui.page.getByRole("button", { name: button }).first().click(),
  ]);
  const body = JSON.parse(await readFile(await download.path(), "utf8")) as ExportedReceipts;
  return { name: download.suggestedFilename(), body };
}

type ExportedReceipts = {
  leaseId: string | null;
  receipts: (ReceiptEntry & { verified: { valid: boolean; problem: string | null } })[];
  verifiedCount: number;
  failed: number;
};

/** A JSON-RPC call to the local chain (time travel: the withdraw delay is a day). */
async function rpc(method: string, params: unknown[] = []): Promise<void> {
  const response = await fetch(stack.chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
}

/** Gas for the payer: the withdrawal is the one thing the payer sends itself. */
async function sendGas(to: Hex): Promise<void> {
  const wallet = createWalletClient({
    account: privateKeyToAccount(stack.chain.stack.accounts.deployer.privateKey as Hex),
    chain: chains.local.viem,
    transport: http(stack.chain.rpcUrl),
  });
  const hash = await wallet.sendTransaction({ to, value: parseEther("1") });
  await stack.publicClient.waitForTransactionReceipt({ hash });
}

describeWithChromium("desktop UI paying by escrow channel", () => {
  const step = flowSteps();
  const see = ui.see.bind(ui);
  const balanceOf = (address: Hex) => tokenOf(stack).balanceOf(address);
  let charged = 0n;
  let refunded = 0n;
  let refundTx = "";
  let clickedAt = 0;

  step(
    "the plan says it pays by channel: the deposit, gas paid by the facilitator, the fee and the refund rule",
    async () => {
      await ui.page.goto(ui.daemon.url);
      await see("Channel node", "[data-testid=chosen-node]");
      await see(tokens(FUNDS), "[data-testid=token-balance]");
      await see("Escrow channel: charged by the second", "label:has-text('Channel node') [data-testid=node-scheme]");
      await see("escrow channel", "[data-testid=plan-scheme]", 30_000);
      await see(`${tokens(DEPOSIT)} now`, "[data-testid=plan-deposit]");
      expect(await amountAt("[data-testid=plan-deposit]")).toBe(DEPOSIT);
      await see("paid by the facilitator; its fee 0 tUSD", "[data-testid=plan-gas]");
      await see("Charged by the second for the time used", "[data-testid=plan-refund]");
      await see("unused deposit comes back at disconnect", "[data-testid=plan-refund]");
      await ui.shot("30-channel-plan");
    },
  );

  step("connects: the deposit is in the escrow, and the balance card shows it beside the wallet's", async () => {
    clickedAt = Date.now();
    await ui.page.getByTestId("connect-toggle").click();
    await ui.toggleState("on", 45_000);
    await see(tokens(DEPOSIT), "[data-testid=channel-deposit]");
    expect(await amountAt("[data-testid=channel-deposit] [data-amount]")).toBe(DEPOSIT);
    // On-chain: the deposit left the wallet (no gas: the facilitator sent it).
    expect(await balanceOf(payer.address)).toBe(FUNDS - DEPOSIT);
    await see(tokens(FUNDS - DEPOSIT), "[data-testid=token-balance]");
    await see(tokens(DEPOSIT), "[data-testid=escrow-balance]");
    expect(await amountAt("[data-testid=escrow-balance]")).toBe(DEPOSIT);
  });

  step("the charge ticks by the second, and the deposit left falls by as much", async () => {
    const charge = "[data-testid=channel-charged] [data-amount]";
    const first = await amountAt(charge);
    const firstLeft = await amountAt("[data-testid=channel-left] [data-amount]");
    expect(first + firstLeft).toBe(DEPOSIT);
    // Two seconds on (the page redraws each second): at 1000 per 3-second minute, at least 666 more.
    await ui.page.waitForFunction(
      ({ selector, before }) => {
        const value = document.querySelector(selector)?.getAttribute("data-amount");
        return value !== null && value !== undefined && BigInt(value) >= BigInt(before) + 666n;
      },
      { selector: charge, before: first.toString() },
      { timeout: 10_000 },
    );
    const second = await amountAt(charge);
    expect(second).toBeGreaterThan(first);
    // Never above what the time since Connect was pressed costs (the lease started after it), rounded up.
    const bound = (BigInt(Date.now() - clickedAt) * PRICE) / BigInt(SECONDS_PER_MINUTE * 1000) + 1n;
    expect(second).toBeLessThanOrEqual(bound);
    await see(/Disconnecting now refunds about \d/, "[data-testid=channel-refund-estimate]");
    await ui.shot("31-channel-ticking");
  });

  step("disconnects: the charge, the refund and its tx on screen; the chain agrees to the base unit", async () => {
    await ui.page.getByTestId("connect-toggle").click();
    await ui.toggleState("off", 45_000);
    await see("Charged", "[data-testid=summary-refund]", 30_000);
    charged = await amountAt("[data-testid=summary-charged]");
    refunded = await amountAt("[data-testid=summary-refunded]");
    await see(tokens(charged), "[data-testid=summary-charged]");
    await see(tokens(refunded), "[data-testid=summary-refunded]");
    expect(charged).toBeGreaterThan(0n);
    expect(charged + refunded).toBe(DEPOSIT);
    refundTx = await ui.testIdText("summary-refund-tx");
    expect(refundTx).toMatch(/^0x[0-9a-f]{64}$/);
    const receipt = await stack.publicClient.getTransactionReceipt({ hash: refundTx as Hex });
    expect(receipt.status).toBe("success");
    expect(await balanceOf(payer.address)).toBe(FUNDS - charged);
    // Nothing is left in the escrow, and the wallet's balance shows what came back.
    await see(tokens(FUNDS - charged), "[data-testid=token-balance]");
    await ui.page.locator("[data-testid=escrow-balance]").waitFor({ state: "detached", timeout: 20_000 });
    await ui.shot("32-channel-refunded");
  });

  step("History has the row: deposit, charged, refunded and the refund's tx", async () => {
    await ui.page.getByRole("button", { name: "History" }).click();
    const row = "[data-testid=history-channel]";
    await see(tokens(DEPOSIT), `${row} [data-testid=history-deposit]`);
    expect(await amountAt(`${row} [data-testid=history-deposit]`)).toBe(DEPOSIT);
    expect(await amountAt(`${row} [data-testid=history-charged]`)).toBe(charged);
    expect(await amountAt(`${row} [data-testid=history-refunded]`)).toBe(refunded);
    await see(tokens(charged), `${row} [data-testid=history-charged]`);
    await see(refundTx, `${row} [data-testid=history-refund-tx]`);
    await ui.shot("33-channel-history");
  });

  let firstLease = "";
  let offerSigner = "";
  step("the History row's badge: the node's usage receipt is verified; its receipts export and verify", async () => {
    const card = "[data-testid=history] > li:first-child";
    await see("verified", `${card} [data-testid=receipt-badge]`);
    expect(await ui.page.locator(`${card} [data-testid=receipt-badge]`).getAttribute("data-status")).toBe("verified");
    offerSigner = (await fetchNodeInfo(node.url)).offerSigner ?? "";
    expect(offerSigner).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // The export driver has no counters of its own: the signature is checked, the bytes are the node's word.
    await see(`Receipt signed by ${offerSigner}; bytes not checked`, `${card} [data-testid=receipt-detail]`);
    firstLease = ((await ui.page.locator(`${card} [data-testid=history-lease]`).textContent()) ?? "").trim();
    expect(firstLease).toMatch(/^lease_[0-9a-f]{32}$/);
    const { name, body } = await downloadedJson("Export this session's receipts");
    expect(name).toBe(`wg402-receipts-${firstLease}.json`);
    expect(body.leaseId).toBe(firstLease);
    expect(body.receipts.every((r) => r.leaseId === firstLease)).toBe(true);
    const usage = body.receipts.filter((r) => r.kind === "usage");
    expect(usage).toHaveLength(1);
    const receipt = usage[0]?.kind === "usage" ? usage[0].receipt : null;
    if (!receipt) throw new Error("no usage receipt in the export");
    // Checked here with shared's own verifier, against the signer the node advertises now.
    expect(await verifyUsageReceipt(receipt, offerSigner)).toMatchObject({ valid: true });
    expect(usage[0]?.verified).toEqual({ valid: true, problem: null });
    expect(BigInt(receipt.channel?.charged ?? "0")).toBe(charged);
    await see("Saved", "[data-testid=receipts-saved]");
    await ui.shot("36-channel-history-receipt");
  });

  let deposit = 0n;
  step(
    "a node that is gone: connect again on the same channel, the node vanishes, the close cannot reach it",
    async () => {
      await ui.page.getByRole("button", { name: "Home" }).click();
      await ui.page.getByRole("button", { name: "Dismiss" }).click();
      await see("escrow channel", "[data-testid=plan-scheme]", 30_000);
      await ui.page.getByTestId("connect-toggle").click();
      await ui.toggleState("on", 45_000);
      deposit = await amountAt("[data-testid=channel-deposit] [data-amount]");
      expect(deposit).toBeGreaterThan(0n);
      expect(await balanceOf(payer.address)).toBe(FUNDS - charged - deposit);
      nodeGone = true;
      await node.close();
      await ui.page.getByTestId("connect-toggle").click();
      await ui.toggleState("off", 45_000);
      await see("did not get as far as the refund", "[data-testid=summary-refund]");
      // Nothing came back: it is all still in the escrow.
      expect(await balanceOf(payer.address)).toBe(FUNDS - charged - deposit);
      await see(tokens(deposit), "[data-testid=escrow-balance]");
      // The node never answered the close: no signed usage receipt for that session.
      await ui.page.getByRole("button", { name: "History" }).click();
      const newest = "[data-testid=history] > li:first-child [data-testid=receipt-badge]";
      await see("no signed receipt", newest);
      expect(await ui.page.locator(newest).getAttribute("data-status")).toBe("none");
      await see("verified", "[data-testid=history] > li:nth-child(2) [data-testid=receipt-badge]");
      // Export receipts (all): the earlier session's usage receipt is in it and still verifies.
      const { body } = await downloadedJson("Export receipts");
      expect(body.leaseId).toBeNull();
      const usage = body.receipts.flatMap((r) => (r.kind === "usage" ? [r] : []));
      expect(usage.map((r) => r.leaseId)).toEqual([firstLease]);
      expect(await verifyUsageReceipt(usage[0]?.receipt as (typeof usage)[0]["receipt"], offerSigner)).toMatchObject({
        valid: true,
      });
      await ui.page.getByRole("button", { name: "Home" }).click();
    },
  );

  step(
    "withdraws it: starts the escrow's withdrawal, counts down the delay, then finalizes; the chain agrees",
    async () => {
      await sendGas(payer.address);
      const row = "[data-testid=escrow-channel]";
      await ui.page
        .locator(row)
        .getByRole("button", { name: `Withdraw ${tokens(deposit)}` })
        .click();
      await see("finalize in 24 h", `${row} [data-testid=withdraw-countdown]`, 30_000);
      await see(`Withdrawal of ${tokens(deposit)} started`, `${row} [data-testid=withdraw-countdown]`);
      expect(await ui.page.locator(row).getByRole("button", { name: "Finalize" }).isDisabled()).toBe(true);
      await ui.shot("34-channel-withdraw-countdown");
      // A day on, by the chain's clock: the app reads it again and offers Finalize.
      await rpc("evm_increaseTime", [86_401]);
      await rpc("evm_mine");
      const finalize = ui.page.locator(`${row} button:not([disabled])`, { hasText: "Finalize" });
      await finalize.waitFor({ timeout: 20_000 });
      await finalize.click();
      await see(`Got back ${tokens(deposit)}`, `${row} [data-testid=withdrawn]`, 30_000);
      expect(await balanceOf(payer.address)).toBe(FUNDS - charged);
      await ui.page.locator("[data-testid=escrow-balance]").waitFor({ state: "detached", timeout: 20_000 });
      await ui.shot("35-channel-withdrawn");
    },
  );
});
