// After a scenario, the chain and the agent's ledger are compared payment by payment, and the node is held
// to what it told each buyer. A healthy node scores zero on every count.
import { DatabaseSync } from "node:sqlite";
import { type Hex, isAddressEqual, type PublicClient, parseAbiItem, parseEventLogs } from "viem";
import { isDefect, type Purchase } from "./buyer.ts";

const authorizationUsed = parseAbiItem("event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)");
const transfer = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

export type OnChainPayment = { payer: Hex; nonce: Hex; amount: bigint; txHash: Hex };

/** Every EIP-3009 transfer from `payers` to `payTo` since `fromBlock`. */
export async function onChainPayments(p: {
  publicClient: PublicClient;
  token: Hex;
  payTo: Hex;
  payers: Hex[];
  fromBlock: bigint;
}): Promise<OnChainPayment[]> {
  const logs = await p.publicClient.getLogs({
    address: p.token,
    event: authorizationUsed,
    args: { authorizer: p.payers },
    fromBlock: p.fromBlock,
  });
  const payments: OnChainPayment[] = [];
  for (const log of logs) {
    const receipt = await p.publicClient.getTransactionReceipt({ hash: log.transactionHash });
    const moved = parseEventLogs({ abi: [transfer], logs: receipt.logs, eventName: "Transfer" }).find(
      (t) =>
        isAddressEqual(t.address, p.token) &&
        isAddressEqual(t.args.from, log.args.authorizer as Hex) &&
        isAddressEqual(t.args.to, p.payTo),
    );
    if (moved) {
      payments.push({
        payer: log.args.authorizer as Hex,
        nonce: (log.args.nonce as Hex).toLowerCase() as Hex,
        amount: moved.args.value,
        txHash: log.transactionHash,
      });
    }
  }
  return payments;
}

type LedgerPayment = { nonce: string; status: string; amount: string; minutes: number; lease_id: string; kind: string };
type LedgerLease = {
  id: string;
  state: string;
  address: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
};

export function readAgentLedger(path: string): { payments: LedgerPayment[]; leases: LedgerLease[] } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return {
      payments: db
        .prepare("SELECT nonce, status, amount, minutes, lease_id, kind FROM payments")
        .all() as LedgerPayment[],
      leases: db
        .prepare("SELECT id, state, address, created_at, expires_at, ended_at FROM leases")
        .all() as LedgerLease[],
    };
  } finally {
    db.close();
  }
}

export type AuditReport = {
  /** On-chain transfers to the node from the scenario's buyers. */
  transfers: number;
  /** Payments the ledger settled (creations and renewals granted). */
  granted: number;
  /** Money that moved with no time granted for it. */
  paidWithoutLease: number;
  /** Time granted with no money behind it, or beyond what was paid, in billed minutes. */
  freeMinutes: number;
  /** Payments still open in the ledger (pending or unknown) when the scenario ended. */
  openPayments: number;
  /** Buyers told "refused" (4xx) whose money moved anyway. */
  falselyRefused: number;
  /** Buyers told "granted" (2xx) whose money did not move. */
  grantedUnpaid: number;
  /** Copies of one payment that got different final answers. */
  inconsistentAnswers: number;
  /** Two live leases holding one tunnel address. */
  addressesAssignedTwice: number;
  "5xx": number;
};

export function audit(p: {
  chain: OnChainPayment[];
  ledger: ReturnType<typeof readAgentLedger>;
  purchases: Purchase[];
  minuteMs: number;
}): AuditReport {
  const onChain = new Map<string, OnChainPayment>(p.chain.map((c) => [c.nonce, c]));
  const settled = p.ledger.payments.filter((x) => x.status === "settled");
  const settledByNonce = new Map(settled.map((x) => [x.nonce.toLowerCase(), x]));
  const paidWithoutLease = p.chain.filter((c) => {
    const row = settledByNonce.get(c.nonce);
    return !row || BigInt(row.amount) !== c.amount;
  }).length;
  const unpaidRows = settled.filter((x) => !onChain.has(x.nonce.toLowerCase()));

  // Granted time per lease against the minutes its settled payments bought.
  let freeMs = unpaidRows.reduce((sum, row) => sum + row.minutes * p.minuteMs, 0);
  for (const lease of p.ledger.leases) {
    if (lease.state === "pending") continue;
    const paid = settled
      .filter((x) => x.lease_id === lease.id && onChain.has(x.nonce.toLowerCase()))
      .reduce((sum, x) => sum + x.minutes, 0);
    freeMs += Math.max(0, lease.expires_at - lease.created_at - paid * p.minuteMs);
  }

  const held = new Map<string, number>();
  for (const lease of p.ledger.leases) {
    if (lease.ended_at !== null || lease.state === "closed") continue;
    held.set(lease.address, (held.get(lease.address) ?? 0) + 1);
  }

  let falselyRefused = 0;
  let grantedUnpaid = 0;
  let inconsistentAnswers = 0;
  for (const purchase of p.purchases) {
    const moved = onChain.has(purchase.identity.nonce.toLowerCase());
    const finals = purchase.answers.filter(
      (a) =>
        a.status !== "no-answer" &&
        !(a.status === 503 && (a.error === "settlement_unknown" || a.error === "facilitator_unavailable")),
    );
    const kinds = new Set(finals.map((a) => (a.status === "no-answer" ? "" : `${a.status}:${a.leaseId ?? ""}`)));
    if (kinds.size > 1) inconsistentAnswers++;
    for (const answer of finals) {
      if (answer.status === "no-answer") continue;
      if (answer.status >= 200 && answer.status < 300 && !moved) grantedUnpaid++;
      if (answer.status >= 400 && answer.status < 500 && moved) falselyRefused++;
    }
  }

  return {
    transfers: p.chain.length,
    granted: settled.length,
    paidWithoutLease,
    freeMinutes: freeMs / p.minuteMs,
    openPayments: p.ledger.payments.filter((x) => x.status === "pending" || x.status === "unknown").length,
    falselyRefused,
    grantedUnpaid,
    inconsistentAnswers,
    addressesAssignedTwice: [...held.values()].filter((n) => n > 1).length,
    "5xx": p.purchases.reduce((sum, x) => sum + x.answers.filter(isDefect).length, 0),
  };
}

/** The counts that must be zero for a scenario to pass. */
export const MUST_BE_ZERO: (keyof AuditReport)[] = [
  "paidWithoutLease",
  "freeMinutes",
  "openPayments",
  "falselyRefused",
  "grantedUnpaid",
  "inconsistentAnswers",
  "addressesAssignedTwice",
  "5xx",
];
