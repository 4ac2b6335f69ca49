// The wallet in the desktop UI, in Chromium against the real UI daemon process: the access token, the
// passphrase rules (the client's own, live, with their codes), a BIP-39 recovery phrase imported at an
// account index, the encrypted keystore exported (downloaded and shown) and decrypted here with the
// passphrase, and a private key imported once that wallet file is moved away. No chain is needed for any
// of it, so none is started.
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptKeystore, Keystore } from "@wg402/shared";
import { privateKeyToAddress } from "viem/accounts";
import { DesktopUi, flowSteps, hasChromium } from "./desktopHarness.ts";

const PASSPHRASE = "correct horse battery staple";
// Hardhat's well-known phrase: account 2 is 0x3C44…93BC, whatever the chain.
const MNEMONIC = "test test test test test test test test test test test junk";
const ACCOUNT_2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const PRIVATE_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

const describeWithChromium = hasChromium ? describe : describe.skip;

let dir: string;
const ui = new DesktopUi();

beforeAll(async () => {
  if (!hasChromium) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-wallet-"));
  await ui.start(dir, { WG402_STACK_FILE: join(dir, "no-stack.json"), WG402_UI_DRIVER: "export" });
}, 120_000);

afterAll(async () => {
  await ui.stop("daemon-wallet.log").finally(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));
}, 30_000);

describeWithChromium("desktop wallet in Chromium", () => {
  const step = flowSteps();
  const [see, shot] = [ui.see.bind(ui), ui.shot.bind(ui)];
  const passphrase = () => ui.page.getByLabel("Passphrase", { exact: true });
  const repeat = () => ui.page.getByLabel("Repeat the passphrase");

  step("prints its URL with the access token, and the page refuses to work without it", async () => {
    expect(ui.daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    await ui.page.goto(ui.daemon.url.replace(/\/#.*$/, "/index.html"));
    await see("needs the access token");
    await see("code: unauthorized");
  });

  step("Create stays disabled while the passphrase is weak or the two differ, saying which rule", async () => {
    const { page } = ui;
    await page.goto(ui.daemon.url);
    await see("Welcome to wg402");
    const create = page.getByRole("button", { name: "Create wallet" });
    const rule = "[data-testid=passphrase-rule]";
    await see("At least 10 characters", "form");
    await passphrase().fill("short");
    await see("A passphrase needs at least 10 characters (this one has 5)", rule);
    await see("code: weak_passphrase", rule);
    expect(await create.isDisabled()).toBe(true);
    await passphrase().fill("1234567890");
    await repeat().fill("1234567890");
    await see("run of consecutive keys", rule);
    expect(await create.isDisabled()).toBe(true);
    await passphrase().fill(PASSPHRASE);
    await repeat().fill(`${PASSPHRASE}!`);
    await see("The two passphrases differ.", rule);
    await see("code: passphrase_mismatch", rule);
    expect(await create.isDisabled()).toBe(true);
    await shot("13-passphrase-rules");
    await repeat().fill(PASSPHRASE);
    await see("The passphrase will do.", rule);
    expect(await create.isDisabled()).toBe(false);
  });

  step("imports account 2 of a recovery phrase; a typo in it is refused by its checksum", async () => {
    const { page } = ui;
    await page.getByRole("tab", { name: "Import a key" }).click();
    await page.getByLabel("A recovery phrase (BIP-39)").check();
    await page.getByLabel("Recovery phrase", { exact: true }).fill(MNEMONIC.replace("junk", "test"));
    await page.getByLabel("Account index").fill("2");
    await see("m/44'/60'/0'/0/2", "form");
    await passphrase().fill(PASSPHRASE);
    await repeat().fill(PASSPHRASE);
    await page.getByRole("button", { name: "Import key" }).click();
    await see("checksum does not match");
    await see("code: invalid_private_key");
    await page.getByLabel("Recovery phrase", { exact: true }).fill(MNEMONIC);
    await shot("20-import-mnemonic");
    await page.getByRole("button", { name: "Import key" }).click();
    await see("Your wallet is ready", "body", 30_000);
    await see(ACCOUNT_2, "[data-testid=wallet-address]");
    await page.getByRole("button", { name: "Continue" }).click();
  });

  step("exports the keystore: downloaded and shown, still encrypted, opened with the passphrase", async () => {
    const { page } = ui;
    await page.getByRole("button", { name: "Settings" }).click();
    await see(ACCOUNT_2, "[data-testid=wallet-address]");
    await page.getByRole("button", { name: "Export the encrypted keystore" }).click();
    const link = page.getByRole("link", { name: `Download wg402-wallet-${ACCOUNT_2}.json` });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe(`wg402-wallet-${ACCOUNT_2}.json`);
    const saved = await readFile((await download.path()) as string, "utf8");
    expect(saved).toBe(await readFile(join(dir, "home", "wallet.json"), "utf8"));
    const key = await decryptKeystore(Keystore.parse(JSON.parse(saved)), PASSPHRASE);
    expect(privateKeyToAddress(key)).toBe(ACCOUNT_2);
    expect(saved).not.toContain(key.slice(2));
    await page.getByText("Show the keystore JSON").click();
    await see('"ciphertext"', "[data-testid=keystore-json]");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await page.getByTestId("keystore-export").scrollIntoViewIfNeeded();
    await shot("21-keystore-export");
  });

  step("imports a private key once the old wallet file is moved away (it is never overwritten)", async () => {
    const { page } = ui;
    await rename(join(dir, "home", "wallet.json"), join(dir, "old-wallet.json"));
    await page.reload();
    await see("Welcome to wg402");
    await page.getByRole("tab", { name: "Import a key" }).click();
    await page.getByLabel("Private key", { exact: true }).fill(PRIVATE_KEY);
    await passphrase().fill(PASSPHRASE);
    await repeat().fill(PASSPHRASE);
    await page.getByRole("button", { name: "Import key" }).click();
    await see("Your wallet is ready", "body", 30_000);
    await see(privateKeyToAddress(PRIVATE_KEY), "[data-testid=wallet-address]");
    // The key itself never reached the page again.
    expect(await page.content()).not.toContain(PRIVATE_KEY.slice(2));
  });
});
