// Every bad input to the CLI ends with one sentence and its exit code, and nothing is paid: the stub node
// below records every request, and none of these runs may POST /lease (let alone sign a payment).
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NodeInfo, writeLocalStack } from "@wg402/shared";
import { generateKeyPair } from "@wg402/wireguard";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { writeSessionState } from "../session/sessionState.ts";
import { jsonLines, runCli } from "../testing/runCli.ts";
import { writeKeystoreFile } from "../wallet/keystoreWallet.ts";
import { ExitCode } from "./exitCodes.ts";

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const account = () => {
  const privateKey = generatePrivateKey();
  return { privateKey, address: privateKeyToAccount(privateKey).address };
};

type Seen = { method: string; url: string; paid: boolean };
type Stub = { url: string; seen: Seen[]; server: Server };

let dir: string;
let stackFile: string;
let deadUrl: string;
const stubs: Stub[] = [];

const PAY_TO = account().address;
const exactKind = (overrides: Partial<NodeInfo["accepts"][number]> = {}): NodeInfo["accepts"][number] => ({
  scheme: "exact",
  network: "eip155:31337",
  asset: TOKEN,
  symbol: "tUSD",
  decimals: 6,
  payTo: PAY_TO,
  ...overrides,
});

function nodeInfo(overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    name: "stub node",
    version: "0.0.0",
    region: "test",
    publicKey: generateKeyPair().publicKey,
    endpoint: "127.0.0.1:51820",
    subnet: "10.77.0.0/24",
    dns: [],
    pricePerMinute: "1000",
    minMinutes: 1,
    maxMinutes: 60,
    secondsPerMinute: 60,
    graceSeconds: 60,
    accepts: [exactKind()],
    facilitator: "http://127.0.0.1:1",
    capacity: { total: 10, available: 10 },
    driver: "fake",
    ...overrides,
  };
}

/** A loopback server: `GET /` answers `info` (or raw HTML), `POST /lease` answers `lease`. */
async function stub(
  options: { info?: NodeInfo | string; lease?: { status: number; body: string } } = {},
): Promise<Stub> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", paid: req.headers["payment-signature"] !== undefined });
    if (req.method === "GET" && req.url === "/") {
      const info = options.info ?? nodeInfo();
      if (typeof info === "string") res.writeHead(200, { "content-type": "text/html" }).end(info);
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(info));
      return;
    }
    const lease = options.lease ?? { status: 404, body: "not found" };
    res.writeHead(lease.status, { "content-type": "text/plain" }).end(lease.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const created = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
  stubs.push(created);
  return created;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-cli-"));
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  deadUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  stackFile = join(dir, "local.json");
  const [deployer, demo, facilitator, operator] = [account(), account(), account(), account()];
  await writeLocalStack(
    {
      version: 1,
      startedAt: new Date().toISOString(),
      chain: { id: 31337, network: "eip155:31337", rpcUrl: deadUrl },
      token: {
        address: TOKEN,
        symbol: "tUSD",
        decimals: 6,
        eip712: { name: "wg402 Test USD", version: "1" },
        deployBlock: 1,
      },
      accounts: { deployer, demo, facilitator, operator },
      services: {},
    },
    stackFile,
  );
});

afterAll(async () => {
  for (const s of stubs) await new Promise((resolve) => s.server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

let homeCount = 0;
/** A fresh WG402_HOME, the stub stack file and (unless `wallet: false`) a wallet key from the environment. */
function env(options: { wallet?: boolean } = {}): Record<string, string> {
  return {
    WG402_HOME: join(dir, `home-${homeCount++}`),
    WG402_STACK_FILE: stackFile,
    ...(options.wallet === false ? {} : { WG402_PRIVATE_KEY: account().privateKey }),
  };
}

function expectNothingPaid(...nodes: Stub[]): void {
  for (const node of nodes) {
    expect(node.seen.filter((s) => s.method === "POST")).toEqual([]);
    expect(node.seen.filter((s) => s.paid)).toEqual([]);
  }
}

describe("wg402 refuses bad input with one sentence and an exit code, before paying", () => {
  it.each([
    ["a URL that is not one", ["connect", "not a url", "--minutes", "5"], /is not a URL/],
    ["a non-HTTP URL", ["connect", "ftp://127.0.0.1/", "--minutes", "5"], /must start with http/],
    ["zero minutes", ["connect", "http://127.0.0.1:1", "--minutes", "0"], /whole number of minutes/],
    ["fractional minutes", ["connect", "http://127.0.0.1:1", "--minutes", "1.5"], /whole number of minutes/],
    ["nothing to buy", ["connect", "http://127.0.0.1:1"], /say what to buy: --minutes, --mb or both/],
    ["zero megabytes", ["connect", "http://127.0.0.1:1", "--mb", "0"], /whole number of megabytes/],
    [
      "--renew-mb without --mb",
      ["connect", "http://127.0.0.1:1", "--minutes", "5", "--auto-renew", "--renew-mb", "5"],
      /--renew-mb needs --mb/,
    ],
    ["renew buying nothing", ["renew"], /say what to add: --minutes, --mb or both/],
    ["a malformed cap", ["connect", "http://127.0.0.1:1", "--minutes", "5", "--max-spend", "ten"], /amount of tokens/],
    [
      "an unknown driver",
      ["connect", "http://127.0.0.1:1", "--minutes", "5", "--driver", "openvpn"],
      /wg-quick, userspace, export/,
    ],
    [
      "a bad interface name",
      ["connect", "http://127.0.0.1:1", "--minutes", "5", "--interface", "a/b"],
      /interface name/,
    ],
    [
      "--netns with export",
      ["connect", "http://127.0.0.1:1", "--minutes", "5", "--driver", "export", "--netns", "x"],
      /--netns needs the userspace or wg-quick driver/,
    ],
    ["an unknown command", ["conect"], /unknown command 'conect'/],
  ])("%s → exit 2", async (_label, argv, message) => {
    const result = await runCli(argv, { env: env() });
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });

  it("answers --json failures with {error, message} on stderr", async () => {
    const bad = await runCli(["connect", "nope", "--minutes", "5", "--json"], { env: env() });
    expect(bad.code).toBe(ExitCode.usage);
    expect(jsonLines(bad.stderr)).toEqual([{ error: "invalid_url", message: expect.stringMatching(/not a URL/) }]);
    const usage = await runCli(["connect", "http://127.0.0.1:1", "--minutes", "x", "--json"], { env: env() });
    expect(usage.code).toBe(ExitCode.usage);
    expect(jsonLines(usage.stderr)).toEqual([
      { error: "invalid_argument", message: expect.stringMatching(/--minutes/) },
    ]);
  });

  it("an unreachable node → exit 3", async () => {
    const result = await runCli(["connect", deadUrl, "--minutes", "5", "--driver", "export"], { env: env() });
    expect(result).toMatchObject({
      code: ExitCode.unreachable,
      stderr: expect.stringMatching(/cannot reach the node at .*connection refused/),
    });
  });

  it("a server that is not a wg402 node → exit 3", async () => {
    const node = await stub({ info: "<h1>welcome</h1>" });
    const result = await runCli(["connect", node.url, "--minutes", "5", "--driver", "export"], { env: env() });
    expect(result).toMatchObject({ code: ExitCode.unreachable, stderr: expect.stringMatching(/not a wg402 node/) });
    expectNothingPaid(node);
  });

  it("a node that does not answer 402 → exit 4", async () => {
    const node = await stub({ lease: { status: 200, body: "free stuff" } });
    const result = await runCli(["quote", node.url, "--minutes", "5"], { env: env() });
    expect(result).toMatchObject({
      code: ExitCode.payment,
      stderr: expect.stringMatching(/instead of 402 Payment Required/),
    });
    expect(node.seen.filter((s) => s.paid)).toEqual([]);
  });

  it("a node paid on a network this client does not know → exit 4", async () => {
    const node = await stub({ info: nodeInfo({ accepts: [exactKind({ network: "eip155:1" })] }) });
    const result = await runCli(["connect", node.url, "--minutes", "5", "--driver", "export"], { env: env() });
    expect(result).toMatchObject({
      code: ExitCode.payment,
      stderr: expect.stringMatching(/eip155:1, a network this client does not know/),
    });
    expectNothingPaid(node);
  });

  it("a node paid in another asset → exit 4", async () => {
    const other = account().address;
    const node = await stub({ info: nodeInfo({ accepts: [exactKind({ asset: other })] }) });
    const result = await runCli(["connect", node.url, "--minutes", "5", "--driver", "export"], { env: env() });
    expect(result).toMatchObject({
      code: ExitCode.payment,
      stderr: expect.stringMatching(new RegExp(`paid in ${other}, which is not tUSD`)),
    });
    expectNothingPaid(node);
  });

  it("minutes outside the node's bounds → exit 2", async () => {
    const node = await stub();
    const result = await runCli(["connect", node.url, "--minutes", "61", "--driver", "export"], { env: env() });
    expect(result).toMatchObject({
      code: ExitCode.usage,
      stderr: expect.stringMatching(/between 1 and 60 whole minutes, not 61/),
    });
    expectNothingPaid(node);
  });

  it("a cap too low for even one minute, or for the minutes asked → exit 6", async () => {
    const node = await stub();
    const tiny = await runCli(["connect", node.url, "--minutes", "5", "--driver", "export", "--max-spend", "0.0005"], {
      env: env(),
    });
    expect(tiny).toMatchObject({
      code: ExitCode.spendCap,
      stderr: expect.stringMatching(/0.0005 tUSD does not cover even one minute \(0.001 tUSD/),
    });
    const short = await runCli(["connect", node.url, "--minutes", "5", "--driver", "export", "--max-spend", "0.002"], {
      env: env(),
    });
    expect(short).toMatchObject({ code: ExitCode.spendCap, stderr: expect.stringMatching(/covers 2 minutes, not 5/) });
    const perPayment = await runCli(
      ["connect", node.url, "--minutes", "5", "--driver", "export", "--max-payment", "0.003"],
      { env: env() },
    );
    expect(perPayment).toMatchObject({
      code: ExitCode.spendCap,
      stderr: expect.stringMatching(/per-payment cap of 0.003 tUSD covers 3 minutes/),
    });
    expectNothingPaid(node);
  });

  it("a driver that needs root, without root → exit 7, before the wallet is touched", async () => {
    const node = await stub();
    for (const driver of ["userspace", "wg-quick"]) {
      const result = await runCli(["connect", node.url, "--minutes", "5", "--driver", driver], {
        env: env({ wallet: false }),
        isRoot: () => false,
      });
      expect(result).toMatchObject({
        code: ExitCode.permission,
        stderr: expect.stringMatching(/needs root .*sudo, or use --driver export/),
      });
    }
    expectNothingPaid(node);
  });

  it("no wallet, a wrong passphrase, or no way to ask for one → exit 8", async () => {
    const node = await stub();
    const argv = ["connect", node.url, "--minutes", "5", "--driver", "export"];
    const missing = await runCli(argv, { env: env({ wallet: false }) });
    expect(missing).toMatchObject({
      code: ExitCode.wallet,
      stderr: expect.stringMatching(/no wallet at .*wallet create/),
    });

    const home = env({ wallet: false });
    await writeKeystoreFile(join(home.WG402_HOME as string, "wallet.json"), "right horse battery", { scryptN: 1024 });
    const wrong = await runCli(argv, { env: { ...home, WG402_PASSPHRASE: "wrong" } });
    expect(wrong).toMatchObject({ code: ExitCode.wallet, stderr: expect.stringMatching(/wrong passphrase/) });
    const unasked = await runCli(argv, { env: home });
    expect(unasked).toMatchObject({
      code: ExitCode.wallet,
      stderr: expect.stringMatching(/set WG402_PASSPHRASE or run in a terminal/),
    });
    const badKey = await runCli(argv, { env: { ...home, WG402_PRIVATE_KEY: "0x1234" } });
    expect(badKey).toMatchObject({
      code: ExitCode.wallet,
      stderr: expect.stringMatching(/WG402_PRIVATE_KEY must be 32 bytes/),
    });
    expect(badKey.stderr).not.toContain("0x1234");
    expectNothingPaid(node);
  });

  it("connecting twice, or acting on no lease → exit 9", async () => {
    const node = await stub();
    const home = env();
    for (const argv of [["status"], ["renew", "--minutes", "1"], ["disconnect"]]) {
      const result = await runCli(argv, { env: home });
      expect(result).toMatchObject({ code: ExitCode.lease, stderr: expect.stringMatching(/no current lease/) });
    }
    await writeSessionState(join(home.WG402_HOME as string, "state.json"), {
      version: 1,
      nodeUrl: node.url,
      leaseId: `lease_${"ab".repeat(16)}`,
      network: "eip155:31337",
      publicKey: generateKeyPair().publicKey,
      pid: null,
      startedAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
      tunnel: null,
    });
    const again = await runCli(["connect", node.url, "--minutes", "5", "--driver", "export"], { env: home });
    expect(again).toMatchObject({
      code: ExitCode.lease,
      stderr: expect.stringMatching(/already connected: lease lease_abab/),
    });
    expectNothingPaid(node);
  });

  it("prints help and the version with exit 0", async () => {
    const help = await runCli(["--help"], { env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/connect \[options\] \[url\]/);
    const version = await runCli(["--version"], { env: env() });
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });
});
