import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export type FacilitatorProcess = { url: string; pid: number; child: ChildProcess; stop: () => Promise<void> };

const mainPath = fileURLToPath(new URL("./main.ts", import.meta.url));

/**
 * Runs the real facilitator process (`main.ts`) with `env`, as `npm start`, benches and e2e tests need it,
 * and resolves with its URL once it listens. `stop()` sends SIGTERM, which drains and closes cleanly.
 */
export async function startFacilitatorProcess(
  env: Record<string, string>,
  options: { onOutput?: (line: string) => void; timeoutMs?: number } = {},
): Promise<FacilitatorProcess> {
  const child = fork(mainPath, [], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    execArgv: ["--disable-warning=ExperimentalWarning"],
  });
  const tail: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`facilitator did not start:\n${tail.join("\n")}`)),
      options.timeoutMs ?? 20_000,
    );
    child.on("message", (message: { type?: string; url?: string }) => {
      if (message?.type === "listening" && message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`facilitator exited with code ${code}:\n${tail.join("\n")}`));
    });
  });
  return {
    url,
    pid: child.pid ?? -1,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
