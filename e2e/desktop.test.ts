// The desktop UI end to end in a real browser: Debian's Chromium driven by playwright-core, against the real
// UI daemon process (its built React UI and the client API), a real hardhat chain, the real facilitator and
// real agents (FakeDriver; one with a 3-second minute, so renewals are watched, not waited for). Every step
// fails the test when its expected text is missing, and leaves a screenshot in e2e/screenshots/.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Agent, buildAgent, loadAgentConfig } from "@wg402/agent";
import { unlockKeystoreFile } from "@wg402/client";
import { chains, writeLocalStack, x402TestUSDAbi } from "@wg402/shared";
import { FakeDriver } from "@wg402/wireguard";
import { pino } from "pino";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createWalletClient, formatUnits, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ensureRendererBuild } from "../desktop/src/build/ensureRendererBuild.ts";
import { startUiDaemonProcess, type UiDaemonProcess } from "../desktop/src/daemon/startUiDaemonProcess.ts";
import { type PaidStack, startPaidStack } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
const README_PNG = fileURLToPath(new URL("../desktop/docs/desktop.png", import.meta.url));
const PASSPHRASE = "correct horse battery staple";
const PRICE = 1_000n; // base units per billed minute on the fast node
const MINUTES = 5; // bought when connecting
const RENEW_MINUTES = 5; // bought per renewal
const LOW_BALANCE_MINUTES = 50; // the warning level set in Settings
const LEFT_AFTER_DRAIN = 12_000n; // 12 minutes: below the warning level, and two renewals before the money ends
const FAUCET = 100_000_000n; // 100 tUSD

type InProcessAgent = { agent: Agent; url: string; driver: FakeDriver; server: Server };

const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`e2e/desktop.test.ts skipped: no ${CHROMIUM} (apt-get install -y chromium)`);

let dir: string;
let stack: PaidStack;
let fast: InProcessAgent;
let standard: InProcessAgent;
let daemon: UiDaemonProcess;
let context: BrowserContext;
let page: Page;
let traffic: ReturnType<typeof setInterval> | undefined;
const daemonOutput: string[] = [];

async function startAgent(env: Record<string, string>): Promise<InProcessAgent> {
  const config = loadAgentConfig({
    ...stack.agentEnv,
    AGENT_PRICE_PER_MINUTE: PRICE.toString(),
    AGENT_DB_PATH: join(dir, `agent-${env.AGENT_NAME?.replace(/\W/g, "")}.sqlite`),
    AGENT_WG_SUBNET: "10.77.0.0/24",
    ...env,
  });
  const driver = new FakeDriver();
  const agent = buildAgent({
    config,
    driver,
    serverPublicKey: Buffer.alloc(32, env.AGENT_NAME?.length ?? 1).toString("base64"),
    logger: pino({ level: "silent" }),
  });
  await agent.start();
  const server = agent.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { agent, driver, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const tokens = (amount: bigint) => `${formatUnits(amount, 6)} tUSD`;

/** Waits for `text` inside `selector` (the whole page by default); the failure names what was missing. */
async function see(text: string | RegExp, selector = "body", timeout = 20_000): Promise<void> {
  try {
    await page.locator(selector).filter({ hasText: text }).first().waitFor({ state: "visible", timeout });
  } catch {
    const body = await page.evaluate(() => (document.body.textContent ?? "").slice(0, 3_000)).catch(() => "");
    await page.screenshot({ path: join(SCREENSHOTS, "failure.png"), fullPage: true }).catch(() => undefined);
    throw new Error(`expected ${String(text)} in ${selector}; the page shows:\n${body}`);
  }
}

/** One step of the flow; once a step fails the later ones fail at once instead of timing out one by one. */
let broken: string | null = null;
function step(name: string, fn: () => Promise<void>, timeoutMs = 60_000): void {
  it(
    name,
    async () => {
      if (broken) throw new Error(`not run: the step "${broken}" failed`);
      try {
        await fn();
      } catch (error) {
        broken = name;
        throw error;
      }
    },
    timeoutMs,
  );
}

const testIdText = async (id: string) => ((await page.getByTestId(id).first().textContent()) ?? "").trim();
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-e2e-"));
  await mkdir(SCREENSHOTS, { recursive: true });
  const built = ensureRendererBuild();
  stack = await startPaidStack(dir);
  fast = await startAgent({ AGENT_NAME: "Fast test node", AGENT_REGION: "eu-central", AGENT_SECONDS_PER_MINUTE: "3" });
  standard = await startAgent({ AGENT_NAME: "Standard node", AGENT_REGION: "us-east", AGENT_PRICE_PER_MINUTE: "2000" });
  // Traffic through the fake device, metered by the agent, so the UI has bytes to show.
  traffic = setInterval(() => {
    void fast.driver
      .listPeers()
      .then(async (peers) => {
        for (const peer of peers)
          if (peer.allowedIps.length > 0) fast.driver.addTraffic(peer.publicKey, 180_000, 2_400_000);
        await fast.agent.leases.peers.pollMeter();
      })
      .catch(() => undefined);
  }, 1_000);

  const stackFile = join(dir, "local.json");
  await writeLocalStack(
    { ...stack.chain.stack, services: { facilitator: stack.facilitatorUrl, agent: fast.url } },
    stackFile,
  );
  const { dir: staticDir } = await built;
  daemon = await startUiDaemonProcess(
    {
      WG402_HOME: join(dir, "home"),
      WG402_STACK_FILE: stackFile,
      WG402_PRIVATE_KEY: "",
      WG402_UI_PORT: "0",
      WG402_UI_STATIC_DIR: staticDir,
      WG402_UI_DRIVER: "export",
      WG402_UI_NODES: standard.url,
      WG402_UI_BALANCE_POLL_SECONDS: "1",
      WG402_UI_STATUS_SECONDS: "1",
    },
    { onOutput: (line) => daemonOutput.push(line) },
  );
  context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    viewport: { width: 420, height: 900 },
    colorScheme: "light",
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => daemonOutput.push(`[page error] ${error.message}`));
}, 180_000);

afterAll(async () => {
  if (traffic) clearInterval(traffic);
  await context?.close();
  await daemon?.stop();
  for (const agent of [fast, standard]) {
    if (!agent) continue;
    await new Promise((resolve) => agent.server.close(resolve));
    await agent.agent.close();
  }
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describeWithChromium("desktop UI in Chromium", () => {
  let address: Hex;
  let renewalsAtEnd = 0;

  step("prints its URL with the access token, and the page refuses to work without it", async () => {
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    await page.goto(daemon.url.replace(/\/#.*$/, "/index.html"));
    await see("needs the access token");
    await see("code: unauthorized");
  });

  step("first run: creates a wallet, shows its address and gets test funds", async () => {
    await page.goto(daemon.url);
    await see("Welcome to wg402");
    expect(page.url()).not.toContain("token=");
    await shot("01-first-run");
    await page.getByLabel("Passphrase", { exact: true }).fill(PASSPHRASE);
    await page.getByLabel("Repeat the passphrase").fill(`${PASSPHRASE}!`);
    await page.getByRole("button", { name: "Create wallet" }).click();
    await see("The two passphrases differ.");
    await see("code: passphrase_required");
    await page.getByLabel("Repeat the passphrase").fill(PASSPHRASE);
    await page.getByRole("button", { name: "Create wallet" }).click();
    await see("Your wallet is ready", "body", 30_000);
    address = (await testIdText("wallet-address")) as Hex;
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    await see("0 tUSD", "[data-testid=token-balance]");
    await shot("02-wallet-created");

    await page.getByRole("button", { name: "Get test funds" }).click();
    await see("Received 100 tUSD", "body", 30_000);
    await see("100 tUSD", "[data-testid=token-balance]");
    expect(
      await stack.publicClient.readContract({
        address: stack.chain.stack.token.address as Hex,
        abi: x402TestUSDAbi,
        functionName: "balanceOf",
        args: [address],
      }),
    ).toBe(FAUCET);
    await shot("03-funded");
    await page.getByRole("button", { name: "Continue" }).click();
  });

  step("home: lists both nodes with price, latency and capacity, the cheapest and the fastest marked", async () => {
    await see("Fast test node");
    await see("Standard node");
    await see("eu-central");
    await see("us-east");
    await see("0.001 tUSD/min", "label");
    await see("0.002 tUSD/min", "label");
    await see("Cheapest");
    await see("Fastest");
    await see(/\d+ of \d+ free/);
    // Per wall-clock hour the 60-second node is cheaper than the 3-second one, and is marked so.
    await see("Cheapest", "label:has-text('Standard node')");
    await shot("04-home-nodes");
  });

  step("settings: minutes per purchase and renewal, and the low-balance warning level", async () => {
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByLabel("Minutes bought when connecting").fill(String(MINUTES));
    await page.getByLabel("Minutes bought per renewal").fill(String(RENEW_MINUTES));
    await page.getByLabel("Warn when the balance covers fewer minutes than").fill(String(LOW_BALANCE_MINUTES));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await see("Saved.");
    await see("export (default)");
    await shot("05-settings");
    // A bad explorer template is refused with a sentence and its code.
    await page.getByLabel("Explorer for eip155:31337").fill("javascript:alert(1)");
    await page.getByRole("button", { name: "Save links" }).click();
    await see("code: invalid_argument");
    await page.getByLabel("Explorer for eip155:31337").fill("");
    await page.getByRole("button", { name: "Home" }).click();
  });

  step("the Connect toggle is reachable with the keyboard", async () => {
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

  step("connects to the picked node with the export driver and the timer runs", async () => {
    await page.locator("label", { hasText: "Fast test node" }).locator("input[type=radio]").check();
    await see(`Fast test node asks ${tokens(PRICE * BigInt(MINUTES))} for ${MINUTES} minutes.`);
    await page.getByTestId("connect-toggle").click();
    await page.locator("[data-testid=connect-toggle][data-state=on]").waitFor({ timeout: 30_000 });
    await see("Connected to Fast test node");
    await see("Protected", "[data-testid=status-pill]");
    await see(tokens(PRICE * BigInt(MINUTES)), "[data-testid=spent]");
    await see("export (no kill switch)");
    await see("WireGuard config:");
    // Per wall-clock hour at 3-second minutes: 1200 minutes × 0.001.
    await see("1.2 tUSD", "[data-testid=cost-per-hour]");
    const first = await testIdText("session-timer");
    await page.waitForTimeout(2_200);
    const later = await testIdText("session-timer");
    expect(later).not.toBe(first);
    expect(await testIdText("time-left")).toMatch(/^0:\d\d$/);
    await see(/↓ [1-9][\d.]* (KB|MB)/, "[data-testid=bytes-down]", 15_000);
    await shot("06-connected");
  });

  step("renews before expiry, and the balance falls by exactly the price of each purchase", async () => {
    await see(/^[1-9]\d* renewals?$/, "[data-testid=renewals]", 30_000);
    const expected: Record<number, string> = {};
    for (let r = 1; r < 20; r++) expected[r] = tokens(FAUCET - PRICE * BigInt(MINUTES + r * RENEW_MINUTES));
    await page.waitForFunction(
      (want) => {
        const renewals = Number.parseInt(document.querySelector("[data-testid=renewals]")?.textContent ?? "0", 10);
        const balance = document.querySelector("[data-testid=token-balance]")?.textContent?.trim();
        return renewals > 0 && balance === want[renewals];
      },
      expected,
      { timeout: 15_000 },
    );
    const renewals = Number.parseInt(await testIdText("renewals"), 10);
    const onChain = await stack.publicClient.readContract({
      address: stack.chain.stack.token.address as Hex,
      abi: x402TestUSDAbi,
      functionName: "balanceOf",
      args: [address],
    });
    // The chain agrees with the screen (a renewal landing in between would be one more purchase, exactly).
    const shown = Number.parseInt(await testIdText("renewals"), 10);
    expect(onChain).toBe(FAUCET - PRICE * BigInt(MINUTES + shown * RENEW_MINUTES));
    await see(tokens(PRICE * BigInt(MINUTES + renewals * RENEW_MINUTES)), "[data-testid=spent]");
    await see(/Renewed: \+5 minutes for 0\.005 tUSD/, "[data-testid=activity]");
    await shot("07-renewed");
    if (process.env.WG402_UPDATE_SCREENSHOT === "1") {
      await page.setViewportSize({ width: 400, height: 860 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: README_PNG, fullPage: false });
      await page.setViewportSize({ width: 420, height: 900 });
      expect((await stat(README_PNG)).size).toBeLessThan(150 * 1024);
    }
  });

  step("warns when the balance drops below the warning level (drained on-chain, outside the app)", async () => {
    await expect(page.getByTestId("low-balance-warning").count()).resolves.toBe(0);
    const key = await unlockKeystoreFile(join(dir, "home", "wallet.json"), PASSPHRASE);
    const wallet = createWalletClient({
      account: privateKeyToAccount(key),
      chain: chains.local.viem,
      transport: http(stack.chain.rpcUrl),
    });
    const token = stack.chain.stack.token.address as Hex;
    const balance = await stack.publicClient.readContract({
      address: token,
      abi: x402TestUSDAbi,
      functionName: "balanceOf",
      args: [address],
    });
    const hash = await wallet.writeContract({
      address: token,
      abi: x402TestUSDAbi,
      functionName: "transfer",
      args: ["0x000000000000000000000000000000000000dEaD", balance - LEFT_AFTER_DRAIN],
    });
    await stack.publicClient.waitForTransactionReceipt({ hash });
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
      expect(await page.getByTestId("connect-toggle").getAttribute("data-state")).toBe("paused");
      renewalsAtEnd = Number.parseInt(await testIdText("renewals"), 10);
      await see(/Lease ended\. Your balance does not cover another renewal\./, "[data-testid=activity]");
      await shot("09-paused");
    },
    150_000,
  );

  step("disconnects, and the session is in History with its duration, bytes, amount and tx hashes", async () => {
    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await page.locator("[data-testid=connect-toggle][data-state=off]").waitFor({ timeout: 30_000 });
    await see("Not connected", "[data-testid=status-pill]");
    await page.getByRole("button", { name: "History" }).click();
    const card = "[data-testid=history] > li:first-child";
    await see("Fast test node", card);
    await see("eu-central", card);
    const paid = PRICE * BigInt(MINUTES + renewalsAtEnd * RENEW_MINUTES);
    await see(tokens(paid), `${card} [data-testid=history-paid]`);
    await see(`${1 + renewalsAtEnd} payments`, card);
    await see("Your balance does not cover another renewal.", card);
    await see(/\d+ (s|min)/, card);
    await see(/\d[\d.]* (KB|MB)/, card);
    const hashes = await page.locator(`${card} [data-testid=tx-hash]`).allInnerTexts();
    expect(hashes).toHaveLength(1 + renewalsAtEnd);
    for (const hash of hashes) {
      const receipt = await stack.publicClient.getTransactionReceipt({ hash: hash.trim() as Hex });
      expect(receipt.status).toBe("success");
    }
    // What the history says was paid is what the operator received.
    expect(
      await stack.publicClient.readContract({
        address: stack.chain.stack.token.address as Hex,
        abi: x402TestUSDAbi,
        functionName: "balanceOf",
        args: [stack.chain.stack.accounts.operator.address as Hex],
      }),
    ).toBe(paid);
    await shot("10-history");
  });

  step("is readable at 360 px wide, in dark mode", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.getByRole("button", { name: "Home" }).click();
    await see("Fast test node");
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot("11-home-dark-360");
    await page.getByRole("button", { name: "History" }).click();
    await see("Fast test node", "[data-testid=history]");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot("12-history-dark-360");
  });

  afterAll(async () => {
    if (daemonOutput.some((line) => line.startsWith("[page error]"))) {
      throw new Error(`the page reported errors:\n${daemonOutput.join("\n")}`);
    }
    await writeFile(join(SCREENSHOTS, "daemon.log"), `${daemonOutput.join("\n")}\n`).catch(() => undefined);
  });
});
