import { type Ledger, openLedger } from "@wg402/shared/node";

export type SettlementStatus = "pending" | "submitted" | "success" | "failed" | "dropped";

export type SettlementRecord = {
  key: string;
  /** `exact` or `batch-settlement`. */
  scheme: string;
  /** `settle` for `exact`; `deposit`, `claim`, `settle` or `refund` for `batch-settlement`. */
  operation: string;
  network: string;
  asset: string;
  payer: string;
  payTo: string;
  amount: string;
  nonce: string;
  signature: string;
  /** The escrow channel of a batch-settlement deposit or refund (or of a one-row claim). */
  channelId: string | null;
  /** A digest of a batch-settlement operation's terms: one key with another digest is another settlement. */
  contentDigest: string | null;
  /** The batch-settlement payload as parsed, which the reconciler reads. */
  request: string | null;
  status: SettlementStatus;
  txHash: string | null;
  errorReason: string | null;
  response: string | null;
  createdAt: number;
  updatedAt: number;
};

/** What an attempt records when it starts; the rest comes from its outcome. */
export type SettlementAttempt = Pick<
  SettlementRecord,
  "key" | "network" | "asset" | "payer" | "payTo" | "amount" | "nonce" | "signature"
> &
  Partial<Pick<SettlementRecord, "scheme" | "operation" | "channelId" | "contentDigest" | "request">>;

type Row = {
  key: string;
  scheme: string;
  operation: string;
  network: string;
  asset: string;
  payer: string;
  pay_to: string;
  amount: string;
  nonce: string;
  signature: string;
  channel_id: string | null;
  content_digest: string | null;
  request: string | null;
  status: SettlementStatus;
  tx_hash: string | null;
  error_reason: string | null;
  response: string | null;
  created_at: number;
  updated_at: number;
};

const migrations = [
  `CREATE TABLE settlements (
     key TEXT PRIMARY KEY,
     network TEXT NOT NULL,
     asset TEXT NOT NULL,
     payer TEXT NOT NULL,
     pay_to TEXT NOT NULL,
     amount TEXT NOT NULL,
     nonce TEXT NOT NULL,
     signature TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending','submitted','success','failed','dropped')),
     tx_hash TEXT,
     error_reason TEXT,
     response TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX settlements_status ON settlements (status, updated_at);
   CREATE TABLE pending_broadcasts (
     key TEXT PRIMARY KEY,
     tx_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // One payment identity for the whole project (shared/src/paymentIdentity.ts): exact:<network>:<asset>:<payer>:<nonce>,
  // lower-case. The old keys were the same parts with checksummed addresses and no scheme.
  `UPDATE settlements SET key = 'exact:' || lower(key) WHERE key NOT LIKE 'exact:%';`,
  // batch-settlement (escrow channels): the operation and its identity's parts beside exact's. Its keys are
  // batch-settlement:<operation>:<network>:..., see batchIdentity.ts.
  `ALTER TABLE settlements ADD COLUMN scheme TEXT NOT NULL DEFAULT 'exact';
   ALTER TABLE settlements ADD COLUMN operation TEXT NOT NULL DEFAULT 'settle';
   ALTER TABLE settlements ADD COLUMN channel_id TEXT;
   ALTER TABLE settlements ADD COLUMN content_digest TEXT;
   ALTER TABLE settlements ADD COLUMN request TEXT;
   CREATE INDEX settlements_channel ON settlements (channel_id) WHERE channel_id IS NOT NULL;`,
];

const fromRow = (row: Row): SettlementRecord => ({
  key: row.key,
  scheme: row.scheme,
  operation: row.operation,
  network: row.network,
  asset: row.asset,
  payer: row.payer,
  payTo: row.pay_to,
  amount: row.amount,
  nonce: row.nonce,
  signature: row.signature,
  channelId: row.channel_id,
  contentDigest: row.content_digest,
  request: row.request,
  status: row.status,
  txHash: row.tx_hash,
  errorReason: row.error_reason,
  response: row.response,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Every settlement the facilitator attempted, so that a payment is settled once even across restarts. */
export class SettlementLedger {
  private readonly ledger: Ledger;
  private readonly now: () => number;

  constructor(path: string, now: () => number = Date.now) {
    this.ledger = openLedger({ path, migrations });
    this.now = now;
  }

  private stmt(sql: string) {
    return this.ledger.stmt(sql);
  }

  get(key: string): SettlementRecord | undefined {
    const row = this.stmt("SELECT * FROM settlements WHERE key = ?").get(key) as Row | undefined;
    return row && fromRow(row);
  }

  /** Records an attempt as pending; an earlier failed or dropped attempt of the same payment is replaced. */
  begin(record: SettlementAttempt) {
    const now = this.now();
    this.stmt(
      `INSERT INTO settlements (key, scheme, operation, network, asset, payer, pay_to, amount, nonce, signature,
         channel_id, content_digest, request, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
       ON CONFLICT (key) DO UPDATE SET status = 'pending', signature = excluded.signature,
         content_digest = excluded.content_digest, request = excluded.request, amount = excluded.amount,
         tx_hash = NULL, error_reason = NULL, response = NULL, updated_at = excluded.updated_at`,
    ).run(
      record.key,
      record.scheme ?? "exact",
      record.operation ?? "settle",
      record.network,
      record.asset,
      record.payer,
      record.payTo,
      record.amount,
      record.nonce,
      record.signature,
      record.channelId ?? null,
      record.contentDigest ?? null,
      record.request ?? null,
      now,
      now,
    );
  }

  markSubmitted(key: string, txHash: string): void {
    this.stmt("UPDATE settlements SET status = 'submitted', tx_hash = ?, updated_at = ? WHERE key = ?").run(
      txHash,
      this.now(),
      key,
    );
  }

  finish(
    key: string,
    status: "success" | "failed" | "dropped",
    fields: { txHash?: string; errorReason?: string; response?: string },
  ) {
    this.stmt(
      `UPDATE settlements SET status = ?, tx_hash = COALESCE(?, tx_hash), error_reason = ?, response = ?, updated_at = ?
       WHERE key = ?`,
    ).run(status, fields.txHash ?? null, fields.errorReason ?? null, fields.response ?? null, this.now(), key);
  }

  /** Attempts that broadcast (or may have) but never learned their outcome. */
  unfinished(olderThanMs = 0): SettlementRecord[] {
    const rows = this.stmt(
      "SELECT * FROM settlements WHERE status IN ('pending','submitted') AND updated_at <= ? ORDER BY created_at",
    ).all(this.now() - olderThanMs) as Row[];
    return rows.map(fromRow);
  }

  countByStatus(): Record<SettlementStatus, number> {
    const counts: Record<SettlementStatus, number> = { pending: 0, submitted: 0, success: 0, failed: 0, dropped: 0 };
    for (const row of this.stmt("SELECT status, COUNT(*) AS n FROM settlements GROUP BY status").all() as {
      status: SettlementStatus;
      n: number;
    }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  // The x402 SDK's PendingSettlementStore, persisted: a retried settle reconciles against the broadcast tx.
  pendingBroadcast = {
    get: async (key: string) =>
      (this.stmt("SELECT tx_hash FROM pending_broadcasts WHERE key = ?").get(key) as { tx_hash: string } | undefined)
        ?.tx_hash,
    set: async (key: string, txHash: string) => {
      this.stmt("INSERT OR REPLACE INTO pending_broadcasts (key, tx_hash, created_at) VALUES (?, ?, ?)").run(
        key,
        txHash,
        this.now(),
      );
    },
    delete: async (key: string) => {
      this.stmt("DELETE FROM pending_broadcasts WHERE key = ?").run(key);
    },
  };

  close(): void {
    this.ledger.close();
  }
}
