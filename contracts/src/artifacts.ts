import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";

const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts", "contracts");

export type Artifact = {
  bytecode: Hex;
  deployedBytecode: Hex;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
};

/** The Hardhat build's artifact of the contract named like `source` (a path under contracts/contracts/). */
export async function readArtifact(source: string): Promise<Artifact> {
  const name = source.replace(/^.*\//, "").replace(/\.sol$/, "");
  const path = join(artifactsDir, source, `${name}.json`);
  try {
    return JSON.parse(await readFile(path, "utf8")) as Artifact;
  } catch (cause) {
    throw new Error(`${name} is not built (${path}); run \`npm run build\``, { cause });
  }
}
