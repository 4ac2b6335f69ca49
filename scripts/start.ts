// `npm start`: the embedded local default. Starts each service in order, writes .wg402/local.json for
// everything that needs to find the others, prints one `<name>  <URL>` line per service and stops them all,
// in reverse order, on Ctrl-C or SIGTERM.

import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { DEFAULT_DEMO_FUNDS, deployLocalStack, devAccount, startHardhatNode } from "@wg402/contracts";
import { startUiDaemonProcess } from "@wg402/desktop/daemon";
import { startFacilitatorProcess } from "@wg402/facilitator";
import { defaultLocalStackPath, localStackPath, writeLocalStack } from "@wg402/shared";
import { formatUnits } from "viem";
import { type LocalNode, localNodeSpecs, startLocalNode, waitForRegistration } from "./lib/localNodes.ts";

type Running = { name: string; stop: () => Promise<void> };
const running: Running[] = [];
let stopping = false;

async function shutdown(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const service of running.reverse()) {
      await service.stop().catch((error: unknown) => console.error(`${service.name}: stop failed: ${error}`));
    }
  }
  process.exit(exitCode);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

const line = (name: string, value: string) => console.log(`${name.padEnd(12)} ${value}`);

/** The port asked for (WG402_*_PORT), else the default if it is free, else any free one ("0"). */
async function portFor(variable: string, preferred: number): Promise<string> {
  const asked = process.env[variable];
  if (asked) return asked;
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(preferred, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
  return free ? String(preferred) : "0";
}

/**
 * The stack file, and with it the directory of the ledgers: the default one, unless a live stack already
 * runs from it, in which case this stack gets a directory of its own (said in the connect line).
 */
async function claimStackFile(): Promise<{ file: string; release: () => Promise<void> }> {
  if (process.env.WG402_STACK_FILE) return { file: localStackPath(), release: async () => undefined };
  const base = process.env.WG402_STACK_DIR ?? dirname(defaultLocalStackPath);
  await mkdir(base, { recursive: true });
  const owner = join(base, "stack.pid");
  const holder = (await readFile(owner, "utf8").catch(() => "")).trim();
  if (/^\d+$/.test(holder) && holder !== String(process.pid) && existsSync(`/proc/${holder}`)) {
    const file = join(base, `stack-${process.pid}`, "local.json");
    return { file, release: () => rm(dirname(file), { recursive: true, force: true }) };
  }
  await writeFile(owner, String(process.pid));
  return { file: join(base, "local.json"), release: () => rm(owner, { force: true }) };
}

try {
  const { file, release } = await claimStackFile();
  running.push({ name: "stack file", stop: release });
  const chain = await startHardhatNode({ port: Number(await portFor("WG402_CHAIN_PORT", 8545)) });
  running.push({ name: "chain", stop: chain.stop });
  const stack = await deployLocalStack({ rpcUrl: chain.rpcUrl });
  const stateDir = dirname(file);
  // The chain is new on every start, so yesterday's ledgers describe payments on a chain that is gone.
  const ledgers = ["facilitator", ...localNodeSpecs.map((spec) => spec.service)].map((name) => `${name}.sqlite`);
  for (const db of ledgers) {
    await Promise.all(["", "-wal", "-shm"].map((suffix) => rm(join(stateDir, `${db}${suffix}`), { force: true })));
  }

  // batch-settlement: the facilitator's receiver authorizer, which servers delegate claims to; a fixed dev key of
  // its own (the node's tenth account, a role no other tool uses), never the signer's. Open, as here, it signs no
  // refund (that takes FACILITATOR_API_KEYS).
  const receiverAuthorizer = devAccount(9);
  const facilitator = await startFacilitatorProcess(
    {
      FACILITATOR_PRIVATE_KEY: stack.accounts.facilitator.privateKey,
      FACILITATOR_AUTHORIZER_PRIVATE_KEY: receiverAuthorizer.privateKey,
      FACILITATOR_PORT: await portFor("WG402_FACILITATOR_PORT", 4020),
      FACILITATOR_DB_PATH: join(stateDir, "facilitator.sqlite"),
      FACILITATOR_ALLOWED_ASSETS: stack.token.address,
      WG402_RPC_URL_LOCAL: chain.rpcUrl,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    { onOutput: (text) => console.error(`[facilitator] ${text}`) },
  );
  running.push({ name: "facilitator", stop: facilitator.stop });
  stack.services.facilitator = facilitator.url;

  // Three nodes, registered one after another (they share the registrant's key).
  const nodes: LocalNode[] = [];
  for (const [index, spec] of localNodeSpecs.entries()) {
    const node = await startLocalNode({
      spec,
      index,
      stack,
      stateDir,
      port: await portFor(spec.portVariable, spec.port),
      facilitatorUrl: facilitator.url,
      rpcUrl: chain.rpcUrl,
      onStarted: (name, stop) => running.push({ name, stop }),
    });
    await waitForRegistration(node);
    stack.services[spec.service] = node.agent.url;
    nodes.push(node);
  }
  const [first] = nodes as [LocalNode];
  const agent = first.agent;
  const node = first.namespace;
  await writeLocalStack(stack, file);

  const ui = await startUiDaemonProcess(
    { WG402_STACK_FILE: file, WG402_UI_PORT: await portFor("WG402_UI_PORT", 4030) },
    { onOutput: (text) => console.error(`[ui] ${text}`) },
  );
  running.push({ name: "ui", stop: ui.stop });
  stack.services.ui = ui.url;
  await writeLocalStack(stack, file);

  line("chain", chain.rpcUrl);
  line("facilitator", facilitator.url);
  line("", `schemes exact, batch-settlement; receiverAuthorizer ${receiverAuthorizer.address}`);
  for (const { spec, agent: nodeAgent, namespace } of nodes) {
    const price = `${spec.pricePerMinute}/min${spec.pricePerMb ? `, ${spec.pricePerMb}/MB` : ""}`;
    line(spec.service, `${nodeAgent.url}  (${spec.country} ${spec.label}, ${price}; WireGuard: ${nodeAgent.driver})`);
    if (!("unavailable" in namespace)) {
      line(
        "",
        `node ${namespace.endpointHost} via ${namespace.hostInterface}, tunnel subnet ${namespace.tunnelSubnet}`,
      );
    }
  }
  if ("unavailable" in node) line("", `no real tunnel on this machine: ${node.unavailable}`);
  if (stack.registry)
    line(
      "registry",
      `${stack.registry.address} (${nodes.length} nodes registered; try: npm run --silent wg402 -- nodes)`,
    );
  line("ui", ui.url);
  line("token", `${stack.token.address} (${stack.token.symbol}, ${stack.token.decimals} decimals)`);
  line("demo wallet", stack.accounts.demo.address);
  line("demo key", `${stack.accounts.demo.privateKey} (local chain only: a publicly known test key)`);
  line("demo funds", `${formatUnits(DEFAULT_DEMO_FUNDS, stack.token.decimals)} ${stack.token.symbol}`);
  line("stack file", file);
  // The exact command a newcomer can paste: a real tunnel where this machine has one, else a config export.
  // `--silent` keeps npm's banner off stdout, so `--json` output stays clean.
  const driver = "unavailable" in node ? "export" : "userspace";
  const sudo = driver === "userspace" && process.getuid?.() !== 0 ? "sudo " : "";
  // A second stack on this host: its own stack file, and a client interface of its own.
  const second = file !== defaultLocalStackPath;
  const stackEnv = second ? `WG402_STACK_FILE=${file} ` : "";
  const iface = second ? ` --interface ${`wg402c${process.pid}`.slice(0, 15)}` : "";
  console.log(
    `\nConnect the demo wallet (another terminal):\n  ${sudo}${stackEnv}WG402_PRIVATE_KEY=${stack.accounts.demo.privateKey} npm run --silent wg402 -- connect ${agent.url} --minutes 5 --auto-renew --max-spend 0.05 --driver ${driver}${iface}`,
  );
  console.log("\nwg402 local stack is up. Press Ctrl-C to stop.");
} catch (error) {
  console.error(`wg402: could not start the local stack: ${(error as Error).message}`);
  await shutdown(1);
}
