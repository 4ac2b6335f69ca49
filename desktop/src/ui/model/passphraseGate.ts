// Whether the Create/Import button may be pressed, and which rule to show while the user types: the very
// rule the host enforces (`@wg402/client/passphrase`), so the form never lets through what the host refuses.
import { MIN_PASSPHRASE_LENGTH, newPassphraseProblem, type PassphraseProblem } from "@wg402/client/passphrase";

export type PassphraseGate = {
  canSubmit: boolean;
  /** What to say now: the strength rule while the first field is typed, the mismatch once the second is. */
  problem: PassphraseProblem | null;
  /** The rule in one line, for before anything is typed. */
  rule: string;
};

export const PASSPHRASE_RULE = `At least ${MIN_PASSPHRASE_LENGTH} characters, not a run (1234…), a repetition or "password…". A few unrelated words work well.`;

export function passphraseGate(passphrase: string, repeated: string): PassphraseGate {
  const verdict = newPassphraseProblem(passphrase, repeated);
  const strength = passphrase === "" ? null : newPassphraseProblem(passphrase, passphrase);
  const problem = strength ?? (repeated === "" ? null : verdict);
  return { canSubmit: verdict === null, problem, rule: PASSPHRASE_RULE };
}
