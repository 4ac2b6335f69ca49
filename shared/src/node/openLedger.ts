import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";

/** A service's SQLite ledger: one connection, forward-only migrations, cached statements, transactions. */
export type Ledger = {
  readonly db: DatabaseSync;
  /** Prepared once per SQL text and reused: the hot paths write thousands of rows per pass. */
  stmt(sql: string): StatementSync;
  /** Runs `work` in one `BEGIN IMMEDIATE` transaction; nested calls join the outer one. */
  transaction<T>(work: () => T): T;
  close(): void;
};

/**
 * Opens (creating its directory) a WAL-mode database and runs the migrations it has not run yet, each in
 * its own transaction; `PRAGMA user_version` counts how many ran.
 */
export function openLedger(options: { path: string; migrations: readonly string[] }): Ledger {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new DatabaseSync(options.path);
  // NORMAL is durable against a process crash (kill -9); only a power loss can lose the last commits.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  const statements = new Map<string, StatementSync>();
  let depth = 0;

  const ledger: Ledger = {
    db,
    stmt(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    transaction(work) {
      if (depth > 0) return work();
      db.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = work();
        db.exec("COMMIT");
        return result;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      } finally {
        depth--;
      }
    },
    close() {
      statements.clear();
      if (db.isOpen) db.close();
    },
  };

  const { user_version: version } = ledger.stmt("PRAGMA user_version").get() as { user_version: number };
  for (let i = version; i < options.migrations.length; i++) {
    ledger.transaction(() => {
      db.exec(options.migrations[i] as string);
      db.exec(`PRAGMA user_version = ${i + 1}`);
    });
  }
  return ledger;
}
