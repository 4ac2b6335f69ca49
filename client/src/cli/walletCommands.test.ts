// `wg402 wallet …` and `wg402 faucet` against a real local chain.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { jsonLines, runCli } from "../testing/runCli.ts";
import { startTestStack, type TestStack } from "../testing/testStack.ts";
import { ExitCode } from "./exitCodes.ts";

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), "wg402-wallet-cli-"));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("wg402 wallet and faucet", () => {
  it("creates an encrypted wallet, shows its address and balance, and fills it from the faucet", async () => {
    const home = join(dir, "home");
    const env = { ...stack.env, WG402_HOME: home, WG402_PASSPHRASE: "a long passphrase" };

    const created = await runCli(["wallet", "create", "--json"], { env });
    expect(created.code).toBe(0);
    const { address, path } = JSON.parse(created.stdout) as { address: `0x${string}`; path: string };
    expect(path).toBe(join(home, "wallet.json"));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ version: 3, crypto: { kdf: "scrypt" } });

    const again = await runCli(["wallet", "create"], { env });
    expect(again).toMatchObject({ code: ExitCode.wallet, stderr: expect.stringMatching(/already exists/) });

    // The address needs no passphrase.
    const shown = await runCli(["wallet", "address", "--json"], { env: { ...stack.env, WG402_HOME: home } });
    expect(JSON.parse(shown.stdout)).toMatchObject({ kind: "keystore", address });

    const empty = await runCli(["wallet", "balance", "--json"], { env });
    expect(JSON.parse(empty.stdout)).toMatchObject({
      address,
      network: "eip155:31337",
      native: { wei: "0" },
      token: { balance: "0", symbol: "tUSD" },
    });

    const faucet = await runCli(["faucet", "--json"], { env });
    expect(faucet.code).toBe(0);
    const given = JSON.parse(faucet.stdout) as { amount: string; balance: string; gasTopUp: { txHash: string } | null };
    expect(given).toMatchObject({ amount: "100000000", balance: "100000000" });
    expect(given.gasTopUp?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await stack.balanceOf(address)).toBe(100_000_000n);

    const text = await runCli(["wallet", "balance"], { env });
    expect(text.stdout).toMatch(/100 tUSD/);

    const tooSoon = await runCli(["faucet"], { env });
    expect(tooSoon).toMatchObject({
      code: ExitCode.funds,
      stderr: expect.stringMatching(/once a minute: try again after/),
    });

    const wrong = await runCli(["faucet"], { env: { ...env, WG402_PASSPHRASE: "nope" } });
    expect(wrong).toMatchObject({ code: ExitCode.wallet, stderr: expect.stringMatching(/wrong passphrase/) });
  }, 60_000);

  it("imports a key from WG402_PRIVATE_KEY into a keystore", async () => {
    const privateKey = generatePrivateKey();
    const home = join(dir, "imported");
    const env = {
      ...stack.env,
      WG402_HOME: home,
      WG402_PASSPHRASE: "pass the salt, please",
      WG402_PRIVATE_KEY: privateKey,
    };
    const imported = await runCli(["wallet", "import", "--json"], { env });
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ address: privateKeyToAddress(privateKey) });
    const keystore = await readFile(join(home, "wallet.json"), "utf8");
    expect(keystore).not.toContain(privateKey.slice(2));
  });

  it("says where the chain is missing", async () => {
    const result = await runCli(["wallet", "balance", "--network", "local"], {
      env: {
        WG402_HOME: join(dir, "none"),
        WG402_STACK_FILE: join(dir, "missing.json"),
        WG402_PRIVATE_KEY: generatePrivateKey(),
      },
    });
    expect(result).toMatchObject({
      code: ExitCode.unreachable,
      stderr: expect.stringMatching(/no local stack at .*npm start/),
    });
  });

  it("refuses a weak passphrase and a mismatched repeat, each with its own code, and writes nothing", async () => {
    const home = join(dir, "weak");
    const weak = await runCli(["wallet", "create", "--json"], {
      env: { ...stack.env, WG402_HOME: home, WG402_PASSPHRASE: "1234567890" },
    });
    expect(weak.code).toBe(ExitCode.wallet);
    expect(jsonLines(weak.stderr)).toEqual([
      { error: "weak_passphrase", message: expect.stringMatching(/run of consecutive keys/) },
    ]);
    const answers = ["correct horse battery", "correct horse batery"];
    const mismatch = await runCli(["wallet", "create"], {
      env: { ...stack.env, WG402_HOME: home },
      prompt: async () => answers.shift() ?? "",
    });
    expect(mismatch).toMatchObject({ code: ExitCode.wallet, stderr: "wg402: the two passphrases differ\n" });
    const asked: string[] = [];
    const short = await runCli(["wallet", "create", "--json"], {
      env: { ...stack.env, WG402_HOME: home },
      prompt: async (question) => {
        asked.push(question);
        return "x";
      },
    });
    // Refused before it is asked a second time.
    expect(asked).toHaveLength(1);
    expect(jsonLines(short.stderr)).toEqual([
      { error: "weak_passphrase", message: expect.stringMatching(/at least 10/) },
    ]);
    expect(existsSync(join(home, "wallet.json"))).toBe(false);
  });

  it("imports a recovery phrase (from WG402_MNEMONIC or asked for) at the account index asked", async () => {
    const mnemonic = "test test test test test test test test test test test junk";
    const fromEnv = await runCli(["wallet", "import", "--mnemonic", "--account-index", "3", "--json"], {
      env: {
        ...stack.env,
        WG402_HOME: join(dir, "mnemonic-env"),
        WG402_MNEMONIC: mnemonic,
        WG402_PASSPHRASE: "correct horse battery",
      },
    });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({
      address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      derivationPath: "m/44'/60'/0'/0/3",
    });
    const answers = [mnemonic, "correct horse battery", "correct horse battery"];
    const asked = await runCli(["wallet", "import", "--mnemonic"], {
      env: { ...stack.env, WG402_HOME: join(dir, "mnemonic-asked") },
      prompt: async () => answers.shift() ?? "",
    });
    expect(asked.stdout).toMatch(/address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(m\/44'\/60'\/0'\/0\/0\)/);
    const typo = await runCli(["wallet", "import", "--mnemonic"], {
      env: { ...stack.env, WG402_HOME: join(dir, "mnemonic-typo"), WG402_MNEMONIC: mnemonic.replace("junk", "test") },
    });
    expect(typo).toMatchObject({ code: ExitCode.wallet, stderr: expect.stringMatching(/checksum does not match/) });
  });

  it("exports the encrypted keystore, 0600, and shows the address as a QR code", async () => {
    const home = join(dir, "export");
    const env = { ...stack.env, WG402_HOME: home, WG402_PASSPHRASE: "correct horse battery" };
    const created = JSON.parse((await runCli(["wallet", "create", "--json"], { env })).stdout) as { address: string };
    const printed = await runCli(["wallet", "export", "--json"], { env: { ...stack.env, WG402_HOME: home } });
    expect(JSON.parse(printed.stdout)).toMatchObject({ version: 3, crypto: { kdf: "scrypt" } });
    const output = join(dir, "export-copy", "backup.json");
    const written = await runCli(["wallet", "export", "--output", output, "--json"], { env });
    expect(JSON.parse(written.stdout)).toEqual({ address: created.address, path: output });
    expect((await stat(output)).mode & 0o777).toBe(0o600);
    expect(await readFile(output, "utf8")).toBe(await readFile(join(home, "wallet.json"), "utf8"));
    const again = await runCli(["wallet", "export", "--output", output], { env });
    expect(again).toMatchObject({ code: ExitCode.wallet, stderr: expect.stringMatching(/already exists/) });

    const qr = await runCli(["wallet", "address", "--qr"], { env });
    expect(qr.stdout).toContain(created.address);
    expect(qr.stdout).toMatch(/[█▀▄]/);
  });
});
