import type { PaymentKind } from "@wg402/shared";
import type { Command } from "commander";
import { formatUnits } from "viem";
import { closeRecordedLease } from "../../closeRecordedLease.ts";
import { ClientErrorCode } from "../../errors.ts";
import { LeaseClient } from "../../leaseClient.ts";
import { fetchLease } from "../../nodeApi.ts";
import { paymentChainFor } from "../../paymentChain.ts";
import { requireSessionState, writeSessionState } from "../../sessionState.ts";
import type { CliContext } from "../context.ts";
import { amountOption } from "../context.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatBytes, formatDuration } from "../liveLine.ts";
import { parseAmount, parseMinutes } from "../options.ts";
import type { CommandRunner } from "../program.ts";

export function registerLeaseCommands(program: Command, runner: CommandRunner): void {
  runner.leaf(program.command("status"), "the current lease: time left, paid, bytes, tunnel").action(
    runner.handler(async (ctx: CliContext, out) => {
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
      runner.handler(async (ctx: CliContext, out, options: { minutes: number; maxPayment?: string }) => {
        const state = await requireSessionState(ctx.paths.state);
        const { nodeUrl, node, kind } = await ctx.node(state.nodeUrl);
        const chain = await paymentChainFor(kind, ctx.io.env);
        const maxPerPayment = amountOption(options.maxPayment, chain, "--max-payment");
        const wallet = await ctx.wallet();
        const client = await LeaseClient.connect({
          nodeUrl,
          node,
          chain,
          account: wallet.account,
          maxPerPayment,
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
      runner.handler(async (ctx: CliContext, out) => {
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
          return closeError.code === ClientErrorCode.node_unreachable ? ExitCode.unreachable : ExitCode.failure;
        }
        return ExitCode.ok;
      }),
    );
}

function tokens(amount: string, kind: PaymentKind): string {
  return `${formatUnits(BigInt(amount), kind.decimals)} ${kind.symbol}`;
}
