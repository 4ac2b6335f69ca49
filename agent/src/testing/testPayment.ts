// A payment as the ledger records it, for tests and benches that exercise leases without signing anything.
import { randomBytes } from "node:crypto";
import type { NewPayment } from "../ledger/records.ts";

const zero = "0x0000000000000000000000000000000000000000" as const;

export type TestPaymentOptions = {
  minutes: number;
  megabytes?: number;
  pricePerMb?: bigint;
  /** Unix seconds; default: two minutes from now. */
  validBefore?: number;
  asset?: `0x${string}`;
  payer?: `0x${string}`;
  payTo?: `0x${string}`;
  pricePerMinute?: bigint;
};

/** A fresh, never-signed `exact` payment (random nonce) for `minutes`. */
export function testPayment(options: TestPaymentOptions): NewPayment {
  const nonce = `0x${randomBytes(32).toString("hex")}` as const;
  const asset = options.asset ?? zero;
  const payer = options.payer ?? zero;
  return {
    identity: {
      scheme: "exact",
      key: `exact:eip155:31337:${asset.toLowerCase()}:${payer.toLowerCase()}:${nonce}`,
      network: "eip155:31337",
      asset,
      payer,
      payTo: options.payTo ?? zero,
      amount: String(
        (options.pricePerMinute ?? 1_000n) * BigInt(options.minutes) +
          (options.pricePerMb ?? 1_000n) * BigInt(options.megabytes ?? 0),
      ),
      nonce,
      validBefore: options.validBefore ?? Math.floor(Date.now() / 1000) + 120,
      signature: `0x${"00".repeat(65)}`,
      digest: nonce,
    },
    target: `test:${nonce}`,
    minutes: options.minutes,
    megabytes: options.megabytes ?? 0,
    payload: null,
    requirements: null,
  };
}
