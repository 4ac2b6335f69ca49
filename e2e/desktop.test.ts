// The desktop UI end to end in a real browser: Debian's Chromium against the real UI daemon process, a real
// hardhat chain, the real facilitator and real agents (FakeDriver; one with a 3-second minute, so renewals
// are watched, not waited for). The export driver's evidence is the node's view of the lease, so the test
// decides when the node sees the first handshake. Every step fails when its expected text is missing, and
// leaves a screenshot in e2e/screenshots/. The passphrase rules, the wallet's import and export
// (desktopWallet.test.ts) and a real WireGuard tunnel (desktopTunnel.test.ts) have their own files.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unlockKeystoreFile } from "@wg402/client";
import { writeLocalStack } from "@wg402/shared";
import QRCode from "qrcode";
import type { Hex } from "viem";
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

const README_PNG = fileURLToPath(new URL("../desktop/docs/desktop.png", import.meta.url));
const PASSPHRASE = "correct horse battery staple";
const PRICE = 1_000n; // base units per billed minute on the fast node
const MINUTES = 5; // bought when connecting
const RENEW_MINUTES = 5; // bought per renewal
const LOW_BALANCE_MINUTES = 50; // the warning level set in Settings
const LEFT_AFTER_DRAIN = 7_000n; // 7 minutes: below the warning level, and one renewal before the money ends
const FAUCET = 100_000_000n; // 100 tUSD
const SMALL_CAP = 20_000n; // 0.02 tUSD: the first 5 minutes and 3 renewals, 60 s of 3-second minutes

const describeWithChromium = hasChromium ? describe : describe.skip;
if (!hasChromium) console.warn("e2e/desktop.test.ts skipped: no /usr/bin/chromium (apt-get install -y chromium)");

let dir: string;
let stack: PaidStack;
let fast: InProcessAgent;
let standard: InProcessAgent;
const ui = new DesktopUi();
let stopTraffic: (() => void) | undefined;
/** Whether the fast node's peers handshake and pass traffic, as a WireGuard app that imported the config. */
let answering = false;

const balanceOf = (address: Hex) => tokenOf(stack).balanceOf(address);

beforeAll(async () => {
  if (!hasChromium) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-e2e-"));
  stack = await startPaidStack(dir);
  const agentEnv = { ...stack.agentEnv, AGENT_PRICE_PER_MINUTE: PRICE.toString() };
  fast = await startFakeAgent(
    { ...agentEnv, AGENT_NAME: "Fast test node", AGENT_REGION: "DE", AGENT_SECONDS_PER_MINUTE: "3" },
    join(dir, "fast.sqlite"),
  );
  standard = await startFakeAgent(
    { ...agentEnv, AGENT_NAME: "Standard node", AGENT_REGION: "us-east", AGENT_PRICE_PER_MINUTE: "2000" },
    join(dir, "standard.sqlite"),
  );
  stopTraffic = answerAsWireguardApp(fast, () => answering);
  const stackFile = join(dir, "local.json");
  await writeLocalStack(
    { ...stack.chain.stack, services: { facilitator: stack.facilitatorUrl, agent: fast.url } },
    stackFile,
  );
  await ui.start(dir, { WG402_STACK_FILE: stackFile, WG402_UI_DRIVER: "export", WG402_UI_NODES: standard.url });
}, 180_000);

afterAll(async () => {
  stopTraffic?.();
  await ui.stop("daemon.log").finally(async () => {
    for (const agent of [fast, standard]) await agent?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}, 60_000);

describeWithChromium("desktop UI in Chromium", () => {
  const step = flowSteps();
  const [see, shot, testIdText] = [ui.see.bind(ui), ui.shot.bind(ui), ui.testIdText.bind(ui)];
  let address: Hex;
  let renewalsAtEnd = 0;

  step("first run: creates the wallet (the passphrase rules are in desktopWallet.test.ts)", async () => {
    const { page } = ui;
    await page.goto(ui.daemon.url);
    await see("Welcome to wg402");
    expect(page.url()).not.toContain("token=");
    await shot("01-first-run");
    await page.getByLabel("Passphrase", { exact: true }).fill(PASSPHRASE);
    await page.getByLabel("Repeat the passphrase").fill(PASSPHRASE);
    await see("The passphrase will do.", "[data-testid=passphrase-rule]");
  });

  step("creates the wallet; its address copies and has a QR code; gets test funds", async () => {
    const { page } = ui;
    await page.getByRole("button", { name: "Create wallet" }).click();
    await see("Your wallet is ready", "body", 30_000);
    address = (await testIdText("wallet-address")) as Hex;
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    await page.getByRole("button", { name: "Copy address" }).click();
    await see("Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
    const qr = page.getByTestId("address-qr");
    await qr.waitFor();
    // The image is the QR code of this very address (drawn by the same library the CLI uses).
    const svg = await QRCode.toString(address, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
    expect(await qr.getAttribute("src")).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await see("0 tUSD", "[data-testid=token-balance]");
    await shot("02-wallet-created");
    await page.getByRole("button", { name: "Get test funds" }).click();
    await see("Received 100 tUSD", "body", 30_000);
    await see("100 tUSD", "[data-testid=token-balance]");
    expect(await balanceOf(address)).toBe(FAUCET);
    await shot("03-funded");
    await page.getByRole("button", { name: "Continue" }).click();
  });

  step("home: both nodes with country or region, price, latency and capacity, cheapest and fastest", async () => {
    await see("Fast test node");
    await see("Standard node");
    await see("Germany", "label:has-text('Fast test node')");
    await see("us-east", "label:has-text('Standard node')");
    await see("0.001 tUSD/min", "label");
    await see("0.002 tUSD/min", "label");
    await see(/\d+(\.\d)? ms/, "label:has-text('Fast test node')");
    await see("Fastest");
    await see(/\d+ of \d+ free/);
    // Per wall-clock hour the 60-second node is cheaper than the 3-second one, and is marked so.
    await see("Cheapest", "label:has-text('Standard node')");
    await shot("04-home-nodes");
  });

  step("settings: minutes, renewal, low-balance level; the cap is the one-hour default", async () => {
    const { page } = ui;
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByLabel("Minutes bought when connecting").fill(String(MINUTES));
    await page.getByLabel("Minutes bought per renewal").fill(String(RENEW_MINUTES));
    await page.getByLabel("Warn when the balance covers fewer minutes than").fill(String(LOW_BALANCE_MINUTES));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await see("Saved.");
    await see("export (default)");
    expect(await page.getByLabel("Default: one hour").isChecked()).toBe(true);
    expect(await page.getByLabel("Count down before the cap ends a session (minutes)").inputValue()).toBe("2");
    await shot("05-settings");
    // A bad explorer template is refused with a sentence and its code.
    await page.getByLabel("Explorer for eip155:31337").fill("javascript:alert(1)");
    await page.getByRole("button", { name: "Save links" }).click();
    await see("code: invalid_argument");
    await page.getByLabel("Explorer for eip155:31337").fill("");
    await page.getByRole("button", { name: "Home" }).click();
  });

  step("the Connect toggle is reachable with the keyboard", async () => {
    const { page } = ui;
    await page.getByTestId("connect-toggle").waitFor();
    await page.locator("body").click({ position: { x: 2, y: 2 } });
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.testid === "connect-toggle",
      );
    }
    expect(reached).toBe(true);
  });

  step("shows the plan before paying: price, first payment, the default cap, no refund", async () => {
    await ui.chooseNode("Fast test node");
    await see(`Fast test node asks ${tokens(PRICE * BigInt(MINUTES))} for ${MINUTES} minutes.`);
    await see("Fast test node", "[data-testid=chosen-node]");
    await see("Germany", "[data-testid=chosen-node]");
    await see(`${tokens(PRICE * BigInt(MINUTES))} for ${MINUTES} minutes`, "[data-testid=plan-first-payment]");
    // One wall-clock hour of 3-second minutes: 1,200 minutes at 0.001.
    await see("1.2 tUSD — the default, one hour at this node's price", "[data-testid=plan-cap]");
    await see("Not refunded: exact payments are final", "[data-testid=plan-refund]");
    await see("a minute lasts 3 s here", "[data-testid=plan]");
    await shot("15-plan");
  });

  step("says Connecting… until the node sees the first handshake, then Connected", async () => {
    await ui.page.getByTestId("connect-toggle").click();
    await see("Paid. Import the WireGuard config", "[data-testid=connecting]", 30_000);
    await see("Connecting…", "[data-testid=status-pill]");
    await see("Connecting…", "[data-testid=connect-toggle]");
    await see("no handshake yet", "[data-testid=link-quality]");
    await see("WireGuard config:");
    await shot("16-connecting");
    // Nothing is renewed or called connected while the node has seen nothing.
    expect(await ui.page.getByTestId("connect-toggle").getAttribute("data-state")).toBe("connecting");
    answering = true;
    await ui.toggleState("on");
    await see("Connected to Fast test node");
    await see("Protected", "[data-testid=status-pill]");
    await see("Good", "[data-testid=link-quality]");
    await see(/handshake \d+ s ago \(as the node sees it\)/, "[data-testid=link-quality]");
  });

  step("connected: the timer runs, the money and bytes are shown", async () => {
    await see(tokens(PRICE * BigInt(MINUTES)), "[data-testid=spent]");
    await see("export (no kill switch)");
    // Per wall-clock hour at 3-second minutes: 1200 minutes × 0.001.
    await see("1.2 tUSD", "[data-testid=cost-per-hour]");
    const first = await testIdText("session-timer");
    await ui.page.waitForFunction(
      (was) => document.querySelector("[data-testid=session-timer]")?.textContent?.trim() !== was,
      first,
    );
    expect(await testIdText("time-left")).toMatch(/^0:\d\d$/);
    await see(/↓ [1-9][\d.]* (KB|MB)/, "[data-testid=bytes-down]", 15_000);
    await shot("06-connected");
  });

  step("renews before expiry, and the balance falls by exactly the price of each purchase", async () => {
    await see(/^[1-9]\d* renewals?$/, "[data-testid=renewals]", 30_000);
    const expected: Record<number, string> = {};
    for (let r = 1; r < 20; r++) expected[r] = tokens(FAUCET - PRICE * BigInt(MINUTES + r * RENEW_MINUTES));
    await ui.page.waitForFunction(
      (want) => {
        const renewals = Number.parseInt(document.querySelector("[data-testid=renewals]")?.textContent ?? "0", 10);
        const balance = document.querySelector("[data-testid=token-balance]")?.textContent?.trim();
        return renewals > 0 && balance === want[renewals];
      },
      expected,
      { timeout: 15_000 },
    );
    const renewals = Number.parseInt(await testIdText("renewals"), 10);
    const onChain = await balanceOf(address);
    // The chain agrees with the screen (a renewal landing in between would be one more purchase, exactly).
    const shown = Number.parseInt(await testIdText("renewals"), 10);
    expect(onChain).toBe(FAUCET - PRICE * BigInt(MINUTES + shown * RENEW_MINUTES));
    await see(tokens(PRICE * BigInt(MINUTES + renewals * RENEW_MINUTES)), "[data-testid=spent]");
    await see(/Renewed: \+5 minutes for 0\.005 tUSD/, "[data-testid=activity]");
    await shot("07-renewed");
    if (process.env.WG402_UPDATE_SCREENSHOT === "1") {
      await ui.page.setViewportSize({ width: 400, height: 860 });
      await ui.page.evaluate(() => window.scrollTo(0, 0));
      await ui.page.screenshot({ path: README_PNG, fullPage: false });
      await ui.page.setViewportSize({ width: 420, height: 900 });
      expect((await stat(README_PNG)).size).toBeLessThan(150 * 1024);
    }
  });

  step("warns when the balance drops below the warning level (drained on-chain, outside the app)", async () => {
    await expect(ui.page.getByTestId("low-balance-warning").count()).resolves.toBe(0);
    const key = await unlockKeystoreFile(join(dir, "home", "wallet.json"), PASSPHRASE);
    const drained = (await balanceOf(address)) - LEFT_AFTER_DRAIN;
    await tokenOf(stack).transfer(key, "0x000000000000000000000000000000000000dEaD", drained);
    await see("Low balance", "[data-testid=low-balance-warning]", 15_000);
    await see(`less than your warning level of ${LOW_BALANCE_MINUTES}`, "[data-testid=low-balance-warning]");
    await shot("08-low-balance");
  });

  step(
    "pauses, traffic held, when the balance cannot pay another renewal",
    async () => {
      await see("Paused — pay to continue", "[data-testid=paused]", 90_000);
      await see("Your balance does not cover another renewal.", "[data-testid=paused]");
      await see("Paused", "[data-testid=status-pill]");
      expect(await ui.page.getByTestId("connect-toggle").getAttribute("data-state")).toBe("paused");
      renewalsAtEnd = Number.parseInt(await testIdText("renewals"), 10);
      await see(/Lease ended\. Your balance does not cover another renewal\./, "[data-testid=activity]");
      await shot("09-paused");
    },
    120_000,
  );

  step("disconnects: Home sums the session up, and History has it with its tx hashes", async () => {
    const { page } = ui;
    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await ui.toggleState("off");
    await see("Not connected", "[data-testid=status-pill]");
    const paid = PRICE * BigInt(MINUTES + renewalsAtEnd * RENEW_MINUTES);
    await see(`${tokens(paid)} in ${1 + renewalsAtEnd} payments`, "[data-testid=summary-paid]");
    await see(/^lease_/, "[data-testid=summary-lease]");
    // The lease had run out: nothing was left over to forfeit.
    await see("No prepaid time was left over", "[data-testid=summary-refund]");
    await page.getByRole("button", { name: "History" }).click();
    const card = "[data-testid=history] > li:first-child";
    await see("Fast test node", card);
    await see(tokens(paid), `${card} [data-testid=history-paid]`);
    await see(`${1 + renewalsAtEnd} payments`, card);
    await see("Your balance does not cover another renewal.", card);
    await see(/\d[\d.]* (KB|MB)/, card);
    const hashes = await page.locator(`${card} [data-testid=tx-hash]`).allInnerTexts();
    expect(hashes).toHaveLength(1 + renewalsAtEnd);
    for (const hash of hashes) {
      const receipt = await stack.publicClient.getTransactionReceipt({ hash: hash.trim() as Hex });
      expect(receipt.status).toBe("success");
    }
    // What the history says was paid is what the operator received.
    expect(await balanceOf(stack.chain.stack.accounts.operator.address as Hex)).toBe(paid);
    await shot("10-history");
  });

  step("a small cap counts down in a banner, and the header says the session is ending", async () => {
    const { page } = ui;
    await page.getByRole("button", { name: "Home" }).click();
    // The faucet gives once a minute: the deployer mints the next 100 tUSD.
    await tokenOf(stack).mint(address, FAUCET);
    await page.getByRole("button", { name: "Refresh the balance" }).click();
    await see(/^100\.\d+ tUSD$/, "[data-testid=token-balance]");
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByLabel("A fixed amount").check();
    await page.getByLabel("Spend cap per session").fill(tokens(SMALL_CAP).replace(" tUSD", ""));
    await page.getByRole("button", { name: "Save cap" }).click();
    await see("Saved. It applies from your next connection.");
    await page.getByRole("button", { name: "Home" }).click();
    await ui.chooseNode("Fast test node");
    await see(tokens(SMALL_CAP), "[data-testid=plan-cap]");
    await page.getByTestId("connect-toggle").click();
    // 60 s of cap is inside the 2-minute warning from the start.
    await see("The spend cap ends this session", "[data-testid=cap-countdown]", 30_000);
    await ui.toggleState("ending");
    await see("Ending soon", "[data-testid=connect-toggle]");
    await see(/^Ends in 0:[0-5]\d$/, "[data-testid=status-pill]");
    const first = await testIdText("cap-countdown-time");
    expect(first).toMatch(/^[01]:\d\d$/);
    await page.waitForFunction(
      (was) => document.querySelector("[data-testid=cap-countdown-time]")?.textContent?.trim() !== was,
      first,
    );
    await shot("17-cap-countdown");
  });

  step("disconnecting early says what prepaid time is forfeited", async () => {
    await ui.page.getByTestId("connect-toggle").click();
    await ui.toggleState("off");
    await see(/of prepaid time \([\d.]+ tUSD\) was left unused and is not refunded/, "[data-testid=summary-refund]");
    await shot("18-disconnect-summary");
  });

  step("is readable at 360 px wide, in dark mode", async () => {
    const { page } = ui;
    await page.setViewportSize({ width: 360, height: 780 });
    await page.emulateMedia({ colorScheme: "dark" });
    await see("Fast test node");
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot("11-home-dark-360");
    await page.getByRole("button", { name: "History" }).click();
    await see("Fast test node", "[data-testid=history]");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot("12-history-dark-360");
  });
});
