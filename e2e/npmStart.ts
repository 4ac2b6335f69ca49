// The real `npm start` script as a child process, and what it prints: for e2e tests that need the stack exactly
// as a user gets it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export type Stack = {
  child: ChildProcess;
  output: string;
  agentUrl: string;
  facilitatorUrl: string;
  stackFile: string;
  endpoint: string;
  hostInterface: string;
  gateway: string;
  connect: string;
};

/** Runs the real `npm start` script and reads what it prints. */
export function startStack(env: Record<string, string>): Promise<Stack> {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", join(ROOT, "scripts", "start.ts")], {
    env: { ...process.env, ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not come up:\n${output}`)), 90_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes("local stack is up")) return;
      clearTimeout(timer);
      const agentUrl = /^agent\s+(http:\/\/\S+)/m.exec(output)?.[1];
      const facilitatorUrl = /^facilitator\s+(http:\/\/\S+)/m.exec(output)?.[1];
      const node = /node (\S+) via (\S+), tunnel subnet (\d+\.\d+)\.0\.0\/16/.exec(output);
      const stackFile = /^stack file\s+(\S+)/m.exec(output)?.[1];
      const connect = /^\s+(.*npm run (?:--silent )?wg402 -- connect .*)$/m.exec(output)?.[1];
      if (!agentUrl || !facilitatorUrl || !node || !stackFile || !connect)
        return reject(new Error(`unexpected output:\n${output}`));
      resolve({
        child,
        output,
        agentUrl,
        facilitatorUrl,
        stackFile,
        endpoint: node[1] as string,
        hostInterface: node[2] as string,
        gateway: `${node[3]}.0.1`,
        connect,
      });
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`the stack exited with ${code}:\n${output}`)));
  });
}

export const stopStack = (child: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const hard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill("SIGINT");
  });
