import { ClientError } from "../errors.ts";
import { assertStrongPassphrase, confirmNewPassphrase, passphraseWeakness } from "./passphrasePolicy.ts";

const codeOf = (run: () => unknown) => {
  try {
    run();
    return "accepted";
  } catch (error) {
    return error instanceof ClientError ? error.code : String(error);
  }
};

describe("the passphrase rule", () => {
  it.each([
    ["p", /at least 10 characters \(this one has 1\)/],
    ["123456789", /at least 10 characters/],
    ["zzzzzzzzzzzz", /one character repeated/],
    ["1234567890", /run of consecutive keys/],
    ["7890123456", /run of consecutive keys/],
    ["ZYXWVUTSRQPON", /run of consecutive keys/],
    ["asdfghjkl;", /run of consecutive keys/],
    ["123123123123", /a few characters repeated/],
    ["password1234", /starts with the word "password"/],
    ["PassPhrase!!", /starts with the word "password"/],
  ])("%j", (passphrase, reason) => {
    const weakness = passphraseWeakness(passphrase);
    if (reason === null) expect(weakness).toBeNull();
    else expect(weakness).toMatch(reason);
  });

  it("takes a few unrelated words, and codes a weak one, an empty one and a mismatch apart", () => {
    expect(passphraseWeakness("correct horse battery staple")).toBeNull();
    expect(codeOf(() => assertStrongPassphrase("short"))).toBe("weak_passphrase");
    expect(codeOf(() => assertStrongPassphrase(""))).toBe("passphrase_required");
    expect(codeOf(() => confirmNewPassphrase("correct horse battery", "correct horse batery"))).toBe(
      "passphrase_mismatch",
    );
    expect(codeOf(() => confirmNewPassphrase("short", "short"))).toBe("weak_passphrase");
    expect(confirmNewPassphrase("correct horse battery", "correct horse battery")).toBe("correct horse battery");
  });
});
