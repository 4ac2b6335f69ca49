import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

export type SettlementStatus = "pending" | "submitted" | "success" | "failed" | "dropped";

export type SettlementRecord = {
  key: string;
  network: string;
  asset: string;
  payer: string;
  payTo: string;
  amount: string;
  nonce: string;
  signature: string;
  status: SettlementStatus;
  txHash: string | null;
  errorReason: string | null;
  response: string | null;
  createdAt: number;
  updatedAt: number;
};

type Row = {
  key: string;
  network: string;
  asset: string;
  payer: string;
  pay_to: string;
  amount: string;
  nonce: string;
  signature: string;
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
];

const fromRow = (row: Row): SettlementRecord => ({
  key: row.key,
  network: row.network,
  asset: row.asset,
  payer: row.payer,
  payTo: row.pay_to,
  amount: row.amount,
  nonce: row.nonce,
  signature: row.signature,
  status: row.status,
  txHash: row.tx_hash,
  errorReason: row.error_reason,
  response: row.response,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Every settlement the facilitator attempted, so that a payment is settled once even across restarts. */
export class SettlementLedger {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  constructor(path: string, now: () => number = Date.now) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.now = now;
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.migrate();
  }

  private migrate(): void {
    const { user_version: version } = this.db.prepare("PRAGMA user_version").get() as { user_version: number };
    for (let i = version; i < migrations.length; i++) {
      this.db.exec("BEGIN");
      try {
        this.db.exec(migrations[i] as string);
        this.db.exec(`PRAGMA user_version = ${i + 1}`);
        this.db.exec("COMMIT");
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    }
  }

  get(key: string): SettlementRecord | undefined {
    const row = this.db.prepare("SELECT * FROM settlements WHERE key = ?").get(key) as Row | undefined;
    return row && fromRow(row);
  }

  /** Records an attempt as pending; an earlier failed or dropped attempt of the same payment is replaced. */
  begin(record: Omit<SettlementRecord, "status" | "txHash" | "errorReason" | "response" | "createdAt" | "updatedAt">) {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO settlements (key, network, asset, payer, pay_to, amount, nonce, signature, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT (key) DO UPDATE SET status = 'pending', signature = excluded.signature, tx_hash = NULL,
           error_reason = NULL, response = NULL, updated_at = excluded.updated_at`,
      )
      .run(
        record.key,
        record.network,
        record.asset,
        record.payer,
        record.payTo,
        record.amount,
        record.nonce,
        record.signature,
        now,
        now,
      );
  }

  markSubmitted(key: string, txHash: string): void {
    this.db
      .prepare("UPDATE settlements SET status = 'submitted', tx_hash = ?, updated_at = ? WHERE key = ?")
      .run(txHash, this.now(), key);
  }

  finish(
    key: string,
    status: "success" | "failed" | "dropped",
    fields: { txHash?: string; errorReason?: string; response?: string },
  ) {
    this.db
      .prepare(
        `UPDATE settlements SET status = ?, tx_hash = COALESCE(?, tx_hash), error_reason = ?, response = ?, updated_at = ?
         WHERE key = ?`,
      )
      .run(status, fields.txHash ?? null, fields.errorReason ?? null, fields.response ?? null, this.now(), key);
  }

  /** Attempts that broadcast (or may have) but never learned their outcome. */
  unfinished(olderThanMs = 0): SettlementRecord[] {
    const rows = this.db
      .prepare(
        "SELECT * FROM settlements WHERE status IN ('pending','submitted') AND updated_at <= ? ORDER BY created_at",
      )
      .all(this.now() - olderThanMs) as Row[];
    return rows.map(fromRow);
  }

  countByStatus(): Record<SettlementStatus, number> {
    const counts: Record<SettlementStatus, number> = { pending: 0, submitted: 0, success: 0, failed: 0, dropped: 0 };
    for (const row of this.db.prepare("SELECT status, COUNT(*) AS n FROM settlements GROUP BY status").all() as {
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
      (
        this.db.prepare("SELECT tx_hash FROM pending_broadcasts WHERE key = ?").get(key) as
          | { tx_hash: string }
          | undefined
      )?.tx_hash,
    set: async (key: string, txHash: string) => {
      this.db
        .prepare("INSERT OR REPLACE INTO pending_broadcasts (key, tx_hash, created_at) VALUES (?, ?, ?)")
        .run(key, txHash, this.now());
    },
    delete: async (key: string) => {
      this.db.prepare("DELETE FROM pending_broadcasts WHERE key = ?").run(key);
    },
  };

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
