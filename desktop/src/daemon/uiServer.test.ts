// The daemon's HTTP surface with a stand-in host: who may call it (token, Host, Origin), the command
// envelope, the SSE stream and the static files.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandName } from "../api/commands.ts";
import type { ApiEvent } from "../api/events.ts";
import { createUiServer, type UiBackend, type UiServer } from "./uiServer.ts";

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** node:http rather than fetch, which will not send a Host header of our choosing. */
function send(
  port: number,
  p: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: p.method ?? "GET",
        path: p.path,
        headers: { host: `127.0.0.1:${port}`, ...p.headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(p.body);
  });
}

let dir: string;
let ui: UiServer;
let port: number;
const calls: { name: CommandName; input: unknown }[] = [];
const listeners = new Set<(event: ApiEvent) => void>();

const backend: UiBackend = {
  async call(name, input) {
    calls.push({ name, input });
    if (name === "wallet.unlock")
      return { ok: false, error: { error: "wrong_passphrase", message: "wrong passphrase" } };
    if (name === "nodes.add") return { ok: false, error: { error: "node_unreachable", message: "no answer" } };
    if (name === "history.list") return { ok: false, error: { error: "internal_error", message: "a bug" } };
    return { ok: true, result: { echo: input ?? null } };
  },
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

const command = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  send(port, {
    method: "POST",
    path: `/api/commands/${name}`,
    headers: { authorization: `Bearer ${ui.token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-ui-"));
  await mkdir(join(dir, "www", "assets"), { recursive: true });
  await writeFile(join(dir, "www", "index.html"), "<!doctype html><title>wg402</title>");
  await writeFile(join(dir, "www", "assets", "app-1234.js"), "console.log(1)");
  await writeFile(join(dir, "secret.txt"), "outside the root");
  ui = createUiServer({ backend, staticDir: join(dir, "www") });
  ({ port } = await ui.listen(0));
});

afterAll(async () => {
  await ui?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("UI daemon access", () => {
  it("prints a loopback URL carrying a long random token in its fragment", async () => {
    const other = createUiServer({ backend, staticDir: dir });
    const { url } = await other.listen(0);
    await other.close();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(ui.token);
  });

  it("refuses API requests without the token, or with a wrong one", async () => {
    const before = calls.length;
    for (const authorization of [undefined, "Bearer nope", `Basic ${ui.token}`, `Bearer ${ui.token}x`]) {
      const reply = await send(port, {
        method: "POST",
        path: "/api/commands/app.info",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: "null",
      });
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { error: "unauthorized" } });
    }
    const events = await send(port, { path: "/api/events" });
    expect(events.status).toBe(401);
    expect(calls.length).toBe(before);
  });

  it("refuses a foreign Host header even with the right token (DNS rebinding)", async () => {
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1:${port + 1}`, "127.0.0.1"]) {
      const reply = await command("app.info", null, { host });
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.body).error.error).toBe("forbidden");
      expect((await send(port, { path: "/", headers: { host } })).status).toBe(403);
    }
    expect((await command("app.info", null, { host: `localhost:${port}` })).status).toBe(200);
  });

  it("refuses requests sent from another web site's page", async () => {
    const reply = await command("app.info", null, { origin: "https://evil.example" });
    expect(reply.status).toBe(403);
    // A sandboxed frame, a file: or data: page: not the app either.
    const opaque = await command("app.info", null, { origin: "null" });
    expect(opaque.status).toBe(403);
    expect(JSON.parse(opaque.body).error.error).toBe("forbidden");
    expect((await command("app.info", null, { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });
});

describe("UI daemon commands", () => {
  it("passes the JSON input to the host and returns its envelope", async () => {
    const reply = await command("nodes.quote", { url: "http://x", minutes: 3 });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, result: { echo: { url: "http://x", minutes: 3 } } });
    expect(reply.headers["cache-control"]).toBe("no-store");
    expect(calls.at(-1)).toEqual({ name: "nodes.quote", input: { url: "http://x", minutes: 3 } });
  });

  it("answers a refused command with 422 and the core's code", async () => {
    const reply = await command("wallet.unlock", { passphrase: "x" });
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.body)).toEqual({
      ok: false,
      error: { error: "wrong_passphrase", message: "wrong passphrase" },
    });
  });

  it("answers each refusal with the status its code has everywhere (httpStatusFor)", async () => {
    const unreachable = await command("nodes.add", { url: "http://x" });
    expect(unreachable.status).toBe(502);
    expect(JSON.parse(unreachable.body)).toEqual({
      ok: false,
      error: { error: "node_unreachable", message: "no answer" },
    });
    const bug = await command("history.list", null);
    expect(bug.status).toBe(500);
    expect(JSON.parse(bug.body)).toMatchObject({ ok: false, error: { error: "internal_error" } });
  });

  it("refuses a command that does not declare JSON, with a body or without", async () => {
    const before = calls.length;
    const bare = await send(port, {
      method: "POST",
      path: "/api/commands/session.disconnect",
      headers: { authorization: `Bearer ${ui.token}` },
    });
    expect(bare.status).toBe(415);
    expect(JSON.parse(bare.body)).toMatchObject({ ok: false, error: { error: "unsupported_media_type" } });
    const text = await command("session.disconnect", null, { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect(calls.length).toBe(before);
  });

  it("says what is wrong with a request: unknown command, method, media type, JSON, size", async () => {
    expect((await command("wallet.steal", null)).status).toBe(404);
    const get = await send(port, { path: "/api/commands/app.info", headers: { authorization: `Bearer ${ui.token}` } });
    expect(get.status).toBe(405);
    const form = await command("app.info", null, { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    const bad = await send(port, {
      method: "POST",
      path: "/api/commands/app.info",
      headers: { authorization: `Bearer ${ui.token}`, "content-type": "application/json" },
      body: "{nope",
    });
    expect(JSON.parse(bad.body).error.error).toBe("invalid_json");
    const big = await command("settings.update", { nodes: ["x".repeat(70_000)] });
    expect(big.status).toBe(413);
  });
});

describe("UI daemon event stream", () => {
  it("streams every host event as SSE until the client leaves", async () => {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/api/events`, {
      headers: { authorization: `Bearer ${ui.token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await until("wg402 events");
    expect(listeners.size).toBe(1);
    const wallet = { state: "none" as const, address: null, source: "keystore" as const, keystorePath: "/w" };
    for (const listener of listeners) {
      listener({ type: "wallet", wallet });
      listener({ type: "session", revision: 3, session: null });
    }
    await until('"revision":3');
    expect(text).toContain(`event: wallet\ndata: ${JSON.stringify({ type: "wallet", wallet })}\n\n`);
    expect(text).toContain('event: session\ndata: {"type":"session","revision":3,"session":null}\n\n');
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listeners.size).toBe(0);
  });
});

describe("UI daemon static files", () => {
  it("serves the built UI with a content security policy, and nothing outside it", async () => {
    const index = await send(port, { path: "/" });
    expect(index.status).toBe(200);
    expect(index.body).toContain("<title>wg402</title>");
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(index.headers["x-frame-options"]).toBe("DENY");
    const asset = await send(port, { path: "/assets/app-1234.js" });
    expect(asset.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(asset.headers["cache-control"]).toContain("immutable");
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/missing.js"]) {
      const reply = await send(port, { path });
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain("outside the root");
    }
  });

  it("says how to build the UI when it is not built", async () => {
    const empty = createUiServer({ backend, staticDir: join(dir, "nothing") });
    const { port: other } = await empty.listen(0);
    const reply = await send(other, { path: "/" });
    await empty.close();
    expect(reply.status).toBe(503);
    expect(reply.body).toContain("npm run desktop:build");
  });
});
