import { newPassphraseProblem } from "./passphraseRules.ts";

describe("a new passphrase typed twice", () => {
  it("is judged empty, then mismatched, then weak, each with its wire code", () => {
    expect(newPassphraseProblem("", "")).toMatchObject({ code: "passphrase_required" });
    // A mismatch is said as one, even when the first one is also weak.
    expect(newPassphraseProblem("short", "shorter")).toEqual({
      code: "passphrase_mismatch",
      message: "the two passphrases differ",
    });
    expect(newPassphraseProblem("short", "short")).toMatchObject({
      code: "weak_passphrase",
      message: expect.stringMatching(/^a passphrase needs at least 10 characters \(this one has 5\): choose/),
    });
    expect(newPassphraseProblem("correct horse battery", "correct horse battery")).toBeNull();
  });
});
