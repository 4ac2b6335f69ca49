import { readdir, readFile } from "node:fs/promises";
import { basename } from "node:path";

/**
 * PIDs of the wireguard-go processes serving interface `name`, in any network namespace, found by their
 * argv: `wireguard-go [-f] <name>` (how startWireguardGo and wg-quick run it). Zombies have no argv.
 */
export async function findWireguardGoPids(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // Exited meanwhile.
    }
    const argv = cmdline.split("\0");
    if (argv.at(-1) === "") argv.pop();
    const [program, ...args] = argv;
    if (program === undefined || basename(program) !== "wireguard-go") continue;
    const operands = args.filter((arg) => arg !== "-f" && arg !== "--foreground");
    if (operands.length === 1 && operands[0] === name) pids.push(pid);
  }
  return pids;
}
