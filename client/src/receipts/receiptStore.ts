// Every receipt a node gave this client, beside the session history: evidence for a dispute, so it is only
// ever appended to, one JSON line per receipt, never rewritten.
import { appendFile, chmod, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { EvmAddress, UsageReceipt } from "@wg402/shared";
import { createSerialQueue } from "@wg402/shared/runtime";
import { z } from "zod";
import { readIfPresent } from "../files/readIfPresent.ts";
import { PaymentReceiptVerdict, X402Receipt } from "./paymentReceiptCheck.ts";
import { UsageCheck } from "./usageCheck.ts";

const common = {
  savedAt: z.iso.datetime(),
  nodeUrl: z.string(),
  leaseId: z.string(),
  /** The node's advertised offerSigner when the receipt came; the signature is checked against it. */
  expectedSigner: EvmAddress.nullable(),
};

/** One payment's x402 receipt (null when the node sent none) and the signed offer it was paid against. */
export const PaymentReceiptEntry = z.object({
  kind: z.literal("payment"),
  ...common,
  scheme: z.string(),
  amount: z.string().regex(/^[0-9]+$/),
  txHash: z.string().nullable(),
  payer: EvmAddress,
  offer: z.object({ format: z.string(), payload: z.unknown().optional(), signature: z.string() }).nullable(),
  receipt: X402Receipt.nullable(),
  verdict: PaymentReceiptVerdict.nullable(),
});
export type PaymentReceiptEntry = z.infer<typeof PaymentReceiptEntry>;

/** A lease's final usage receipt and how it compared with the client's own counters. */
export const UsageReceiptEntry = z.object({
  kind: z.literal("usage"),
  ...common,
  receipt: UsageReceipt,
  check: UsageCheck,
});
export type UsageReceiptEntry = z.infer<typeof UsageReceiptEntry>;

export const ReceiptEntry = z.discriminatedUnion("kind", [PaymentReceiptEntry, UsageReceiptEntry]);
export type ReceiptEntry = z.infer<typeof ReceiptEntry>;

export class ReceiptStore {
  readonly path: string;
  private readonly serial = createSerialQueue();

  constructor(home: string) {
    this.path = join(home, "receipts.jsonl");
  }

  /** Oldest first. A missing file is none; a damaged line is an error naming it, never silently dropped. */
  async list(): Promise<ReceiptEntry[]> {
    const text = await readIfPresent(this.path);
    if (text === null) return [];
    return text
      .split("\n")
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => line.trim() !== "")
      .map(({ line, index }) => {
        try {
          return ReceiptEntry.parse(JSON.parse(line));
        } catch (cause) {
          throw new Error(`${this.path} line ${index + 1} is not a receipt entry`, { cause });
        }
      });
  }

  add(entry: ReceiptEntry): Promise<void> {
    const line = `${JSON.stringify(ReceiptEntry.parse(entry))}\n`;
    return this.serial(async () => {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      // Receipts name payers and nodes: the file is the user's alone, like the wallet beside it.
      await appendFile(this.path, line, { mode: 0o600 });
      await chmod(this.path, 0o600);
    });
  }
}
