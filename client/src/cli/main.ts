import { CommanderError } from "@commander-js/extra-typings";
import { ClientError } from "../errors.ts";
import { ExitCode, exitCodeFor } from "./exitCodes.ts";
import type { CliIo } from "./io.ts";
import { Output } from "./output.ts";
import { buildProgram, type RunState } from "./program.ts";
import { promptHidden } from "./prompt.ts";

/**
 * Runs `wg402 <argv>` with injected streams, environment and abort signal; resolves with the exit code.
 * Failures become one sentence (or `{error, message}` with `--json`) and a stable exit code, never a stack
 * trace (set WG402_DEBUG=1 for one).
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const state: RunState = { json: argv.includes("--json"), exitCode: 0, out: null };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return state.exitCode;
  } catch (error) {
    const out = state.out ?? new Output(io, state.json);
    if (error instanceof CommanderError) {
      // Help and version exit 0; everything else commander refused is a usage error, already printed.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof ClientError) {
      out.error(error.code, error.shortMessage);
      if (io.env.WG402_DEBUG) io.stderr.write(`${error.stack}\n`);
      return exitCodeFor(error.code);
    }
    out.error("internal_error", `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    if (io.env.WG402_DEBUG) io.stderr.write(`${(error as Error)?.stack}\n`);
    return ExitCode.failure;
  }
}

const SAME_SIGNAL_MS = 250;

/** The `wg402` binary: real streams, Ctrl-C (and SIGTERM) abort, a second Ctrl-C exits at once. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // Under bin/wg402.js's re-run the terminal's Ctrl-C arrives twice (directly and forwarded): one press.
      if (performance.now() - firstAt < SAME_SIGNAL_MS) return;
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    firstAt = performance.now();
    controller.abort(new Error(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  try {
    process.exitCode = await run(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      signal: controller.signal,
      ...(process.stdin.isTTY ? { prompt: promptHidden } : {}),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
  }
}
