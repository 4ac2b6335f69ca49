import { Command, type OptionValues } from "@commander-js/extra-typings";
import { registerChannelCommands } from "./commands/channel.ts";
import { registerConnectCommand } from "./commands/connect.ts";
import { registerFaucetCommand } from "./commands/faucet.ts";
import { registerLeaseCommands } from "./commands/lease.ts";
import { registerNodeCommands } from "./commands/node.ts";
import { registerNodesCommand } from "./commands/nodes.ts";
import { registerReceiptsCommand } from "./commands/receipts.ts";
import { registerWalletCommands } from "./commands/wallet.ts";
import { CliContext } from "./context.ts";
import type { CliIo } from "./io.ts";
import { Output } from "./output.ts";

export const CLI_VERSION = "0.1.0";

type Handler<O, A extends unknown[]> = (ctx: CliContext, out: Output, options: O, ...args: A) => Promise<unknown>;

/** What every command shares: `--json`, `--keystore`, one Output, and the exit code it sets. */
export type CommandRunner = ReturnType<typeof createRunner>;

export type RunState = { json: boolean; exitCode: number; out: Output | null };

export function buildProgram(io: CliIo, state: RunState): Command {
  const program = new Command("wg402")
    .description("pay-as-you-go WireGuard VPN: buy tunnel time by the minute over x402")
    .version(CLI_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        if (state.json)
          write(`${JSON.stringify({ error: "invalid_argument", message: text.replace(/^error: /, "").trim() })}\n`);
        else write(`wg402: ${text.replace(/^error: /, "")}`);
      },
    });

  const runner = createRunner(io, state, program);
  registerWalletCommands(program, runner);
  registerFaucetCommand(program, runner);
  registerNodeCommands(program, runner);
  registerNodesCommand(program, runner);
  registerConnectCommand(program, runner);
  registerLeaseCommands(program, runner);
  registerChannelCommands(program, runner);
  registerReceiptsCommand(program, runner);
  return program;
}

function createRunner(io: CliIo, state: RunState, program: Command) {
  return {
    leaf<A extends unknown[], O extends OptionValues, G extends OptionValues>(
      command: Command<A, O, G>,
      description: string,
    ) {
      return command
        .description(description)
        .option("--json", "machine-readable output (errors go to stderr as {error, message})")
        .option("--keystore <path>", "the wallet file (default $WG402_HOME/wallet.json, or $WG402_KEYSTORE)")
        .exitOverride()
        .configureOutput(program.configureOutput());
    },
    /** Commander calls an action with the arguments, the options and the command; `fn` gets a context first. */
    handler<A extends unknown[], O extends { json?: true; keystore?: string }>(fn: Handler<O, A>) {
      return async (...all: [...A, O, unknown]): Promise<void> => {
        const options = all.at(-2) as O;
        state.json = options.json === true;
        const out = new Output(io, state.json);
        state.out = out;
        const ctx = new CliContext(io, { keystore: options.keystore });
        const code = await fn(ctx, out, options, ...(all.slice(0, -2) as A));
        state.exitCode = typeof code === "number" ? code : 0;
      };
    },
  };
}
