// The desktop UI on a real WireGuard tunnel: the real agent process with a wireguard-go interface in one
// network namespace, the UI daemon's userspace tunnel in another (WG402_UI_NETNS), and Chromium watching.
// With the node's UDP port dropped the app says "Connecting…" (paid, no handshake); once the rule is lifted
// the real handshake makes it "Protected". Dropping UDP again mid-session, with a ping running, makes it
// "Stalled" (renewals held); lifting it makes it recover. Skips with the reason without root or tools.
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { writeLocalStack } from "@wg402/shared";
import { runCommand, UapiDriver, uapiSocketPath } from "@wg402/wireguard";
import {
  createNetnsPair,
  describeOrSkip,
  execIn,
  type NetnsPair,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import { DesktopUi, flowSteps, hasChromium } from "./desktopHarness.ts";
import { type PaidStack, startPaidStack } from "./support.ts";

const WG_PORT = 51820;
const skip =
  (hasChromium ? null : "no /usr/bin/chromium") ??
  (await userspaceSkipReason({ needWg: true })) ??
  ((await runCommand("iptables", ["--version"]).catch(() => null)) ? null : "no iptables");

let dir: string;
let stack: PaidStack;
let pair: NetnsPair;
let agent: AgentProcess;
let ping: ChildProcess | undefined;
const ui = new DesktopUi();
const agentIface = uniqueName("wgd");
const clientIface = uniqueName("wgc");
const octet = randomInt(1, 250);
const gateway = `10.71.${octet}.1`;
const dropRule = ["INPUT", "-p", "udp", "--dport", String(WG_PORT), "-j", "DROP"];
const blockUdp = () => execIn(pair.a, "iptables", ["-I", ...dropRule]);
const unblockUdp = () => execIn(pair.a, "iptables", ["-D", ...dropRule]).catch(() => undefined);

beforeAll(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-tunnel-"));
  stack = await startPaidStack(dir);
  pair = await createNetnsPair({ prefix: "wgd" });
  await execIn(pair.b, "ip", ["route", "add", "default", "via", pair.addrA]);
  agent = await startAgentProcess({
    ...stack.agentEnv,
    AGENT_NAME: "Tunnel node",
    AGENT_REGION: "NL",
    AGENT_DB_PATH: join(dir, "agent.sqlite"),
    AGENT_WG_MODE: "userspace",
    AGENT_WG_NETNS: pair.a,
    AGENT_WG_INTERFACE: agentIface,
    AGENT_WG_LISTEN_PORT: String(WG_PORT),
    AGENT_WG_ENDPOINT_HOST: pair.addrA,
    AGENT_WG_SUBNET: `10.71.${octet}.0/24`,
    AGENT_WG_DNS: "",
    AGENT_WG_PRIVATE_KEY_FILE: join(dir, "agent.key"),
    AGENT_SECONDS_PER_MINUTE: "4",
  });
  const stackFile = join(dir, "local.json");
  await writeLocalStack(
    { ...stack.chain.stack, services: { ...stack.chain.stack.services, agent: agent.url } },
    stackFile,
  );
  const wallet = await stack.fundedWallet(1_000_000n);
  await ui.start(dir, {
    WG402_STACK_FILE: stackFile,
    WG402_RPC_URL_LOCAL: stack.chain.rpcUrl,
    WG402_PRIVATE_KEY: wallet.privateKey,
    WG402_UI_DRIVER: "userspace",
    WG402_UI_NETNS: pair.b,
    WG402_UI_INTERFACE: clientIface,
    WG402_UI_STALE_AFTER_SECONDS: "2",
  });
}, 180_000);

afterAll(async () => {
  if (skip) return;
  ping?.kill("SIGKILL");
  if (pair) await unblockUdp();
  await ui.stop("daemon-tunnel.log").finally(async () => {
    await agent?.stop();
    await pair?.cleanup();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}, 60_000);

describeOrSkip(skip, "desktop UI on a real WireGuard tunnel", () => {
  const step = flowSteps();
  const see = ui.see.bind(ui);

  step("lists the node with its country, the wallet unlocked from WG402_PRIVATE_KEY", async () => {
    await ui.page.goto(ui.daemon.url);
    await see("Tunnel node", "[data-testid=chosen-node]");
    await see("Netherlands", "[data-testid=chosen-node]");
  });

  step("says Connecting… while the node's UDP is dropped, and Protected after the real handshake", async () => {
    await blockUdp();
    await ui.page.getByTestId("connect-toggle").click();
    await see("Paid. Waiting for the first WireGuard handshake", "[data-testid=connecting]", 30_000);
    await see("Connecting…", "[data-testid=status-pill]");
    await see("Connecting…", "[data-testid=connect-toggle]");
    await see("no handshake yet", "[data-testid=link-quality]");
    await ui.shot("22-tunnel-connecting");
    await unblockUdp();
    // wireguard-go retries its handshake every 5 s; the app gives it 10.
    await ui.toggleState("on", 15_000);
    await see("Protected", "[data-testid=status-pill]");
    await see(/handshake \d+ s ago$/, "[data-testid=link-quality]");
    // WireGuard's own word for it, from the client device's control socket.
    const device = new UapiDriver({ socketPath: uapiSocketPath(clientIface) });
    const [peer] = await device.listPeers();
    await device.close();
    expect(peer?.lastHandshakeAt).toBeInstanceOf(Date);
    // Traffic keeps a healthy tunnel's counters moving between WireGuard's two-minute handshakes.
    ping = spawn("ip", ["netns", "exec", pair.b, "ping", "-n", "-i", "0.2", gateway], { stdio: "ignore" });
    await see("Good", "[data-testid=link-quality]");
    await ui.shot("23-tunnel-connected");
  });

  step("goes Stalled when the node stops answering, holds renewals, and recovers when it answers", async () => {
    const renewals = await ui.testIdText("renewals");
    await blockUdp();
    await see("Stalled — renewals held", "[data-testid=stalled]", 20_000);
    await see("Stalled", "[data-testid=status-pill]");
    await ui.toggleState("stalled", 5_000);
    await see("Stalled", "[data-testid=link-quality]");
    await see("UDP to the node may be blocked", "[data-testid=stalled]");
    await ui.shot("24-stalled");
    expect(await ui.testIdText("next-renewal")).toBe("—");
    expect(await ui.testIdText("renewals")).toBe(renewals);
    await unblockUdp();
    await ui.toggleState("on", 20_000);
    await see("Protected", "[data-testid=status-pill]");
  });

  step("disconnects: the interface is gone and Home sums the session up", async () => {
    await ui.page.getByTestId("connect-toggle").click();
    await ui.toggleState("off");
    await see(/^lease_/, "[data-testid=summary-lease]");
    await expect(execIn(pair.b, "ip", ["link", "show", clientIface])).rejects.toThrow();
  });
});
