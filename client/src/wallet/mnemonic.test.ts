import { privateKeyToAddress } from "viem/accounts";
import { ClientError } from "../errors.ts";
import { normalizeMnemonic, privateKeyFromMnemonic } from "./mnemonic.ts";

// Hardhat's public test mnemonic, whose accounts the local chain funds.
const HARDHAT = "test test test test test test test test test test test junk";

const failure = (run: () => unknown) => {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof ClientError ? { code: error.code, message: error.shortMessage } : String(error);
  }
};

describe("BIP-39 recovery phrases", () => {
  it("derives m/44'/60'/0'/0/N as Ethereum wallets do", () => {
    const first = privateKeyFromMnemonic(HARDHAT);
    expect(first.path).toBe("m/44'/60'/0'/0/0");
    expect(privateKeyToAddress(first.privateKey)).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    const demo = privateKeyFromMnemonic(`  ${HARDHAT.toUpperCase().replaceAll(" ", "\n ")} `, { accountIndex: 3 });
    expect(demo.path).toBe("m/44'/60'/0'/0/3");
    expect(privateKeyToAddress(demo.privateKey)).toBe("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
  });

  it("refuses a wrong word count, an unknown word and a bad checksum, naming no word", () => {
    expect(failure(() => normalizeMnemonic("test test test"))).toMatchObject({
      code: "invalid_private_key",
      message: "a recovery phrase has 12, 15, 18, 21 or 24 words, not 3",
    });
    const unknown = failure(() => normalizeMnemonic(HARDHAT.replace("junk", "jnuk")));
    expect(unknown).toMatchObject({ code: "invalid_private_key", message: expect.stringMatching(/^word 12 /) });
    expect(JSON.stringify(unknown)).not.toContain("jnuk");
    expect(failure(() => normalizeMnemonic(HARDHAT.replace("junk", "test")))).toMatchObject({
      code: "invalid_private_key",
      message: expect.stringMatching(/checksum does not match/),
    });
    expect(failure(() => privateKeyFromMnemonic(HARDHAT, { accountIndex: -1 }))).toMatchObject({
      code: "invalid_argument",
    });
  });
});
