import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { BaseError } from "./errors.ts";
import { decryptKeystore, encryptKeystore } from "./keystore.ts";

describe("keystore v3", () => {
  it("round-trips a private key and records its address", async () => {
    const key = generatePrivateKey();
    const keystore = await encryptKeystore(key, "correct horse", { n: 1024 });
    expect(keystore.address).toBe(privateKeyToAddress(key).slice(2).toLowerCase());
    expect(JSON.stringify(keystore)).not.toContain(key.slice(2));
    expect(await decryptKeystore(JSON.parse(JSON.stringify(keystore)), "correct horse")).toBe(key);
  });

  it("rejects a wrong passphrase with a typed error", async () => {
    const keystore = await encryptKeystore(generatePrivateKey(), "right", { n: 1024 });
    await expect(decryptKeystore(keystore, "wrong")).rejects.toMatchObject({ code: "unauthorized" });
    await expect(decryptKeystore(keystore, "wrong")).rejects.toBeInstanceOf(BaseError);
  });

  it("rejects a tampered ciphertext", async () => {
    const keystore = await encryptKeystore(generatePrivateKey(), "pw", { n: 1024 });
    const flipped = keystore.crypto.ciphertext.startsWith("0") ? "1" : "0";
    keystore.crypto.ciphertext = flipped + keystore.crypto.ciphertext.slice(1);
    await expect(decryptKeystore(keystore, "pw")).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("refuses scrypt parameters that would exhaust memory", async () => {
    const keystore = await encryptKeystore(generatePrivateKey(), "pw", { n: 1024 });
    keystore.crypto.kdfparams.n = 2 ** 24;
    await expect(decryptKeystore(keystore, "pw")).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("refuses something that is not a keystore", async () => {
    await expect(decryptKeystore({ version: 1 }, "pw")).rejects.toMatchObject({ code: "invalid_request" });
  });
});
