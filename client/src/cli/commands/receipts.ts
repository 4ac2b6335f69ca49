import type { Command } from "@commander-js/extra-typings";
import { ErrorCode } from "@wg402/shared";
import type { ReceiptEntry } from "../../receipts/receiptStore.ts";
import { ReceiptStore } from "../../receipts/receiptStore.ts";
import { describeUsageCheck } from "../../receipts/usageCheck.ts";
import { verifyKeptReceipt } from "../../receipts/verifyKept.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatBytes, formatDuration } from "../liveLine.ts";
import type { CommandRunner } from "../program.ts";

function describe(entry: ReceiptEntry): string {
  if (entry.kind === "payment") {
    const tx = entry.txHash ? ` tx ${entry.txHash}` : "";
    return `${entry.savedAt} payment ${entry.leaseId} ${entry.scheme} ${entry.amount} base units${tx}${entry.receipt ? "" : " (no receipt)"}`;
  }
  const r = entry.receipt;
  return `${entry.savedAt} usage   ${r.leaseId} ${formatDuration(r.secondsUsed)} ↑${formatBytes(r.bytesUp)} ↓${formatBytes(r.bytesDown)}, ${r.totalPaid} paid; ${describeUsageCheck(entry.check)}`;
}

export function registerReceiptsCommand(program: Command, runner: CommandRunner): void {
  runner
    .leaf(program.command("receipts"), "the signed receipts nodes gave this client (WG402_HOME/receipts.jsonl)")
    .option("--verify", "check every signature again against the signer the node advertised")
    .action(
      runner.handler(async (ctx, out, options) => {
        const entries = await new ReceiptStore(ctx.paths.home).list();
        const verified = options.verify ? await Promise.all(entries.map(verifyKeptReceipt)) : null;
        const failed = verified?.filter((v) => !v.valid).length ?? 0;
        const receipts = entries.map((entry, i) => ({ ...entry, ...(verified ? { verified: verified[i] } : {}) }));
        out.result({ receipts, ...(verified ? { verifiedCount: entries.length - failed, failed } : {}) }, [
          ...(entries.length === 0 ? ["no receipts yet"] : []),
          ...entries.map((entry, i) => {
            const v = verified?.[i];
            return `${describe(entry)}${v ? (v.valid ? "  [verified]" : `  [FAILED: ${v.problem}]`) : ""}`;
          }),
          ...(verified ? [`${entries.length - failed} of ${entries.length} verified`] : []),
        ]);
        if (failed === 0) return ExitCode.ok;
        out.error(ErrorCode.receipt_invalid, `${failed} receipt${failed === 1 ? "" : "s"} did not verify`);
        return ExitCode.payment;
      }),
    );
}
