// What the desktop e2e files share: Debian's Chromium driven by playwright-core against the real UI daemon
// process (its built React UI), steps that stop at the first failure, waits on what the page shows (never
// sleeps), screenshots into e2e/screenshots/, and an in-process agent on a FakeDriver.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Agent, buildAgent, loadAgentConfig } from "@wg402/agent";
import { chains, x402TestUSDAbi } from "@wg402/shared";
import { FakeDriver } from "@wg402/wireguard";
import { pino } from "pino";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createWalletClient, formatUnits, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ensureRendererBuild } from "../desktop/src/build/ensureRendererBuild.ts";
import { startUiDaemonProcess, type UiDaemonProcess } from "../desktop/src/daemon/startUiDaemonProcess.ts";
import type { PaidStack } from "./support.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
export const hasChromium = existsSync(CHROMIUM);

export const tokens = (amount: bigint) => `${formatUnits(amount, 6)} tUSD`;

/** The UI daemon (built renderer, the env given) and a Chromium page on it; `output` collects both's lines. */
export class DesktopUi {
  readonly output: string[] = [];
  daemon!: UiDaemonProcess;
  context!: BrowserContext;
  page!: Page;

  async start(dir: string, env: Record<string, string>): Promise<void> {
    await mkdir(SCREENSHOTS, { recursive: true });
    const { dir: staticDir } = await ensureRendererBuild();
    this.daemon = await startUiDaemonProcess(
      {
        WG402_HOME: join(dir, "home"),
        WG402_PRIVATE_KEY: "",
        WG402_UI_PORT: "0",
        WG402_UI_STATIC_DIR: staticDir,
        WG402_UI_BALANCE_POLL_SECONDS: "1",
        WG402_UI_STATUS_SECONDS: "1",
        ...env,
      },
      { onOutput: (line) => this.output.push(line) },
    );
    this.context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
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
      acceptDownloads: true,
    });
    await this.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: new URL(this.daemon.url).origin,
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.on("pageerror", (error) => this.output.push(`[page error] ${error.message}`));
  }

  /** Closes the browser and the daemon, and fails when the page reported an error. */
  async stop(logName: string): Promise<void> {
    await this.context?.close();
    await this.daemon?.stop();
    await writeFile(join(SCREENSHOTS, logName), `${this.output.join("\n")}\n`).catch(() => undefined);
    const errors = this.output.filter((line) => line.startsWith("[page error]"));
    if (errors.length > 0) throw new Error(`the page reported errors:\n${errors.join("\n")}`);
  }

  /** Waits for `text` inside `selector` (the whole page by default); the failure names what was missing. */
  async see(text: string | RegExp, selector = "body", timeout = 20_000): Promise<void> {
    const { page } = this;
    try {
      await page.locator(selector).filter({ hasText: text }).first().waitFor({ state: "visible", timeout });
    } catch {
      const body = await page.evaluate(() => (document.body.textContent ?? "").slice(0, 3_000)).catch(() => "");
      await page.screenshot({ path: join(SCREENSHOTS, "failure.png"), fullPage: true }).catch(() => undefined);
      throw new Error(`expected ${String(text)} in ${selector}; the page shows:\n${body}`);
    }
  }

  /**
   * Picks the node named `name` in the node list. A relist can re-render the list under the click (a slow
   * probe on a loaded machine briefly marks a node unreachable), so it retries until the choice holds.
   */
  async chooseNode(name: string, timeout = 20_000): Promise<void> {
    const radio = this.page.locator("label", { hasText: name }).locator("input[type=radio]");
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        await radio.check({ timeout: 5_000 });
        if (await radio.isChecked()) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`the node "${name}" could not be chosen`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Waits until the Connect toggle is in `state` (its data-state). */
  toggleState(state: string, timeout = 30_000): Promise<void> {
    return this.page
      .locator(`[data-testid=connect-toggle][data-state=${state}]`)
      .waitFor({ timeout })
      .catch(async (error: unknown) => {
        const now = await this.page.getByTestId("connect-toggle").getAttribute("data-state");
        throw new Error(`the Connect toggle stayed "${now}", not "${state}": ${String(error)}`);
      });
  }

  async testIdText(id: string): Promise<string> {
    return ((await this.page.getByTestId(id).first().textContent()) ?? "").trim();
  }

  async shot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }
}

/**
 * `step(name, fn)`: one `it` of a flow; once a step fails, the later ones fail at once instead of timing out
 * one by one.
 */
export function flowSteps(): (name: string, fn: () => Promise<void>, timeoutMs?: number) => void {
  let broken: string | null = null;
  return (name, fn, timeoutMs = 60_000) =>
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

export type InProcessAgent = { agent: Agent; url: string; driver: FakeDriver; close: () => Promise<void> };

/** An agent on a FakeDriver, in this process: the test decides when its peers handshake and pass traffic. */
export async function startFakeAgent(agentEnv: Record<string, string>, dbPath: string): Promise<InProcessAgent> {
  const config = loadAgentConfig({ AGENT_WG_SUBNET: "10.77.0.0/24", ...agentEnv, AGENT_DB_PATH: dbPath });
  const driver = new FakeDriver();
  const agent = buildAgent({
    config,
    driver,
    serverPublicKey: Buffer.alloc(32, (agentEnv.AGENT_NAME ?? "").length || 1).toString("base64"),
    logger: pino({ level: "silent" }),
  });
  await agent.start();
  const server: Server = agent.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  };
  return { agent, driver, close, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The test token on the stack's chain: a balance, and a transfer or mint signed by `privateKey`. */
/**
 * Plays the WireGuard app that imported the config: while `answering()`, every peer of `node` with allowed IPs
 * handshakes and passes traffic each second, and the node's meter reads it. Returns the stop function.
 */
export function answerAsWireguardApp(node: InProcessAgent, answering: () => boolean): () => void {
  const timer = setInterval(() => {
    if (!answering()) return;
    void node.driver
      .listPeers()
      .then(async (peers) => {
        for (const peer of peers) {
          if (peer.allowedIps.length === 0) continue;
          node.driver.handshake(peer.publicKey, new Date());
          node.driver.addTraffic(peer.publicKey, 180_000, 2_400_000);
        }
        await node.agent.leases.peers.pollMeter();
      })
      .catch(() => undefined);
  }, 1_000);
  return () => clearInterval(timer);
}

export function tokenOf(stack: PaidStack) {
  const address = stack.chain.stack.token.address as Hex;
  const send = async (privateKey: Hex, functionName: "transfer" | "mint", to: Hex, amount: bigint) => {
    const wallet = createWalletClient({
      account: privateKeyToAccount(privateKey),
      chain: chains.local.viem,
      transport: http(stack.chain.rpcUrl),
    });
    const hash = await wallet.writeContract({ address, abi: x402TestUSDAbi, functionName, args: [to, amount] });
    await stack.publicClient.waitForTransactionReceipt({ hash });
  };
  return {
    balanceOf: (owner: Hex) =>
      stack.publicClient.readContract({ address, abi: x402TestUSDAbi, functionName: "balanceOf", args: [owner] }),
    transfer: (privateKey: Hex, to: Hex, amount: bigint) => send(privateKey, "transfer", to, amount),
    /** The stack's deployer mints (the faucet gives once a minute). */
    mint: (to: Hex, amount: bigint) => send(stack.chain.stack.accounts.deployer.privateKey as Hex, "mint", to, amount),
  };
}
