// A real redis-server for one test: its own unix socket in a temp directory (no TCP port to collide on),
// nothing written to disk, stopped by its PID. Tests that need Redis down stop it and start it again on
// the same socket.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type RedisServer = {
  /** `unix://…/redis.sock`, as AGENT_REDIS_URL takes it. */
  url: string;
  socket: string;
  pid(): number | undefined;
  /** Stops it (SIGKILL: Redis down, mid-anything), keeping the socket path for {@link restart}. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
};

const pingable = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const conn = connect(socket);
    conn.once("error", () => resolve(false));
    conn.once("connect", () => conn.write("PING\r\n"));
    conn.once("data", (data) => {
      conn.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
  });

export async function startRedisServer(binary = "/usr/bin/redis-server"): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "wg402-redis-"));
  const socket = join(dir, "redis.sock");
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    output = "";
    child = spawn(
      binary,
      ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--save", "", "--appendonly", "no"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const started = Date.now();
    while (!(await pingable(socket))) {
      if (child.exitCode !== null || Date.now() - started > 10_000) {
        throw new Error(`redis-server did not start: ${output.slice(-500)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    process.kill(running.pid, "SIGKILL");
    await exited;
    rmSync(socket, { force: true });
  };

  await start();
  return {
    url: `unix://${socket}`,
    socket,
    pid: () => child?.pid,
    kill,
    restart: start,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
