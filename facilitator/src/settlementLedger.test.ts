import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SettlementLedger } from "./settlementLedger.ts";

describe("SettlementLedger migrations", () => {
  it("moves a first-version ledger onto the shared payment identity and the batch-settlement columns", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-ledger-"));
    try {
      const path = join(dir, "f.sqlite");
      // What the first version of the facilitator left behind: its one table, and a checksummed key.
      const db = new DatabaseSync(path);
      db.exec(`CREATE TABLE settlements (
         key TEXT PRIMARY KEY, network TEXT NOT NULL, asset TEXT NOT NULL, payer TEXT NOT NULL, pay_to TEXT NOT NULL,
         amount TEXT NOT NULL, nonce TEXT NOT NULL, signature TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending','submitted','success','failed','dropped')),
         tx_hash TEXT, error_reason TEXT, response TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
       CREATE INDEX settlements_status ON settlements (status, updated_at);
       CREATE TABLE pending_broadcasts (key TEXT PRIMARY KEY, tx_hash TEXT NOT NULL, created_at INTEGER NOT NULL);
       PRAGMA user_version = 1;`);
      const nonce = `0x${"ab".repeat(32)}`;
      db.prepare(
        `INSERT INTO settlements (key, network, asset, payer, pay_to, amount, nonce, signature, status, created_at, updated_at)
         VALUES (?, 'eip155:31337', ?, ?, ?, '1000', ?, '0x00', 'success', 1, 1)`,
      ).run(
        `eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3:0x90F79bf6EB2c4f870365E785982E1f101E93b906:${nonce}`,
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        nonce,
      );
      db.close();

      const ledger = new SettlementLedger(path);
      expect(
        ledger.get(
          `exact:eip155:31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:0x90f79bf6eb2c4f870365e785982e1f101e93b906:${nonce}`,
        ),
      ).toMatchObject({ status: "success", amount: "1000", scheme: "exact", operation: "settle", channelId: null });

      // The batch-settlement columns hold an escrow operation's identity parts beside exact's.
      const channelId = `0x${"cd".repeat(32)}`;
      ledger.begin({
        key: `batch-settlement:refund:eip155:31337:${channelId}:0`,
        scheme: "batch-settlement",
        operation: "refund",
        network: "eip155:31337",
        asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        payer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        amount: "500",
        nonce: "0",
        signature: "",
        channelId,
        contentDigest: "0x01",
        request: '{"type":"refund"}',
      });
      expect(ledger.get(`batch-settlement:refund:eip155:31337:${channelId}:0`)).toMatchObject({
        scheme: "batch-settlement",
        operation: "refund",
        status: "pending",
        channelId,
        contentDigest: "0x01",
        request: '{"type":"refund"}',
      });
      ledger.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
