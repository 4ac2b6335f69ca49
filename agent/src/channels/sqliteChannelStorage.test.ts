import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLedger } from "@wg402/shared/node";
import { type Channel, InMemoryChannelStorage } from "@x402/evm/batch-settlement/server";
import { migrations } from "../ledger/migrations.ts";
import { SqliteChannelStorage } from "./sqliteChannelStorage.ts";

const ID = `0x${"ab".repeat(32)}`;

function channel(overrides: Partial<Channel> = {}): Channel {
  return {
    channelId: ID,
    channelConfig: {
      payer: "0x1111111111111111111111111111111111111111",
      payerAuthorizer: "0x1111111111111111111111111111111111111111",
      receiver: "0x2222222222222222222222222222222222222222",
      receiverAuthorizer: "0x3333333333333333333333333333333333333333",
      token: "0x4444444444444444444444444444444444444444",
      withdrawDelay: 900,
      salt: `0x${"00".repeat(32)}`,
    },
    // Past 2^53: amounts must round-trip as strings.
    chargedCumulativeAmount: "9007199254740993",
    signedMaxClaimable: "9007199254741993",
    signature: `0x${"cd".repeat(65)}`,
    balance: "10000000000000000",
    totalClaimed: "0",
    withdrawRequestedAt: 0,
    refundNonce: 0,
    lastRequestTimestamp: 1_700_000_000_000,
    ...overrides,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-channels-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (file = join(dir, "ledger.sqlite")) => openLedger({ path: file, migrations });

describe("SqliteChannelStorage", () => {
  it("keeps a channel and its pending reservation exactly, across a reopen, under any case of its id", async () => {
    const path = join(dir, "ledger.sqlite");
    const first = open(path);
    const stored = channel({
      onchainSyncedAt: 1_700_000_000_500,
      pendingRequest: { pendingId: "p-1", signedMaxClaimable: "9007199254742993", expiresAt: 1_700_000_005_000 },
    });
    const result = await new SqliteChannelStorage(first).updateChannel(
      ID.toUpperCase().replace("0X", "0x"),
      () => stored,
    );
    expect(result).toEqual({ channel: stored, status: "updated" });
    first.close();

    const again = new SqliteChannelStorage(open(path));
    expect(await again.get(ID)).toEqual(stored);
    expect(await again.list()).toEqual([stored]);
    // Clearing the reservation clears all three of its columns.
    const { pendingRequest: _, ...cleared } = stored;
    await again.updateChannel(ID, (c) => (c ? { ...cleared } : c));
    expect(await again.get(ID)).toEqual(cleared);
  });

  it("answers unchanged and deleted as the SDK's in-memory storage does, step for step", async () => {
    const sqlite = new SqliteChannelStorage(open());
    const memory = new InMemoryChannelStorage();
    const steps: ((c: Channel | undefined) => Channel | undefined)[] = [
      () => undefined, // nothing to delete
      () => channel(),
      (c) => c, // leave it
      (c) => (c ? { ...c, chargedCumulativeAmount: "9007199254741000" } : c),
      () => undefined,
      (c) => c,
      () => channel({ refundNonce: 3, withdrawRequestedAt: 1_700_000_100 }),
    ];
    for (const step of steps) {
      const [a, b] = await Promise.all([sqlite.updateChannel(ID, step), memory.updateChannel(ID, step)]);
      expect(a).toEqual(b);
      expect(await sqlite.list()).toEqual(await memory.list());
    }
  });

  it("rolls back when the update throws, and refuses to move a channel to another id", async () => {
    const storage = new SqliteChannelStorage(open());
    await storage.updateChannel(ID, () => channel());
    await expect(
      storage.updateChannel(ID, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(storage.updateChannel(ID, () => channel({ channelId: `0x${"ef".repeat(32)}` }))).rejects.toThrow(
      /updated into/,
    );
    expect(await storage.list()).toEqual([channel()]);
  });

  it("runs the grant of an expected charge in its commit, and a grant that throws rolls the charge back", async () => {
    const ledger = open();
    const storage = new SqliteChannelStorage(ledger);
    ledger.stmt("CREATE TABLE granted (n INTEGER)").run();
    const reserved = channel({
      chargedCumulativeAmount: "100",
      pendingRequest: { pendingId: "p-1", signedMaxClaimable: "9007199254741993", expiresAt: Date.now() + 60_000 },
    });
    await storage.updateChannel(ID, () => reserved);
    const { pendingRequest: _, ...committed } = reserved;
    // A release of the reservation (no charge) is not the commit: the grant does not run.
    storage.expectCommit("p-1", 50n, () => ledger.stmt("INSERT INTO granted VALUES (1)").run());
    await storage.updateChannel(ID, (c) => (c ? { ...c, pendingRequest: undefined } : c));
    expect(ledger.stmt("SELECT COUNT(*) AS n FROM granted").get()?.n).toBe(0);

    await storage.updateChannel(ID, () => reserved);
    storage.expectCommit("p-1", 50n, () => {
      ledger.stmt("INSERT INTO granted VALUES (1)").run();
      throw new Error("no time for this charge");
    });
    await expect(
      storage.updateChannel(ID, (c) => (c ? { ...committed, chargedCumulativeAmount: "150" } : c)),
    ).rejects.toThrow("no time for this charge");
    expect(storage.read(ID)?.chargedCumulativeAmount).toBe("100");
    expect(ledger.stmt("SELECT COUNT(*) AS n FROM granted").get()?.n).toBe(0);

    storage.expectCommit("p-1", 50n, () => ledger.stmt("INSERT INTO granted VALUES (1)").run());
    await storage.updateChannel(ID, (c) => (c ? { ...committed, chargedCumulativeAmount: "150" } : c));
    expect(storage.read(ID)?.chargedCumulativeAmount).toBe("150");
    expect(ledger.stmt("SELECT COUNT(*) AS n FROM granted").get()?.n).toBe(1);
    expect(() => storage.expectCommit("p-2", 0n, () => undefined)).toThrow(/positive charge/);

    // After a crash: the reservation is released, and the chain's view is no longer trusted for local verify.
    await storage.updateChannel(ID, (c) =>
      c ? { ...c, onchainSyncedAt: 1, pendingRequest: reserved.pendingRequest } : c,
    );
    expect(await storage.releaseReservations()).toBe(1);
    expect(storage.read(ID)).toMatchObject({ chargedCumulativeAmount: "150" });
    expect(storage.read(ID)?.pendingRequest).toBeUndefined();
    expect(storage.read(ID)?.onchainSyncedAt).toBeUndefined();
    expect(await storage.releaseReservations()).toBe(0);
  });

  it("is atomic across processes sharing the file: no increment is lost", async () => {
    const path = join(dir, "shared.sqlite");
    const seed = open(path);
    await new SqliteChannelStorage(seed).updateChannel(ID, () => channel({ chargedCumulativeAmount: "0" }));
    seed.close();
    const perProcess = 150;
    const worker = `
      import { openLedger } from "@wg402/shared/node";
      import { migrations } from ${JSON.stringify(new URL("../ledger/migrations.ts", import.meta.url).pathname)};
      import { SqliteChannelStorage } from ${JSON.stringify(new URL("./sqliteChannelStorage.ts", import.meta.url).pathname)};
      // Opening runs PRAGMAs before the busy timeout applies; three processes opening at once may collide there.
      let ledger;
      for (let attempt = 0; !ledger; attempt++) {
        try {
          ledger = openLedger({ path: ${JSON.stringify(path)}, migrations });
        } catch (error) {
          if (attempt > 50 || !/locked/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const storage = new SqliteChannelStorage(ledger);
      for (let i = 0; i < ${perProcess}; i++) {
        await storage.updateChannel(${JSON.stringify(ID)}, (c) => ({ ...c, chargedCumulativeAmount: String(BigInt(c.chargedCumulativeAmount) + 1n) }));
      }`;
    const run = () =>
      new Promise<number>((resolve) => {
        const child = spawn(
          process.execPath,
          ["--disable-warning=ExperimentalWarning", "--input-type=module", "-e", worker],
          { cwd: new URL("../../", import.meta.url).pathname, stdio: ["ignore", "inherit", "inherit"] },
        );
        child.on("exit", (code) => resolve(code ?? 1));
      });
    expect(await Promise.all([run(), run(), run()])).toEqual([0, 0, 0]);
    const after = await new SqliteChannelStorage(open(path)).get(ID);
    expect(after?.chargedCumulativeAmount).toBe(String(3 * perProcess));
  }, 60_000);
});
