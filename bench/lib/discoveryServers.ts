// Starts benchmark node servers as child processes and stops them.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import type { TestNode } from "../../client/src/discovery/discoveryTestNodes.ts";

const script = fileURLToPath(new URL("./discoveryServer.ts", import.meta.url));

export type ServerProcess = { url: string; stop: () => Promise<void> };

export async function startServerProcess(
  signerKey: Hex,
  nodes: Pick<TestNode, "name" | "registered">[],
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin?.end(JSON.stringify({ signerKey, nodes }));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`node server exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 2_000).unref();
      }),
  };
}
