import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Ledger } from "@wg402/shared/node";

// A lease's bearer token opens its payer's view. The ledger keeps its hash; the plain token only until it
// is first handed to the buyer.

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function newLeaseToken(): { plain: string; hash: string } {
  const plain = randomBytes(24).toString("base64url");
  return { plain, hash: hashToken(plain) };
}

/** The lease's bearer token if it was never sent to its buyer; it is forgotten as it is handed out. */
export function takeUnsentToken(ledger: Ledger, leaseId: string): string | undefined {
  return ledger.transaction(() => {
    const row = ledger.stmt("SELECT token_unsent FROM leases WHERE id = ?").get(leaseId);
    const token = (row?.token_unsent as string | null | undefined) ?? undefined;
    if (token) ledger.stmt("UPDATE leases SET token_unsent = NULL WHERE id = ?").run(leaseId);
    return token;
  });
}

export function tokenMatches(ledger: Ledger, leaseId: string, token: string): boolean {
  const row = ledger.stmt("SELECT token_hash FROM leases WHERE id = ?").get(leaseId);
  const stored = row?.token_hash as string | null | undefined;
  if (!stored) return false;
  return timingSafeEqual(Buffer.from(stored, "hex"), Buffer.from(hashToken(token), "hex"));
}
