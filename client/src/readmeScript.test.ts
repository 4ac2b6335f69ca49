// The root README's third-party script, run verbatim: a lease bought with nothing but @x402/fetch and viem.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { CreateLeaseResponse } from "@wg402/shared";
import { generateKeyPair } from "@wg402/wireguard";
import { startTestStack, type TestStack } from "./testing/testStack.ts";

const CLIENT_DIR = fileURLToPath(new URL("..", import.meta.url));
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function readmeScript(): Promise<string> {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const match = /<!-- buy-lease\.mjs -->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error("README.md has no buy-lease.mjs block");
  return match[1];
}

it("buys a 5-minute lease with the README's script", async () => {
  const script = await readmeScript();
  expect(script.trim().split("\n")).toHaveLength(10);
  const node = await stack.startAgent();
  const wallet = await stack.fundedWallet(10_000n);
  const keys = generateKeyPair();
  // Resolved from the client package, where @x402/fetch and viem are installed.
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, node.url, keys.publicKey], {
    cwd: CLIENT_DIR,
    env: { ...process.env, WG402_PRIVATE_KEY: wallet.privateKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  expect(stdout.startsWith("201 ")).toBe(true);
  const body = CreateLeaseResponse.parse(JSON.parse(stdout.slice(4)));
  expect(body.lease).toMatchObject({
    state: "active",
    publicKey: keys.publicKey,
    payer: wallet.address,
    totalPaid: "5000",
  });
  expect(await stack.balanceOf(wallet.address)).toBe(5_000n);
});
