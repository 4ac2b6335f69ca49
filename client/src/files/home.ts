import { homedir } from "node:os";
import { join } from "node:path";
import type { Env } from "../chain/paymentChain.ts";

/** Where the client keeps its wallet, state and tunnel configs: `WG402_HOME`, default `~/.config/wg402`. */
export function wg402Home(env: Env): string {
  return env.WG402_HOME || join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "wg402");
}

export function homePaths(env: Env) {
  const home = wg402Home(env);
  return {
    home,
    /** The encrypted wallet; `WG402_KEYSTORE` points elsewhere. */
    keystore: env.WG402_KEYSTORE || join(home, "wallet.json"),
    state: join(home, "state.json"),
    tunnels: join(home, "tunnels"),
  };
}
