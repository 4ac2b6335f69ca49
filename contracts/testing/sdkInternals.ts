// The x402 SDK keeps some of what wg402 must match (the escrow ABI, the collector-data encoders, its Multicall3
// reader) in bundle chunks that its package does not export. They are found by the name they export, so a new
// SDK build with other chunk names still works, and a renamed export fails loudly here.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const esmDir = dirname(fileURLToPath(import.meta.resolve("@x402/evm")));

/** The export `name` of whichever `@x402/evm` ESM chunk declares it. */
export async function sdkInternal<T>(name: string): Promise<T> {
  const declaration = new RegExp(`^(?:var|function|async function) ${name}\\b`, "m");
  for (const file of (await readdir(esmDir)).filter((f) => /^chunk-.*\.mjs$/.test(f)).sort()) {
    const path = join(esmDir, file);
    if (!declaration.test(await readFile(path, "utf8"))) continue;
    const chunk = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    if (!(name in chunk)) throw new Error(`@x402/evm chunk ${file} declares ${name} but does not export it`);
    return chunk[name] as T;
  }
  throw new Error(`no @x402/evm chunk declares ${name}`);
}
