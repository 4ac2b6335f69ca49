// The facilitator as an operator runs it: its own process, configured by env, with a keystore signer; a
// bad configuration exits non-zero naming the variable; SIGTERM shuts it down cleanly.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { type FacilitatorProcess, startFacilitatorProcess } from "@wg402/facilitator";
import { encryptKeystore } from "@wg402/shared";
import type { Hex } from "viem";

const main = fileURLToPath(new URL("../facilitator/src/main.ts", import.meta.url));
let chain: LocalChain;
let dir: string;
let proc: FacilitatorProcess | undefined;

beforeAll(async () => {
  chain = await startLocalChain();
  dir = await mkdtemp(join(tmpdir(), "wg402-facproc-"));
});

afterAll(async () => {
  await proc?.stop();
  await chain?.stop();
  await rm(dir, { recursive: true, force: true });
});

it("exits 2 with the bad variable named when the config is wrong", () => {
  const result = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", main], {
    env: { PATH: process.env.PATH, FACILITATOR_NETWORKS: "local", FACILITATOR_PORT: "99999" },
    encoding: "utf8",
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/FACILITATOR_PORT="99999"/);
  expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
});

it("runs from a keystore signer, serves /supported and /readyz, and stops cleanly on SIGTERM", async () => {
  const keystorePath = join(dir, "signer.json");
  const keystore = await encryptKeystore(chain.stack.accounts.facilitator.privateKey as Hex, "s3cret", { n: 1024 });
  await writeFile(keystorePath, JSON.stringify(keystore), { mode: 0o600 });
  const output: string[] = [];
  proc = await startFacilitatorProcess(
    {
      FACILITATOR_KEYSTORE: keystorePath,
      FACILITATOR_KEYSTORE_PASSWORD: "s3cret",
      FACILITATOR_PORT: "0",
      FACILITATOR_DB_PATH: join(dir, "f.sqlite"),
      WG402_RPC_URL_LOCAL: chain.rpcUrl,
      LOG_LEVEL: "info",
    },
    { onOutput: (line) => output.push(line) },
  );
  const supported = (await (await fetch(`${proc.url}/supported`)).json()) as { signers: Record<string, string[]> };
  expect(supported.signers["eip155:*"]).toEqual([chain.stack.accounts.facilitator.address]);
  const ready = await fetch(`${proc.url}/readyz`);
  expect(ready.status).toBe(200);

  const exited = new Promise<number | null>((resolve) => proc?.child.once("exit", (code) => resolve(code)));
  proc.child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(output.join("\n")).toMatch(/"msg":"stopped"/);
  expect(output.join("\n")).not.toContain("s3cret");
  expect((await stat(join(dir, "f.sqlite"))).size).toBeGreaterThan(0);
});
