import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Caip2Network } from "./chains.ts";
import { EvmAddress } from "./lease.ts";
import { RegistryDeployment } from "./nodeRegistry.ts";

/**
 * The machine-readable description of the running local stack (`npm start`), which services, tests and
 * clients read to find the chain, the token and each other. It is rewritten as services come up.
 */
export const LocalAccount = z.object({
  address: EvmAddress,
  privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
});
export type LocalAccount = z.infer<typeof LocalAccount>;

export const LocalStack = z.object({
  version: z.literal(1),
  startedAt: z.iso.datetime(),
  chain: z.object({ id: z.number().int(), network: Caip2Network, rpcUrl: z.url() }),
  token: z.object({
    address: EvmAddress,
    symbol: z.string(),
    decimals: z.number().int(),
    eip712: z.object({ name: z.string(), version: z.string() }),
    deployBlock: z.number().int().nonnegative(),
  }),
  accounts: z.object({
    deployer: LocalAccount,
    demo: LocalAccount,
    facilitator: LocalAccount,
    operator: LocalAccount,
    /** Controls the local nodes' registry entries and holds their stake. Optional: older stack files lack it. */
    registrant: LocalAccount.optional(),
  }),
  services: z.record(z.string(), z.url()),
  /**
   * The `batch-settlement` contracts the local chain carries at their canonical addresses (wg402's own
   * implementation, placed by contracts/src/deployLocalStack.ts). Optional: stack files written before it lack it.
   */
  escrow: z.object({ batchSettlement: EvmAddress, depositCollector: EvmAddress, multicall3: EvmAddress }).optional(),
  /** The NodeRegistry the local stack deploys (issue 16). Optional: older stack files lack it. */
  registry: RegistryDeployment.optional(),
});
export type LocalStack = z.infer<typeof LocalStack>;

export const defaultLocalStackPath = fileURLToPath(new URL("../../.wg402/local.json", import.meta.url));

export function localStackPath(env: Record<string, string | undefined> = process.env): string {
  return env.WG402_STACK_FILE || defaultLocalStackPath;
}

export async function readLocalStack(path = localStackPath()): Promise<LocalStack> {
  return LocalStack.parse(JSON.parse(await readFile(path, "utf8")));
}

/** Written atomically, so a reader never sees half a file. */
export async function writeLocalStack(stack: LocalStack, path = localStackPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(LocalStack.parse(stack), null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
