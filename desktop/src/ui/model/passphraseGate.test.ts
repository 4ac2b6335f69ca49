import { passphraseGate } from "./passphraseGate.ts";

describe("the passphrase gate", () => {
  it("stays closed while empty, weak or mismatched, and says the right rule with its code", () => {
    expect(passphraseGate("", "")).toMatchObject({ canSubmit: false, problem: null });
    expect(passphraseGate("short", "")).toMatchObject({
      canSubmit: false,
      problem: { code: "weak_passphrase", message: expect.stringContaining("at least 10 characters") },
    });
    // A weak one is said as weak even when the repetition matches it.
    expect(passphraseGate("1234567890", "1234567890")).toMatchObject({
      canSubmit: false,
      problem: { code: "weak_passphrase", message: expect.stringContaining("run of consecutive keys") },
    });
    // A strong one: nothing to say until the repetition is typed, then the mismatch.
    expect(passphraseGate("correct horse battery", "")).toMatchObject({ canSubmit: false, problem: null });
    expect(passphraseGate("correct horse battery", "correct horse")).toMatchObject({
      canSubmit: false,
      problem: { code: "passphrase_mismatch", message: "the two passphrases differ" },
    });
    expect(passphraseGate("correct horse battery", "correct horse battery")).toMatchObject({
      canSubmit: true,
      problem: null,
    });
  });
});
