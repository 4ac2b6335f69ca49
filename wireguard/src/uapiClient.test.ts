import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WireguardError } from "./types.ts";
import { UapiClient, uapiSocketPath } from "./uapiClient.ts";

type Handler = (request: string, index: number, conn: Socket) => void;

/** A stand-in control socket that hands each complete request (up to the blank line) to `handler`. */
async function fakeDevice(handler: Handler) {
  const dir = await mkdtemp(join(tmpdir(), "uapi-client-"));
  const socketPath = join(dir, "wg-test.sock");
  const stats = { connections: 0, requests: [] as string[], outstanding: 0, maxOutstanding: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((conn) => {
    stats.connections++;
    sockets.add(conn);
    conn.on("close", () => sockets.delete(conn));
    let buffer = "";
    conn.setEncoding("utf8");
    conn.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const request = buffer.slice(0, end + 2);
        buffer = buffer.slice(end + 2);
        stats.requests.push(request);
        stats.outstanding++;
        stats.maxOutstanding = Math.max(stats.maxOutstanding, stats.outstanding);
        handler(request, stats.requests.length - 1, conn);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const reply = (conn: Socket, text: string) => {
    stats.outstanding--;
    conn.write(text);
  };
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  return { socketPath, stats, reply, stop };
}

describe("UapiClient", () => {
  let device: Awaited<ReturnType<typeof fakeDevice>> | undefined;
  let client: UapiClient | undefined;

  afterEach(async () => {
    await client?.close();
    await device?.stop();
    client = undefined;
    device = undefined;
  });

  it("keeps one connection and one request in flight, answering in call order", async () => {
    const d = await fakeDevice((_request, index, conn) =>
      setTimeout(() => d.reply(conn, `n=${index}\nerrno=0\n\n`), 5),
    );
    device = d;
    client = new UapiClient({ socketPath: d.socketPath });
    const replies = await Promise.all([0, 1, 2, 3, 4].map((i) => client?.request(`get=1\nask=${i}\n\n`)));
    expect(replies).toEqual(["n=0\n", "n=1\n", "n=2\n", "n=3\n", "n=4\n"]);
    expect(d.stats.requests).toEqual([0, 1, 2, 3, 4].map((i) => `get=1\nask=${i}\n\n`));
    expect(d.stats.maxOutstanding).toBe(1);
    expect(d.stats.connections).toBe(1);
  });

  it("reassembles a reply that arrives in pieces", async () => {
    const d = await fakeDevice((_request, _index, conn) => {
      const text = "a=1\nb=2\nerrno=0\n\n";
      d.stats.outstanding--;
      void (async () => {
        for (const char of text) {
          conn.write(char);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
    });
    device = d;
    client = new UapiClient({ socketPath: d.socketPath });
    expect(await client.request("get=1\n\n")).toBe("a=1\nb=2\n");
  });

  it("reassembles a large reply sent in many chunks, the closing blank line split across two", async () => {
    const body = Array.from({ length: 20_000 }, (_, i) => `public_key=${String(i).padStart(64, "0")}\n`).join("");
    const text = `${body}errno=0\n\n`;
    const d = await fakeDevice((_request, _index, conn) => {
      d.stats.outstanding--;
      void (async () => {
        // Chunks of 4 KiB, the last boundary placed between the two newlines of the blank line.
        const cut = text.length - 1;
        for (let at = 0; at < cut; at += 4096) {
          conn.write(text.slice(at, Math.min(at + 4096, cut)));
          await new Promise((resolve) => setImmediate(resolve));
        }
        conn.write(text.slice(cut));
      })();
    });
    device = d;
    client = new UapiClient({ socketPath: d.socketPath });
    expect(await client.request("get=1\n\n")).toBe(body);
  });

  it("turns a non-zero errno into a WireguardError and starts a fresh connection", async () => {
    const d = await fakeDevice((_request, index, conn) => d.reply(conn, index === 0 ? "errno=-22\n\n" : "errno=0\n\n"));
    device = d;
    client = new UapiClient({ socketPath: d.socketPath });
    const error = await client.request("set=1\npublic_key=zz\n\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireguardError);
    expect(error).toMatchObject({ code: "errno", errno: -22 });
    expect(await client.request("set=1\n\n")).toBe("");
    expect(d.stats.connections).toBe(2);
  });

  it("fails the request in flight when the device hangs up, then reconnects", async () => {
    const d = await fakeDevice((_request, index, conn) =>
      index === 0 ? conn.destroy() : d.reply(conn, "errno=0\n\n"),
    );
    device = d;
    client = new UapiClient({ socketPath: d.socketPath });
    await expect(client.request("get=1\n\n")).rejects.toMatchObject({ code: "io" });
    expect(await client.request("get=1\n\n")).toBe("");
    expect(d.stats.connections).toBe(2);
  });

  it.each([
    ["no errno line", "hello\n\n"],
    ["a non-numeric errno", "errno=x\n\n"],
    ["data after the reply", "errno=0\n\nerrno=0\n\n"],
  ])("treats a reply with %s as io", async (_label, text) => {
    const d = await fakeDevice((_request, _index, conn) => d.reply(conn, text));
    device = d;
    client = new UapiClient({ socketPath: d.socketPath });
    await expect(client.request("get=1\n\n")).rejects.toMatchObject({ code: "io" });
  });

  it("gives up on a device that does not answer, and recovers", async () => {
    const d = await fakeDevice((_request, index, conn) => {
      if (index > 0) d.reply(conn, "errno=0\n\n");
    });
    device = d;
    client = new UapiClient({ socketPath: d.socketPath, timeoutMs: 200 });
    await expect(client.request("get=1\n\n")).rejects.toMatchObject({
      code: "io",
      message: expect.stringMatching(/no UAPI reply/),
    });
    expect(await client.request("get=1\n\n")).toBe("");
  });

  it("reports a missing socket as io", async () => {
    client = new UapiClient({ socketPath: join(tmpdir(), `absent-${process.pid}.sock`) });
    await expect(client.request("get=1\n\n")).rejects.toMatchObject({ code: "io" });
  });

  it("refuses a request without the terminating blank line", async () => {
    client = new UapiClient({ socketPath: "/nonexistent" });
    await expect(client.request("get=1\n")).rejects.toMatchObject({ code: "invalid_argument" });
  });

  it("close lets the request in flight finish and refuses the rest", async () => {
    let answer: (() => void) | undefined;
    const d = await fakeDevice((_request, _index, conn) => {
      answer = () => d.reply(conn, "ok=1\nerrno=0\n\n");
    });
    device = d;
    const c = new UapiClient({ socketPath: d.socketPath });
    client = c;
    const inFlight = c.request("get=1\n\n");
    while (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    const queued = c.request("get=1\n\n");
    const closing = c.close();
    answer();
    expect(await inFlight).toBe("ok=1\n");
    await expect(queued).rejects.toMatchObject({ code: "closed" });
    await closing;
    expect(c.closed).toBe(true);
    await expect(c.request("get=1\n\n")).rejects.toMatchObject({ code: "closed" });
  });
});

describe("uapiSocketPath", () => {
  it("names the socket after the interface and refuses unsafe names", () => {
    expect(uapiSocketPath("wg0")).toBe("/var/run/wireguard/wg0.sock");
    expect(() => uapiSocketPath("../etc/x")).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    expect(() => uapiSocketPath("a-name-too-long-for-linux")).toThrow(WireguardError);
  });
});
