import { execFile } from "node:child_process";
import { assertNetnsName } from "./names.ts";
import { WireguardError } from "./types.ts";

export type RunCommandOptions = {
  /** Runs the command as `ip netns exec <netns> <file> ...`. */
  netns?: string;
  /** Written to stdin. Node's stdin for children is a socketpair: a tool that opens /dev/stdin gets ENXIO. */
  input?: string;
  timeoutMs?: number;
  ipPath?: string;
};

export type RunCommandResult = { stdout: string; stderr: string };

/** execFile, never a shell; a failure becomes a WireguardError "io" quoting the tool's stderr. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<RunCommandResult> {
  if (options.netns !== undefined) assertNetnsName(options.netns);
  const [command, argv] =
    options.netns === undefined
      ? [file, [...args]]
      : [options.ipPath ?? "ip", ["netns", "exec", options.netns, file, ...args]];
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      argv,
      { encoding: "utf8", timeout: options.timeoutMs ?? 30_000, killSignal: "SIGKILL", maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const detail = stderr.trim() || error.message;
        const commandLine = [command, ...argv].join(" ");
        const shown = commandLine.length > 200 ? `${commandLine.slice(0, 200)}…` : commandLine;
        reject(new WireguardError(`${shown} failed: ${detail}`, { code: "io", cause: error }));
      },
    );
    // The tool may exit before reading its input; its exit status already tells what went wrong.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input);
  });
}
