import type { Clock } from "@wg402/shared/runtime";
import type { Env } from "../chain/paymentChain.ts";
import type { FetchLike } from "../node/nodeApi.ts";

export type Writable = { write(text: string): unknown; isTTY?: boolean };

/** Everything the CLI touches outside itself, injectable so tests run it in-process. */
export type CliIo = {
  stdout: Writable;
  stderr: Writable;
  env: Env;
  /** Aborted on Ctrl-C: `connect` then closes the lease and takes the tunnel down. */
  signal?: AbortSignal;
  /** Asks for a secret without echo; absent without a terminal. */
  prompt?: (question: string) => Promise<string>;
  isRoot?: () => boolean;
  fetch?: FetchLike;
  clock?: Clock;
};
