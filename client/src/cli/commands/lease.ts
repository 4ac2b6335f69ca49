import type { Command } from "@commander-js/extra-typings";
import type { PaymentKind, UsageReceipt } from "@wg402/shared";
import { describeUnits, ErrorCode } from "@wg402/shared";
import { formatUnits } from "viem";
import { paymentChainFor } from "../../chain/paymentChain.ts";
import { ClientError } from "../../errors.ts";
import { fetchLease } from "../../node/nodeApi.ts";
import { openLeaseClient } from "../../node/openLeaseClient.ts";
import { ReceiptStore } from "../../receipts/receiptStore.ts";
import { plural } from "../../runtime/plural.ts";
import { closeRecordedLease } from "../../session/closeRecordedLease.ts";
import { requireSessionState, writeSessionState } from "../../session/sessionState.ts";
import { keptJson, keptText, refundAfterClose, refundJson, refundText } from "../channelRefundReport.ts";
import { capOption } from "../context.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatBytes, formatDuration } from "../liveLine.ts";
import { parseAmount, parseMegabytes, parseMinutes } from "../options.ts";
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
          `address ${lease.address}, paid ${tokens(lease.totalPaid, kind)} in ${plural(lease.payments.length, "payment")}`,
          `traffic ↑${formatBytes(lease.usage.bytesUp)} ↓${formatBytes(lease.usage.bytesDown)}, last handshake ${lease.usage.lastHandshakeAt ?? "never"}`,
          tunnel
            ? `tunnel ${tunnel.interfaceName} (${tunnel.driver}${tunnel.netns ? ` in ${tunnel.netns}` : ""})${tunnel.blocked ? ", kill switch on" : ""}`
            : "no tunnel",
        ],
      );
    }),
  );

  runner
    .leaf(program.command("renew"), "pay for more minutes (or megabytes) on the current lease")
    .option("--minutes <n>", "minutes to add", parseMinutes)
    .option("--mb <n>", "megabytes to add (a data or hybrid lease)", parseMegabytes)
    .option("--max-payment <amount>", "refuse if this renewal costs more, in tokens", parseAmount)
    .action(
      runner.handler(async (ctx, out, options) => {
        if (options.minutes === undefined && options.mb === undefined) {
          throw new ClientError("say what to add: --minutes, --mb or both", { code: ErrorCode.invalid_argument });
        }
        const state = await requireSessionState(ctx.paths.state);
        const client = await openLeaseClient({
          nodeUrl: state.nodeUrl,
          account: async () => (await ctx.wallet()).account,
          maxPerPayment: capOption(options.maxPayment, "--max-payment"),
          // Older state files name no scheme: their leases were paid by exact.
          scheme: state.scheme ?? "exact",
          env: ctx.io.env,
          fetch: ctx.io.fetch,
        });
        const renewed = await client.renew(state.leaseId, options.minutes ?? 0, options.mb ?? 0);
        // The running `connect`, if any, reads the new expiry from the node; this keeps the file current.
        const latest = await requireSessionState(ctx.paths.state).catch(() => null);
        if (latest?.leaseId === state.leaseId) {
          await writeSessionState(ctx.paths.state, { ...latest, expiresAt: renewed.lease.expiresAt });
        }
        const bought = { minutes: renewed.minutes, megabytes: renewed.megabytes };
        out.result({ lease: renewed.lease, ...bought, payment: renewed.payment }, [
          `renewed lease ${renewed.lease.id} by ${describeUnits(bought)} for ${client.formatAmount(renewed.payment.amount)}${renewed.payment.txHash ? ` (tx ${renewed.payment.txHash})` : ""}`,
          `expires ${renewed.lease.expiresAt}`,
        ]);
      }),
    );

  runner
    .leaf(program.command("disconnect"), "close the current lease and take the tunnel (and kill switch) down")
    .option("--keep-deposit", "channel: keep the unused deposit in the channel for the next connect (no refund now)")
    .action(
      runner.handler(async (ctx, out, options) => {
        const state = await requireSessionState(ctx.paths.state);
        const wallet = await ctx.wallet();
        const { receipt, closeError } = await closeRecordedLease({
          statePath: ctx.paths.state,
          tunnelsDir: ctx.paths.tunnels,
          account: wallet.account,
          isRoot: ctx.io.isRoot,
          fetch: ctx.io.fetch,
          receipts: new ReceiptStore(ctx.paths.home),
        });
        // Only a lease paid by channel has a deposit to get back (older state files: exact).
        const channel = state.scheme === "channel";
        const kept = channel && options.keepDeposit === true;
        const refund = channel && !kept ? await refundAfterClose(ctx, state.nodeUrl, wallet.account) : null;
        // The node's token, for amounts people read; without it (node gone) base units.
        const kind = await ctx
          .node(state.nodeUrl)
          .then((n) => n.kind)
          .catch(() => null);
        const show = (amount: string) => (kind ? tokens(amount, kind) : `${amount} base units`);
        const unused = unusedTime(receipt, state.expiresAt);
        const forfeited =
          !channel && unused.seconds > 0
            ? `; ${formatDuration(unused.seconds)} of prepaid time (${show(unused.amount.toString())}) is not refunded`
            : "";
        out.result(
          {
            leaseId: state.leaseId,
            receipt,
            tunnelDown: state.tunnel !== null,
            unusedSeconds: unused.seconds,
            unusedAmount: unused.amount,
            ...(kept
              ? { channel: keptJson(receipt) }
              : refund === null
                ? {}
                : { channel: refundJson(refund, receipt) }),
          },
          [
            receipt
              ? `closed lease ${receipt.leaseId}: ${formatDuration(receipt.secondsUsed)} used${channel ? "" : `, ${show(receipt.totalPaid)} paid`}, ↑${formatBytes(receipt.bytesUp)} ↓${formatBytes(receipt.bytesDown)}${forfeited}; tunnel down`
              : `lease ${state.leaseId} was already over; tunnel down`,
            ...(kept ? [keptText(receipt, show)] : refund === null ? [] : [refundText(refund, receipt, show)]),
          ],
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

/**
 * Prepaid time a closed lease still had, valued at what its payments paid per minute: what an early close
 * forfeits (`exact` payments are final). The billed minute's length comes from the lease's own record.
 */
function unusedTime(receipt: UsageReceipt | null, expiresAt: string): { seconds: number; amount: bigint } {
  if (!receipt) return { seconds: 0, amount: 0n };
  const unusedMs = Math.max(0, Date.parse(expiresAt) - Date.parse(receipt.endedAt));
  const minutes = receipt.payments.reduce((sum, p) => sum + p.minutes, 0);
  const paidMs = Date.parse(expiresAt) - Date.parse(receipt.startedAt);
  if (minutes === 0 || paidMs <= 0) return { seconds: Math.floor(unusedMs / 1000), amount: 0n };
  const amount = (BigInt(receipt.totalPaid) * BigInt(unusedMs)) / BigInt(paidMs);
  return { seconds: Math.floor(unusedMs / 1000), amount };
}
