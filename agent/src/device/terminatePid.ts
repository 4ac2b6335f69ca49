import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** True while `pid` exists and is not a zombie (an unreaped zombie holds no devices or sockets). */
export async function isRunning(pid: number): Promise<boolean> {
  // Never probe pid <= 0: kill() would address process groups.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  // The state follows the parenthesised command name, which may itself contain ")".
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Throws if it survives SIGKILL. */
export async function terminatePid(pid: number, graceMs = 3_000): Promise<void> {
  if (!(await isRunning(pid))) return;
  signal(pid, "SIGTERM");
  if (await waitGone(pid, graceMs)) return;
  signal(pid, "SIGKILL");
  if (await waitGone(pid, 5_000)) return;
  throw new Error(`process ${pid} survived SIGKILL`);
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(pid))) return true;
    await sleep(20);
  }
  return !(await isRunning(pid));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
