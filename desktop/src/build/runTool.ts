// A third-party build tool (electron-builder, which downloads Electron) run as a child: its progress lines
// pass through, and a failure becomes one line with its root cause instead of the tool's stack trace.
import { spawn } from "node:child_process";
import { rootCauseLine } from "@wg402/client/runtime";

export type ToolRun = { code: number; cause: string | null };

/** Runs `command args`; resolves with its exit code and, when it failed, the line that says why. */
export function runTool(
  command: string,
  args: string[],
  options: { progress?: (line: string) => void; cwd?: string } = {},
): Promise<ToolRun> {
  const progress = options.progress ?? ((line: string) => process.stdout.write(`${line}\n`));
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let pending = "";
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      // electron-builder's progress lines start with "•"; everything else waits for the verdict.
      for (const line of lines) if (/^\s*•/.test(line)) progress(line);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (error) => resolve({ code: 1, cause: error.message }));
    child.on("close", (code, signal) => {
      const failed = code !== 0;
      resolve({
        code: code ?? 1,
        cause: failed ? rootCauseLine(output, signal ? `killed by ${signal}` : `exit code ${code}`) : null,
      });
    });
  });
}

/** An error's message as one line: its root cause (esbuild, vite and execFile put whole logs in messages). */
export function oneLine(error: unknown): string {
  return rootCauseLine(error instanceof Error ? error.message : String(error));
}
