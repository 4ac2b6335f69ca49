import type { Command } from "@commander-js/extra-typings";
import { ErrorCode } from "@wg402/shared";
import { formatTokenAmount } from "../../chain/money.ts";
import { ClientError } from "../../errors.ts";
import type { LeaseClient } from "../../node/leaseClient.ts";
import { openSession } from "../../session/openSession.ts";
import { readSessionState } from "../../session/sessionState.ts";
import type { SessionEndCause } from "../../session/sessionTypes.ts";
import { DEFAULT_INTERFACE, type VpnSession } from "../../session/vpnSession.ts";
import { type CliContext, capOption } from "../context.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatBytes, formatDuration, formatStatusLine } from "../liveLine.ts";
import { parseAmount, parseDriver, parseInterfaceName, parseMinutes, parseNetns, parseSeconds } from "../options.ts";
import type { Output } from "../output.ts";
import type { CommandRunner } from "../program.ts";

function connectCommand(program: Command, runner: CommandRunner) {
  return runner
    .leaf(
      program.command("connect").argument("<url>", "the node's URL"),
      "buy a lease, bring the tunnel up and (with --auto-renew) keep it alive; Ctrl-C closes it",
    )
    .requiredOption("--minutes <n>", "minutes to buy now", parseMinutes)
    .option("--auto-renew", "renew before expiry until Ctrl-C, the spend cap or the balance stops it")
    .option("--renew-minutes <n>", "minutes per renewal (default: --minutes)", parseMinutes)
    .option("--max-spend <amount>", "session spend cap in tokens, e.g. 0.05 (no cap by default)", parseAmount)
    .option("--max-payment <amount>", "cap on any single payment, in tokens", parseAmount)
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
    .option("--status-interval <seconds>", "how often to read the lease's numbers from the node", parseSeconds, 5);
}

type ConnectOptions = ReturnType<ReturnType<typeof connectCommand>["opts"]>;

export function registerConnectCommand(program: Command, runner: CommandRunner): void {
  connectCommand(program, runner).action(runner.handler((ctx, out, options, url) => connect(ctx, out, options, url)));
}

async function connect(ctx: CliContext, out: Output, options: ConnectOptions, url: string): Promise<number> {
  const { io } = ctx;
  if (options.netns && options.driver === "export") {
    throw usage("--netns needs the userspace or wg-quick driver: export brings no interface up");
  }
  if (options.output && options.driver !== "export") throw usage("--output is for --driver export");
  if (options.renewMinutes && !options.autoRenew) throw usage("--renew-minutes needs --auto-renew");
  const existing = await readSessionState(ctx.paths.state);
  if (existing) {
    throw new ClientError(
      `already connected: lease ${existing.leaseId} on ${existing.nodeUrl}; run \`wg402 disconnect\` first`,
      { code: ErrorCode.already_connected },
    );
  }

  // Everything that can refuse is checked before the wallet is unlocked and long before anything is paid.
  const session = await openSession({
    nodeUrl: url,
    account: async () => (await ctx.wallet()).account,
    sessionCap: capOption(options.maxSpend, "--max-spend"),
    maxPerPayment: capOption(options.maxPayment, "--max-payment"),
    driver: options.driver,
    tunnel: {
      tunnelsDir: ctx.paths.tunnels,
      netns: options.netns,
      ignoreDns: options.ignoreDns,
      outputPath: options.output,
      qr: options.qr,
      isRoot: io.isRoot,
    },
    minutes: options.minutes,
    autoRenew: options.autoRenew === true,
    renewMinutes: options.renewMinutes,
    interfaceName: options.interface,
    statusIntervalMs: options.statusInterval * 1000,
    statePath: ctx.paths.state,
    env: io.env,
    fetch: io.fetch,
    ...(io.clock ? { clock: io.clock } : {}),
  });
  const { client, driver } = session;
  const { nodeUrl, node } = client;
  report(session, out, client);

  const connected = await session.start();
  const iso = (ms: number) => new Date(ms).toISOString();
  const token = client.chain.token;
  // A QR code is for eyes and cameras: only on a terminal.
  if (connected.tunnel.qr && out.tty) out.line(connected.tunnel.qr);
  out.event(
    "connected",
    {
      leaseId: connected.lease.id,
      nodeUrl,
      address: connected.lease.address,
      expiresAt: connected.lease.expiresAt,
      minutes: options.minutes,
      amount: connected.payment.amount,
      txHash: connected.payment.txHash,
      driver: driver.kind,
      interface: options.interface,
      configPath: connected.tunnel.handle.configPath,
      autoRenew: options.autoRenew === true,
    },
    [
      `connected to ${node.name} (${nodeUrl}): lease ${connected.lease.id}, address ${connected.lease.address}`,
      `paid ${formatTokenAmount(connected.payment.amount, token)} for ${options.minutes} minute${options.minutes === 1 ? "" : "s"}${connected.payment.txHash ? ` (tx ${connected.payment.txHash})` : ""}`,
      ...connected.tunnel.notes,
      options.autoRenew ? "renewing before expiry; Ctrl-C disconnects" : "not renewing; Ctrl-C disconnects",
    ],
  );

  const aborted = abortPromise(io.signal);
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
    const when = iso(first.expiresAt);
    // `wg402 disconnect` elsewhere closed the lease and took the tunnel down: nothing left to do.
    if (first.cause === "disconnected") return ExitCode.ok;
    if (session.status().blocked) {
      out.line("traffic stays blocked until you disconnect: Ctrl-C (or `wg402 disconnect`)");
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

const endings: Record<SessionEndCause, { exitCode: number; code: string; message: (renewals: number) => string }> = {
  spend_cap: {
    exitCode: ExitCode.spendCap,
    code: ErrorCode.spend_cap_exceeded,
    message: (n) => `the spend cap is reached after ${n} renewal${n === 1 ? "" : "s"}`,
  },
  insufficient_balance: {
    exitCode: ExitCode.funds,
    code: ErrorCode.insufficient_balance,
    message: () => "the wallet's balance does not cover another renewal",
  },
  renewal_failed: {
    exitCode: ExitCode.payment,
    code: ErrorCode.payment_failed,
    message: () => "renewals kept failing until the lease ran out",
  },
  lease_gone: {
    exitCode: ExitCode.lease,
    code: ErrorCode.lease_not_active,
    message: () => "the node no longer has this lease",
  },
  not_renewing: { exitCode: ExitCode.ok, code: "", message: () => "the lease ran out" },
  disconnected: { exitCode: ExitCode.ok, code: "", message: () => "disconnected" },
};

const expiredText: Record<SessionEndCause, string> = {
  spend_cap: "the lease ran out: the spend cap stopped the renewals",
  insufficient_balance: "the lease ran out: the balance could not pay another renewal",
  renewal_failed: "the lease ran out: renewals failed",
  lease_gone: "the node no longer has this lease",
  not_renewing: "the lease ran out (not renewing)",
  disconnected: "the lease was closed by `wg402 disconnect`",
};

async function disconnect(session: VpnSession, out: Output): Promise<void> {
  out.clearLive();
  await session.stop();
}

function report(session: VpnSession, out: Output, client: LeaseClient): void {
  const amount = (value: bigint) => client.formatAmount(value);
  const time = (ms: number) => new Date(ms).toISOString();
  session.on("renewed", (e) =>
    out.event(
      "renewed",
      {
        leaseId: e.leaseId,
        minutes: e.minutes,
        amount: e.amount,
        txHash: e.txHash,
        expiresAt: time(e.expiresAt),
        latencyMs: e.latencyMs,
        renewals: e.renewals,
        spent: e.spend.settled,
        committed: e.spend.committed,
        cap: e.spend.cap,
      },
      `renewed +${e.minutes} min for ${amount(e.amount)}${e.txHash ? ` (tx ${e.txHash})` : ""}; expires ${time(e.expiresAt)}`,
    ),
  );
  session.on("lowBalance", (e) =>
    out.event(
      "lowBalance",
      { leaseId: e.leaseId, balance: e.balance, price: e.price, renewalsLeft: e.renewalsLeft },
      `low balance: ${amount(e.balance)} covers ${e.renewalsLeft} more renewal${e.renewalsLeft === 1 ? "" : "s"}`,
    ),
  );
  session.on("capReached", (e) =>
    out.event(
      "capReached",
      { leaseId: e.leaseId, cap: e.cap, committed: e.committed, needed: e.needed, expiresAt: time(e.expiresAt) },
      `spend cap reached: ${amount(e.committed)} of ${e.cap === null ? "?" : amount(e.cap)} spent, the next renewal costs ${amount(e.needed)}; the lease runs out at ${time(e.expiresAt)}`,
    ),
  );
  session.on("renewalFailed", (e) =>
    out.event(
      "renewalFailed",
      { leaseId: e.leaseId, code: e.code, message: e.message, attempt: e.attempt, retryInMs: e.retryInMs },
      `renewal failed (${e.code}): ${e.message}; ${e.retryInMs === null ? "no retry before expiry" : `retrying in ${(e.retryInMs / 1000).toFixed(1)} s`}`,
    ),
  );
  session.on("expired", (e) =>
    out.event("expired", { leaseId: e.leaseId, expiresAt: time(e.expiresAt), cause: e.cause }, expiredText[e.cause]),
  );
  session.on("blocked", (e) =>
    out.event(
      "blocked",
      { leaseId: e.leaseId, interface: e.interfaceName },
      `kill switch on: ${e.interfaceName} and its routes stay, carrying nothing, so traffic cannot fall back to the open internet`,
    ),
  );
  session.on("status", (s) => {
    if (out.json) {
      out.event(
        "status",
        {
          leaseId: s.leaseId,
          expiresAt: s.expiresAt === null ? null : time(s.expiresAt),
          secondsLeft: s.secondsLeft,
          spent: s.spend.settled,
          pricePerMinute: s.pricePerMinute,
          bytesUp: s.bytesUp,
          bytesDown: s.bytesDown,
        },
        null,
      );
    }
  });
  session.on("warning", (e) => (out.json ? out.event("warning", e, null) : out.warn(e.message)));
  session.on("closed", (e) => {
    const r = e.receipt;
    out.event(
      "closed",
      { leaseId: e.leaseId, receipt: r },
      r
        ? `closed lease ${r.leaseId}: ${formatDuration(r.secondsUsed)} used, ${amount(BigInt(r.totalPaid))} paid, ↑${formatBytes(r.bytesUp)} ↓${formatBytes(r.bytesDown)}`
        : `lease ${e.leaseId ?? "?"} is over; tunnel down`,
    );
  });
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
