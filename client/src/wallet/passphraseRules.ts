// The passphrase rule itself, pure and without dependencies, so the desktop renderer checks a new passphrase
// live with the very function the CLI and the host enforce (`@wg402/client/passphrase`). passphrasePolicy.ts
// turns its verdicts into ClientErrors.

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

/** What is wrong with a new passphrase typed twice, with the wire code the host answers it with. */
export type PassphraseProblem = {
  code: "passphrase_required" | "weak_passphrase" | "passphrase_mismatch";
  message: string;
};

/**
 * The one verdict on a new passphrase and its repetition, in the host's order: empty, then the two differ,
 * then too weak. Null when the wallet may be created with it.
 */
export function newPassphraseProblem(passphrase: string, repeated: string): PassphraseProblem | null {
  if (passphrase.length === 0) return { code: "passphrase_required", message: "the passphrase must not be empty" };
  if (passphrase !== repeated) return { code: "passphrase_mismatch", message: "the two passphrases differ" };
  const weakness = passphraseWeakness(passphrase);
  return weakness
    ? { code: "weak_passphrase", message: `${weakness}: choose a longer one, a few unrelated words for instance` }
    : null;
}
