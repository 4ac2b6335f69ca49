import type { Command } from "@commander-js/extra-typings";
import { ErrorCode, verifyUsageReceipt } from "@wg402/shared";
import { checkPaymentReceipt } from "../../receipts/paymentReceiptCheck.ts";
import type { ReceiptEntry } from "../../receipts/receiptStore.ts";
import { ReceiptStore } from "../../receipts/receiptStore.ts";
import { describeUsageCheck } from "../../receipts/usageCheck.ts";
import { ExitCode } from "../exitCodes.ts";
import { formatBytes, formatDuration } from "../liveLine.ts";
import type { CommandRunner } from "../program.ts";

type Verified = { valid: boolean; problem: string | null };

/** The signature checked again, now, against the signer the node advertised when the receipt came. */
async function verify(entry: ReceiptEntry): Promise<Verified> {
  if (entry.kind === "payment") {
    if (!entry.receipt) return { valid: false, problem: "the node sent no receipt" };
    const verdict = await checkPaymentReceipt(entry.receipt, { signer: entry.expectedSigner, payer: entry.payer });
    return { valid: verdict.valid, problem: verdict.problem };
  }
  const verdict = await verifyUsageReceipt(entry.receipt, entry.expectedSigner);
  if (!verdict.valid) return { valid: false, problem: verdict.reason.replace("_", " ") };
  if (!entry.expectedSigner) return { valid: false, problem: "the node advertised no offerSigner" };
  // A valid signature over bytes that disagreed with ours is still evidence of a mismatch, not a pass.
  if (entry.check.bytes && !(entry.check.bytes.up.ok && entry.check.bytes.down.ok)) {
    return { valid: false, problem: "signed, but its bytes disagree with our counters" };
  }
  return { valid: true, problem: null };
}

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
        const verified = options.verify ? await Promise.all(entries.map(verify)) : null;
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
