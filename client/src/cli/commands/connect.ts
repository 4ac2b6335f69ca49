import type { Command } from "@commander-js/extra-typings";
import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../../errors.ts";
import { openSession } from "../../session/openSession.ts";
import { readSessionState } from "../../session/sessionState.ts";
import { DEFAULT_INTERFACE, type VpnSession } from "../../session/vpnSession.ts";
import { endings, reportSession } from "../connectReport.ts";
import { type CliContext, capOption, sessionCapOption } from "../context.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatStatusLine } from "../liveLine.ts";
import {
  parseAmount,
  parseCapAmount,
  parseDriver,
  parseInterfaceName,
  parseMegabytes,
  parseMinutes,
  parseNetns,
  parseScheme,
  parseSeconds,
} from "../options.ts";
import type { Output } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { discoveryOptions, pickForConnect } from "./nodes.ts";

function connectCommand(program: Command, runner: CommandRunner) {
  return runner
    .leaf(
      discoveryOptions(program.command("connect").argument("[url]", "the node's URL (or --best)")),
      "buy a lease, bring the tunnel up and (with --auto-renew) keep it alive; Ctrl-C closes it",
    )
    .option(
      "--best",
      "pick the node from the NodeRegistry: the cheapest of the fastest verified nodes (see wg402 nodes)",
    )
    .option("--minutes <n>", "minutes to buy now (a time lease; with --mb, a hybrid one)", parseMinutes)
    .option("--mb <n>", "megabytes to buy now (a data lease; with --minutes, a hybrid one)", parseMegabytes)
    .option("--auto-renew", "renew before expiry (or before the data runs out) until Ctrl-C, the cap or the balance")
    .option("--renew-minutes <n>", "minutes per renewal (default: --minutes)", parseMinutes)
    .option("--renew-mb <n>", "megabytes per data renewal (default: --mb)", parseMegabytes)
    .option(
      "--max-spend <amount>",
      "session spend cap in tokens, e.g. 0.05, or none (default: one hour at the node's price)",
      parseCapAmount,
    )
    .option("--max-payment <amount>", "cap on any single payment, in tokens", parseAmount)
    .option(
      "--scheme <scheme>",
      "exact (one on-chain payment per purchase) or channel (one deposit, renewals off-chain, billed to the second); default: channel when the node offers it",
      parseScheme,
    )
    .option(
      "--require-signed",
      "refuse to pay unless the node's x402 offer is signed by the offerSigner its info advertises (a bad signature is refused always)",
    )
    .option(
      "--keep-deposit",
      "channel: at disconnect keep the unused deposit in the channel for the next connect (no refund now, no deposit then)",
    )
    .option(
      "--driver <driver>",
      "wg-quick (system, root), userspace (wireguard-go, root) or export (a .conf + QR, no root)",
      parseDriver,
      "wg-quick",
    )
    .option("--interface <name>", "interface (and config file) name", parseInterfaceName, DEFAULT_INTERFACE)
    .option("--netns <name>", "bring the tunnel up inside this network namespace (userspace, wg-quick)", parseNetns)
    .option("--output <path>", "export: write the config here")
    .option("--no-qr", "export: do not print the QR code")
    .option("--ignore-dns", "wg-quick: keep the system resolver instead of the node's DNS")
    .option("--status-interval <seconds>", "how often to read the lease's numbers from the node", parseSeconds, 5)
    .option(
      "--handshake-timeout <seconds>",
      "how long to wait for the first WireGuard handshake before closing the lease (default 10; export 120)",
      parseSeconds,
    )
    .option(
      "--stale-after <seconds>",
      "a tunnel with no handshake and nothing received for this long is stalled and not renewed",
      parseSeconds,
      180,
    );
}

type ConnectOptions = ReturnType<ReturnType<typeof connectCommand>["opts"]>;

export function registerConnectCommand(program: Command, runner: CommandRunner): void {
  connectCommand(program, runner).action(runner.handler((ctx, out, options, url) => connect(ctx, out, options, url)));
}

async function connect(
  ctx: CliContext,
  out: Output,
  options: ConnectOptions,
  url: string | undefined,
): Promise<number> {
  const { io } = ctx;
  if (options.netns && options.driver === "export") {
    throw usage("--netns needs the userspace or wg-quick driver: export brings no interface up");
  }
  if (options.output && options.driver !== "export") throw usage("--output is for --driver export");
  if (options.renewMinutes && !options.autoRenew) throw usage("--renew-minutes needs --auto-renew");
  if (options.renewMb && !options.autoRenew) throw usage("--renew-mb needs --auto-renew");
  if (options.minutes === undefined && options.mb === undefined)
    throw usage("say what to buy: --minutes, --mb or both");
  if (options.renewMinutes && options.minutes === undefined) throw usage("--renew-minutes needs --minutes");
  if (options.renewMb && options.mb === undefined) throw usage("--renew-mb needs --mb");
  if (options.best && url !== undefined) throw usage("give a node URL or --best, not both");
  if (!options.best && url === undefined)
    throw usage("say which node: its URL, or --best to pick one from the registry");
  if (
    !options.best &&
    (options.region || options.registry || options.network || options.deadline || options.latencySlack)
  ) {
    throw usage("--region, --registry, --network, --deadline and --latency-slack choose a node for --best");
  }
  const existing = await readSessionState(ctx.paths.state);
  if (existing) {
    throw new ClientError(
      `already connected: lease ${existing.leaseId} on ${existing.nodeUrl}; run \`wg402 disconnect\` first`,
      { code: ErrorCode.already_connected },
    );
  }
  // The node --best picks is paid on the answer to the fresh challenge pickForConnect sent it (signed by its
  // entry's signer), and its offers must carry that signer's signature.
  const best = options.best ? await pickForConnect(ctx, out, options) : null;

  // Everything that can refuse is checked before the wallet is unlocked and long before anything is paid.
  const session = await openSession({
    nodeUrl: best ? best.url : (url as string),
    ...(best?.info ? { node: best.info } : {}),
    account: async () => (await ctx.wallet()).account,
    sessionCap: sessionCapOption(options.maxSpend),
    maxPerPayment: capOption(options.maxPayment, "--max-payment"),
    ...(options.scheme ? { scheme: options.scheme } : {}),
    ...(options.keepDeposit ? { keepDeposit: true } : {}),
    requireSigned: options.requireSigned === true || best !== null,
    driver: options.driver,
    tunnel: {
      tunnelsDir: ctx.paths.tunnels,
      netns: options.netns,
      ignoreDns: options.ignoreDns,
      outputPath: options.output,
      qr: options.qr,
      isRoot: io.isRoot,
      searchPath: io.env.PATH,
    },
    minutes: options.minutes ?? 0,
    ...(options.mb === undefined ? {} : { megabytes: options.mb }),
    autoRenew: options.autoRenew === true,
    renewMinutes: options.renewMinutes,
    ...(options.renewMb === undefined ? {} : { renewMegabytes: options.renewMb }),
    interfaceName: options.interface,
    statusIntervalMs: options.statusInterval * 1000,
    ...(options.handshakeTimeout === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeout * 1000 }),
    staleAfterMs: options.staleAfter * 1000,
    statePath: ctx.paths.state,
    env: io.env,
    fetch: io.fetch,
    ...(io.clock ? { clock: io.clock } : {}),
  });
  reportSession(session, out, session.client);

  const aborted = abortPromise(io.signal);
  const starting = session.start();
  // Ctrl-C while paying or waiting for the handshake: the session cancels the start and closes what it paid.
  starting.catch(() => undefined);
  const start = await Promise.race([starting.then(() => "connected" as const), aborted.then(() => "aborted" as const)]);
  if (start === "aborted") {
    await disconnect(session, out);
    return ExitCode.ok;
  }

  const ticker = out.tty ? setInterval(() => out.live(formatStatusLine(session.status())), 1_000) : null;
  try {
    const first = await Promise.race([
      session.ended.then((end) => ({ kind: "ended" as const, ...end })),
      aborted.then(() => ({ kind: "aborted" as const })),
    ]);
    if (first.kind === "aborted") {
      await disconnect(session, out);
      return ExitCode.ok;
    }
    const ending = endings[first.cause];
    const when = new Date(first.expiresAt).toISOString();
    // `wg402 disconnect` elsewhere closed the lease and took the tunnel down: nothing left to do.
    if (first.cause === "disconnected") return ExitCode.ok;
    if (session.status().blocked) {
      out.note("traffic stays blocked until you disconnect: Ctrl-C (or `wg402 disconnect`)");
      const watch = new AbortController();
      await Promise.race([aborted, stateCleared(ctx.paths.state, session.status().leaseId ?? "", watch.signal)]);
      watch.abort();
    }
    await disconnect(session, out);
    if (ending.exitCode !== ExitCode.ok) {
      out.error(ending.code, `${ending.message(session.status().renewals)}; the lease ended at ${when}`);
    }
    return ending.exitCode;
  } finally {
    if (ticker) clearInterval(ticker);
    out.clearLive();
  }
}

async function disconnect(session: VpnSession, out: Output): Promise<void> {
  out.clearLive();
  await session.stop();
}

/** Resolves once the state file no longer names `leaseId`: `wg402 disconnect` ran in another terminal. */
async function stateCleared(path: string, leaseId: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const state = await readSessionState(path).catch(() => null);
    if (state?.leaseId !== leaseId) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

function abortPromise(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

function usage(message: string): ClientError {
  return new ClientError(message, { code: ErrorCode.invalid_argument });
}
