import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const contractsDir = join(dirname(fileURLToPath(import.meta.url)), "..");

export type HardhatNodeOptions = {
  /** 0 (the default) lets the OS choose a free port, so parallel runs never collide. */
  port?: number;
  /** Always loopback by default: hardhat node binds 0.0.0.0 when it believes it runs in a container. */
  hostname?: string;
  readyTimeoutMs?: number;
  onOutput?: (line: string) => void;
};

export type HardhatNode = {
  rpcUrl: string;
  pid: number;
  stop: () => Promise<void>;
};

/** Starts `hardhat node` (EDR) as a child process and resolves once it answers `eth_chainId`. */
export async function startHardhatNode(options: HardhatNodeOptions = {}): Promise<HardhatNode> {
  const port = options.port ?? 0;
  const hostname = options.hostname ?? "127.0.0.1";
  const require = createRequire(join(contractsDir, "package.json"));
  const cli = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
  const child = spawn(process.execPath, [cli, "node", "--port", String(port), "--hostname", hostname], {
    cwd: contractsDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  let announced: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => {
    announced = resolve;
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      const url = /JSON-RPC server at (http:\/\/[^/\s]+)/.exec(line)?.[1];
      if (url) announced(url);
      output.push(line);
      if (output.length > 50) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  let rpcUrl = `http://${hostname}:${port}`;
  try {
    rpcUrl = await Promise.race([
      listening,
      new Promise<never>((_, reject) => {
        child.once("exit", (code) => reject(new Error(`exited with code ${code}`)));
        setTimeout(() => reject(new Error(`no listening address within ${timeoutMs} ms`)), timeoutMs).unref();
      }),
    ]);
    await waitForRpc(rpcUrl, child, timeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`hardhat node did not start on ${rpcUrl}: ${(error as Error).message}\n${output.join("\n")}`);
  }
  return { rpcUrl, pid: child.pid ?? -1, stop: () => stopChild(child) };
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        signal: AbortSignal.timeout(1_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
