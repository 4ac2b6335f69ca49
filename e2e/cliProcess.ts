// The real `wg402` binary as a child process with `--json`: its NDJSON events as they arrive, its stderr,
// and its exit. Every stdout line must parse as JSON; anything else fails the run that reads it.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const WG402_BIN = fileURLToPath(new URL("../client/bin/wg402.js", import.meta.url));

export type CliProcess = {
  child: ChildProcess;
  events: Record<string, unknown>[];
  /** stdout lines that were not JSON: there must be none. */
  junk: string[];
  stderr: () => string;
  exited: Promise<number | null>;
};

export function spawnCli(args: string[], env: Record<string, string>, node = process.execPath): CliProcess {
  const child = spawn(node, [WG402_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Record<string, unknown>[] = [];
  const junk: string[] = [];
  let buffered = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        junk.push(line);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, events, junk, stderr: () => stderr, exited };
}

/** The `count`th event named `name`, waiting up to `timeoutMs` for it. */
export async function waitForEvent(
  run: CliProcess,
  name: string,
  count = 1,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = run.events.filter((e) => e.event === name);
    if (found.length >= count) return found[count - 1] as Record<string, unknown>;
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${count}× ${name} within ${timeoutMs} ms: ${JSON.stringify(run.events)} ${run.stderr()}`);
}
