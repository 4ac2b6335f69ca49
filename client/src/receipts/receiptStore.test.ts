import { appendFile, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ReceiptEntry, ReceiptStore } from "./receiptStore.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-receipts-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const entry = (leaseId: string): ReceiptEntry => ({
  kind: "payment",
  savedAt: new Date(0).toISOString(),
  nodeUrl: "http://127.0.0.1:4021",
  leaseId,
  expectedSigner: null,
  scheme: "exact",
  amount: "1000",
  txHash: null,
  payer: `0x${"11".repeat(20)}`,
  offer: null,
  receipt: null,
  verdict: null,
});

describe("ReceiptStore", () => {
  it("keeps every receipt in order, in a file only the user can read", async () => {
    const store = new ReceiptStore(join(dir, "home"));
    expect(await store.list()).toEqual([]);
    await Promise.all([store.add(entry("a")), store.add(entry("b")), store.add(entry("a"))]);
    expect((await store.list()).map((e) => e.leaseId)).toEqual(["a", "b", "a"]);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  it("names a damaged line instead of dropping it", async () => {
    const store = new ReceiptStore(dir);
    await store.add(entry("a"));
    await appendFile(store.path, "{not json\n");
    await expect(store.list()).rejects.toThrow(/line 2 is not a receipt entry/);
  });
});
