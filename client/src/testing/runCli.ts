// Test-only: runs the CLI in-process with captured output.

import type { CliIo } from "../cli/io.ts";
import { run } from "../cli/main.ts";

export type CliResult = { code: number; stdout: string; stderr: string };

export type CapturedRun = {
  /** Output so far, while the command still runs. */
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
};

export function startCli(argv: string[], io: Partial<CliIo> & { env: CliIo["env"] }): CapturedRun {
  let stdout = "";
  let stderr = "";
  const done = run(argv, {
    ...io,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  }).then((code) => ({ code, stdout, stderr }));
  return { stdout: () => stdout, stderr: () => stderr, done };
}

export function runCli(argv: string[], io: Partial<CliIo> & { env: CliIo["env"] }): Promise<CliResult> {
  return startCli(argv, io).done;
}

/** NDJSON lines of a `--json` run. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
