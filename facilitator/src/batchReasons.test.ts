// The reasons the facilitator gives in the SDK's name must be the SDK's own strings. @x402/evm does not export its
// batch-settlement error constants, so read them from its build, where each is `var ErrX = "<reason>"`.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SdkBatchReason } from "./batchReasons.ts";

async function sdkReasonConstants(): Promise<Set<string>> {
  // The package's own entry, resolved as Node resolves it, so a hoisted or nested copy is the one read.
  const entry = createRequire(import.meta.url).resolve("@x402/evm");
  const dist = join(dirname(entry), "..", "esm");
  const found = new Set<string>();
  for (const file of (await readdir(dist)).filter((name) => name.endsWith(".mjs"))) {
    const text = await readFile(join(dist, file), "utf8");
    for (const match of text.matchAll(/var Err\w+ = "(invalid_batch_settlement_evm_\w+)"/g))
      found.add(match[1] as string);
  }
  return found;
}

describe("SdkBatchReason", () => {
  it("names each refusal exactly as @x402/evm's batch-settlement scheme defines it", async () => {
    const constants = await sdkReasonConstants();
    expect(constants.size).toBeGreaterThan(20);
    for (const reason of Object.values(SdkBatchReason)) expect(constants).toContain(reason);
  });
});
