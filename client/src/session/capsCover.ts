import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";
import type { LeaseClient } from "../node/leaseClient.ts";

/**
 * Refuses a session whose caps cannot pay for `minutes` (or not even for one minute) on this node, before
 * anything is paid: a session that could only ever buy less than asked should fail up front, in words.
 */
export function assertCapsCover(
  client: Pick<LeaseClient, "pricePerMinute" | "budget" | "maxPerPayment" | "formatAmount">,
  minutes: number,
): void {
  const perMinute = client.pricePerMinute;
  const caps: [string, bigint | null][] = [
    ["spend cap", client.budget.remaining],
    ["per-payment cap", client.maxPerPayment],
  ];
  for (const [name, cap] of caps) {
    if (cap === null) continue;
    if (cap < perMinute) {
      throw new ClientError(
        `the ${name} of ${client.formatAmount(cap)} does not cover even one minute (${client.formatAmount(perMinute)} on this node)`,
        { code: ErrorCode.spend_cap_exceeded },
      );
    }
    const affordable = cap / perMinute;
    if (affordable < BigInt(minutes)) {
      throw new ClientError(
        `the ${name} of ${client.formatAmount(cap)} covers ${affordable} minute${affordable === 1n ? "" : "s"}, not ${minutes} (${client.formatAmount(perMinute)} per minute)`,
        { code: ErrorCode.spend_cap_exceeded },
      );
    }
  }
}
