import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SettlementLedger } from "./settlementLedger.ts";

describe("SettlementLedger migrations", () => {
  it("moves a ledger written under the old key format onto the shared payment identity", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-ledger-"));
    try {
      const path = join(dir, "f.sqlite");
      // What a facilitator of the previous version left behind: the first migration and a checksummed key.
      new SettlementLedger(path).close();
      const db = new DatabaseSync(path);
      db.exec("PRAGMA user_version = 1");
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
      ).toMatchObject({ status: "success", amount: "1000" });
      ledger.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
