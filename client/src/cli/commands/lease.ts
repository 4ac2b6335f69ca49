import type { Command } from "@commander-js/extra-typings";
import type { PaymentKind } from "@wg402/shared";
import { ErrorCode } from "@wg402/shared";
import { formatUnits } from "viem";
import { paymentChainFor } from "../../chain/paymentChain.ts";
import { fetchLease } from "../../node/nodeApi.ts";
import { openLeaseClient } from "../../node/openLeaseClient.ts";
import { closeRecordedLease } from "../../session/closeRecordedLease.ts";
import { requireSessionState, writeSessionState } from "../../session/sessionState.ts";
import { capOption } from "../context.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatBytes, formatDuration } from "../liveLine.ts";
import { parseAmount, parseMinutes } from "../options.ts";
import type { CommandRunner } from "../program.ts";

export function registerLeaseCommands(program: Command, runner: CommandRunner): void {
  runner.leaf(program.command("status"), "the current lease: time left, paid, bytes, tunnel").action(
    runner.handler(async (ctx, out) => {
      const state = await requireSessionState(ctx.paths.state);
      const { kind } = await ctx.node(state.nodeUrl);
      // The token the node gave with the lease; without one the wallet signs a one-off proof.
      const auth = state.leaseToken
        ? { token: state.leaseToken }
        : { account: (await ctx.wallet()).account, chainId: (await paymentChainFor(kind, ctx.io.env)).chain.id };
      const lease = await fetchLease(state.nodeUrl, state.leaseId, { fetch: ctx.io.fetch, auth });
      const tunnel = state.tunnel;
      out.result(
        {
          nodeUrl: state.nodeUrl,
          lease,
          tunnel: tunnel && {
            driver: tunnel.driver,
            interface: tunnel.interfaceName,
            netns: tunnel.netns,
            configPath: tunnel.configPath,
            blocked: tunnel.blocked,
          },
          pid: state.pid,
        },
        [
          `lease ${lease.id} on ${state.nodeUrl}: ${lease.state}, ${formatDuration(lease.secondsLeft)} left (until ${lease.expiresAt})`,
          `address ${lease.address}, paid ${tokens(lease.totalPaid, kind)} in ${lease.payments.length} payment${lease.payments.length === 1 ? "" : "s"}`,
          `traffic ↑${formatBytes(lease.usage.bytesUp)} ↓${formatBytes(lease.usage.bytesDown)}, last handshake ${lease.usage.lastHandshakeAt ?? "never"}`,
          tunnel
            ? `tunnel ${tunnel.interfaceName} (${tunnel.driver}${tunnel.netns ? ` in ${tunnel.netns}` : ""})${tunnel.blocked ? ", kill switch on" : ""}`
            : "no tunnel",
        ],
      );
    }),
  );

  runner
    .leaf(program.command("renew"), "pay for more minutes on the current lease")
    .requiredOption("--minutes <n>", "minutes to add", parseMinutes)
    .option("--max-payment <amount>", "refuse if this renewal costs more, in tokens", parseAmount)
    .action(
      runner.handler(async (ctx, out, options) => {
        const state = await requireSessionState(ctx.paths.state);
        const client = await openLeaseClient({
          nodeUrl: state.nodeUrl,
          account: async () => (await ctx.wallet()).account,
          maxPerPayment: capOption(options.maxPayment, "--max-payment"),
          env: ctx.io.env,
          fetch: ctx.io.fetch,
        });
        const renewed = await client.renew(state.leaseId, options.minutes);
        // The running `connect`, if any, reads the new expiry from the node; this keeps the file current.
        const latest = await requireSessionState(ctx.paths.state).catch(() => null);
        if (latest?.leaseId === state.leaseId) {
          await writeSessionState(ctx.paths.state, { ...latest, expiresAt: renewed.lease.expiresAt });
        }
        out.result({ lease: renewed.lease, minutes: renewed.minutes, payment: renewed.payment }, [
          `renewed lease ${renewed.lease.id} by ${renewed.minutes} minute${renewed.minutes === 1 ? "" : "s"} for ${client.formatAmount(renewed.payment.amount)}${renewed.payment.txHash ? ` (tx ${renewed.payment.txHash})` : ""}`,
          `expires ${renewed.lease.expiresAt}`,
        ]);
      }),
    );

  runner
    .leaf(program.command("disconnect"), "close the current lease and take the tunnel (and kill switch) down")
    .action(
      runner.handler(async (ctx, out) => {
        const state = await requireSessionState(ctx.paths.state);
        const wallet = await ctx.wallet();
        const { receipt, closeError } = await closeRecordedLease({
          statePath: ctx.paths.state,
          tunnelsDir: ctx.paths.tunnels,
          account: wallet.account,
          isRoot: ctx.io.isRoot,
          fetch: ctx.io.fetch,
        });
        out.result(
          { leaseId: state.leaseId, receipt, tunnelDown: state.tunnel !== null },
          receipt
            ? `closed lease ${receipt.leaseId}: ${formatDuration(receipt.secondsUsed)} used, ${receipt.totalPaid} base units paid, ↑${formatBytes(receipt.bytesUp)} ↓${formatBytes(receipt.bytesDown)}; tunnel down`
            : `lease ${state.leaseId} was already over; tunnel down`,
        );
        if (closeError) {
          out.error(closeError.code, `the tunnel is down, but the node was not told: ${closeError.shortMessage}`);
          return closeError.code === ErrorCode.node_unreachable ? ExitCode.unreachable : ExitCode.failure;
        }
        return ExitCode.ok;
      }),
    );
}

function tokens(amount: string, kind: PaymentKind): string {
  return `${formatUnits(BigInt(amount), kind.decimals)} ${kind.symbol}`;
}
