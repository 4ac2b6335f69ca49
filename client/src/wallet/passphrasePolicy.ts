// One rule for every new wallet passphrase, in the CLI and the app: long enough to stand an offline guess
// against the keystore (scrypt slows each guess, it does not make a short passphrase safe), and none of the
// ones people try first.
import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";
import { newPassphraseProblem } from "./passphraseRules.ts";

export { MIN_PASSPHRASE_LENGTH, passphraseWeakness } from "./passphraseRules.ts";

/** `weak_passphrase` unless the passphrase will do; an empty one is `passphrase_required`. */
export function assertStrongPassphrase(passphrase: string): void {
  confirmNewPassphrase(passphrase, passphrase);
}

/** A new passphrase typed twice: `passphrase_mismatch` when the two differ, then the strength rule. */
export function confirmNewPassphrase(first: string, repeated: string): string {
  const problem = newPassphraseProblem(first, repeated);
  if (problem) throw new ClientError(problem.message, { code: ErrorCode[problem.code] });
  return first;
}
