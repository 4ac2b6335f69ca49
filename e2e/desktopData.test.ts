// The desktop UI buying data, in Chromium: the real UI daemon process, a real hardhat chain, the real
// facilitator and a real agent selling megabytes (AGENT_PRICE_PER_MB; FakeDriver, export driver: the test plays
// the WireGuard app and decides how fast it sends). Settings saved before data plans load; the Data plan with
// 5 MB is chosen and priced; connecting pays exactly 5 × the MB price on-chain; the session panel shows the MB
// left and the rate; a burst of traffic makes the core buy 5 MB more before the allowance runs out (the
// activity feed says so, and the chain agrees); History keeps the MB bought.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLocalStack } from "@wg402/shared";
import type { Hex } from "viem";
import { DesktopUi, flowSteps, hasChromium, type InProcessAgent, startFakeAgent, tokens } from "./desktopHarness.ts";
import { type PaidStack, startPaidStack } from "./support.ts";

const PRICE_PER_MINUTE = 1_000n;
const PRICE_PER_MB = 20_000n; // 0.02 tUSD
const MEGABYTES = 5;
const FIRST_PAYMENT = PRICE_PER_MB * BigInt(MEGABYTES); // 0.1 tUSD
const FUNDS = 5_000_000n; // 5 tUSD
const SLOW = 50_000; // bytes per second each way: 5 MB last 50 s
const BURST = 600_000; // each way: the allowance would last about 4 s

const describeWithChromium = hasChromium ? describe : describe.skip;
if (!hasChromium) console.warn("e2e/desktopData.test.ts skipped: no /usr/bin/chromium (apt-get install -y chromium)");

let dir: string;
let stack: PaidStack;
let node: InProcessAgent;
let payer: { privateKey: Hex; address: Hex };
let timer: NodeJS.Timeout | undefined;
/** Bytes each way per second the "WireGuard app" sends through every peer; 0: it is switched off. */
let perSecond = 0;
const ui = new DesktopUi();

beforeAll(async () => {
  if (!hasChromium) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-data-"));
  stack = await startPaidStack(dir);
  node = await startFakeAgent(
    {
      ...stack.agentEnv,
      AGENT_NAME: "Data node",
      AGENT_REGION: "NL",
      AGENT_PRICE_PER_MINUTE: PRICE_PER_MINUTE.toString(),
      AGENT_PRICE_PER_MB: PRICE_PER_MB.toString(),
    },
    join(dir, "agent.sqlite"),
  );
  // The WireGuard app that imported the config, at the rate the test sets; the node's meter reads it.
  timer = setInterval(() => {
    if (perSecond === 0) return;
    void node.driver
      .listPeers()
      .then(async (peers) => {
        for (const peer of peers) {
          if (peer.allowedIps.length === 0) continue;
          node.driver.handshake(peer.publicKey, new Date());
          node.driver.addTraffic(peer.publicKey, perSecond / 4, perSecond / 4);
        }
        await node.agent.leases.peers.pollMeter();
      })
      .catch(() => undefined);
  }, 250);
  const stackFile = join(dir, "local.json");
  await writeLocalStack(
    { ...stack.chain.stack, services: { facilitator: stack.facilitatorUrl, agent: node.url } },
    stackFile,
  );
  // Settings as an app from before data plans saved them: no plan, no megabytes.
  await mkdir(join(dir, "home"), { recursive: true });
  await writeFile(
    join(dir, "home", "desktop-settings.json"),
    `${JSON.stringify({
      version: 1,
      minutes: 10,
      autoRenew: true,
      renewMinutes: 10,
      spendCap: null,
      capWarningMinutes: 2,
      lowBalanceMinutes: 30,
      driver: null,
      nodes: [],
      explorerTxUrls: {},
    })}\n`,
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
  if (timer) clearInterval(timer);
  await ui.stop("daemon-data.log").finally(async () => {
    await node?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}, 60_000);

/** The payer's token transfers on the chain, oldest first: what was really paid. */
const paid = () => stack.transfersFrom(payer.address);

describeWithChromium("desktop UI buying data", () => {
  const step = flowSteps();
  const see = ui.see.bind(ui);

  step("old settings load; the Data plan with 5 MB is priced per MB before anything is paid", async () => {
    const { page } = ui;
    await page.goto(ui.daemon.url);
    await see("Data node", "[data-testid=chosen-node]");
    await see(tokens(FUNDS), "[data-testid=token-balance]");
    // The saved settings had no plan: time, as before.
    expect(await page.locator("[data-testid=plan-choice] input[value=time]").isChecked()).toBe(true);
    await see("0.001 tUSD/min · 0.02 tUSD/MB", "[data-testid=node-prices]");
    await see("0.02 tUSD/MB", "label:has-text('Data node') [data-testid=node-price-mb]");
    await page.locator("[data-testid=plan-choice] input[value=data]").check();
    await page.getByLabel("Megabytes to buy now").fill(String(MEGABYTES));
    await see(`${tokens(FIRST_PAYMENT)} for ${MEGABYTES} MB`, "[data-testid=plan-first-payment]");
    expect(await page.locator("[data-testid=plan-first-payment]").getAttribute("data-amount")).toBe(
      FIRST_PAYMENT.toString(),
    );
    await see(`Data node asks ${tokens(FIRST_PAYMENT)} for ${MEGABYTES} MB.`);
    await see("0.02 tUSD/MB", "[data-testid=plan-price]");
    await see(`${tokens(FIRST_PAYMENT)} per ${MEGABYTES} MB`, "[data-testid=plan-data-renewal]");
    await see("ten times the first payment", "[data-testid=plan-cap]");
    // A data plan buys no minutes: the minutes field is gone.
    expect(await page.getByLabel("Minutes to buy now").count()).toBe(0);
    await ui.shot("40-data-plan");
  });

  step("connects: 5 MB left on screen, and the first payment on-chain is 5 × the MB price exactly", async () => {
    await ui.page.getByTestId("connect-toggle").click();
    await see("Paid. Import the WireGuard config", "[data-testid=connecting]", 30_000);
    perSecond = SLOW;
    await ui.toggleState("on", 45_000);
    await see("MB left", "[data-testid=data-left]");
    await see(/ of 5 MB left$/, "[data-testid=data-left]");
    await see(`Connected: paid ${tokens(FIRST_PAYMENT)} for ${MEGABYTES} MB`, "[data-testid=activity]");
    const [first] = await paid();
    expect(first?.value).toBe(FIRST_PAYMENT);
    expect(first?.to.toLowerCase()).toBe(stack.agentEnv.AGENT_PAY_TO?.toLowerCase());
    await see(first?.txHash ?? "no tx", "[data-testid=activity] [data-testid=tx-hash]");
  });

  step("the allowance falls as the node counts the traffic, and the rate shows", async () => {
    await see(/^4(\.\d)? MB of 5 MB left$/, "[data-testid=data-left]", 30_000);
    await see(/\d+(\.\d)? (KB|MB)\/s · lasts about/, "[data-testid=data-rate]");
    await see("Valid for");
    await ui.shot("41-data-left");
  });

  step("a burst: the core buys 5 MB more before the allowance runs out; the chain agrees", async () => {
    perSecond = BURST;
    await see(`Renewed: +${MEGABYTES} MB for ${tokens(FIRST_PAYMENT)}`, "[data-testid=activity]", 30_000);
    perSecond = SLOW;
    await see(/ of (10|15|20) MB left$/, "[data-testid=data-left]", 15_000);
    const transfers = await paid();
    expect(transfers.length).toBeGreaterThanOrEqual(2);
    for (const t of transfers) expect(t.value).toBe(FIRST_PAYMENT);
    expect(await stack.balanceOf(payer.address)).toBe(FUNDS - FIRST_PAYMENT * BigInt(transfers.length));
    await ui.shot("42-data-renewed");
  });

  step("disconnects; History shows the MB bought and each payment's MB", async () => {
    perSecond = 0;
    await ui.page.getByTestId("connect-toggle").click();
    await ui.toggleState("off", 45_000);
    const payments = (await paid()).length;
    // A data lease forfeits the data it did not use, not its validity.
    await see(/MB of data \(0\.\d+ tUSD\) was left unused/, "[data-testid=summary-unused-data]");
    expect(await ui.page.getByText("of prepaid time").count()).toBe(0);
    await ui.page.getByRole("button", { name: "History" }).click();
    const card = "[data-testid=history] > li:first-child";
    await see(`${MEGABYTES * payments} MB`, `${card} [data-testid=history-megabytes]`);
    await see(`${tokens(FIRST_PAYMENT)} for ${MEGABYTES} MB`, card);
    await see(tokens(FIRST_PAYMENT * BigInt(payments)), `${card} [data-testid=history-paid]`);
    await ui.shot("43-data-history");
  });
});
