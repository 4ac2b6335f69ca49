import { type ChildProcess, fork } from "node:child_process";

/** What a service's `main.ts` sends over IPC once it listens. */
export type ListeningMessage = { type: "listening"; url: string } & Record<string, unknown>;

export type ForkedService = {
  url: string;
  message: ListeningMessage;
  pid: number;
  child: ChildProcess;
  /** SIGTERM (the service drains and exits), SIGKILL after 10 s. */
  stop: () => Promise<void>;
};

/**
 * Runs a service's real `main.ts` as a child process with `env` and resolves once it reports that it
 * listens; on failure the error carries the service's last output lines.
 */
export async function forkService(
  name: string,
  mainPath: string,
  env: Record<string, string>,
  options: { onOutput?: (line: string) => void; timeoutMs?: number } = {},
): Promise<ForkedService> {
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
  const message = await new Promise<ListeningMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${tail.join("\n")}`)),
      options.timeoutMs ?? 30_000,
    );
    child.on("message", (m: Partial<ListeningMessage>) => {
      if (m?.type === "listening" && typeof m.url === "string") {
        clearTimeout(timer);
        resolve(m as ListeningMessage);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code}:\n${tail.join("\n")}`));
    });
  });
  return {
    url: message.url,
    message,
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
