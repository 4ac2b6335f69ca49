// One rule for every new wallet passphrase, in the CLI and the app: long enough to stand an offline guess
// against the keystore (scrypt slows each guess, it does not make a short passphrase safe), and none of the
// ones people try first.
import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";

export const MIN_PASSPHRASE_LENGTH = 10;

// Runs people type: digits, letters and keyboard rows, both ways, wrapping (…7890123…).
const RUNS = ["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./", "qwertzuiop"];

function isRun(text: string): boolean {
  const lower = text.toLowerCase();
  return RUNS.some((run) => {
    const around = run.repeat(Math.ceil(lower.length / run.length) + 1);
    const reversed = [...around].reverse().join("");
    return around.includes(lower) || reversed.includes(lower);
  });
}

/** A unit of up to four characters repeated ("abababababab", "123123123123"). */
function isRepetition(text: string): boolean {
  for (let unit = 1; unit <= 4 && unit < text.length; unit++) {
    if (
      text
        .slice(0, unit)
        .repeat(Math.ceil(text.length / unit))
        .slice(0, text.length) === text
    )
      return true;
  }
  return false;
}

/** Why `passphrase` is too weak for a new wallet, or null when it will do. */
export function passphraseWeakness(passphrase: string): string | null {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    return `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters (this one has ${passphrase.length})`;
  }
  if (/^(.)\1*$/su.test(passphrase)) return "the passphrase is one character repeated";
  if (isRepetition(passphrase)) return "the passphrase is a few characters repeated";
  if (isRun(passphrase)) return "the passphrase is a run of consecutive keys (like 1234567890)";
  if (/^pass(word|phrase)/i.test(passphrase)) return 'the passphrase starts with the word "password"';
  return null;
}

/** `weak_passphrase` unless the passphrase will do; an empty one is `passphrase_required`. */
export function assertStrongPassphrase(passphrase: string): void {
  if (passphrase.length === 0) {
    throw new ClientError("the passphrase must not be empty", { code: ErrorCode.passphrase_required });
  }
  const weakness = passphraseWeakness(passphrase);
  if (weakness) {
    throw new ClientError(`${weakness}: choose a longer one, a few unrelated words for instance`, {
      code: ErrorCode.weak_passphrase,
    });
  }
}

/** A new passphrase typed twice: `passphrase_mismatch` when the two differ, then the strength rule. */
export function confirmNewPassphrase(first: string, repeated: string): string {
  if (first !== repeated) {
    throw new ClientError("the two passphrases differ", { code: ErrorCode.passphrase_mismatch });
  }
  assertStrongPassphrase(first);
  return first;
}
