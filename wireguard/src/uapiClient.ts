import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { createSerialQueue } from "@wg402/shared/runtime";
import { assertInterfaceName } from "./names.ts";
import { WireguardError } from "./types.ts";

/** Where wireguard-go puts its control sockets; one directory for every network namespace. */
export const UAPI_SOCKET_DIR = "/var/run/wireguard";

export function uapiSocketPath(interfaceName: string): string {
  assertInterfaceName(interfaceName);
  return join(UAPI_SOCKET_DIR, `${interfaceName}.sock`);
}

export type UapiClientOptions = {
  socketPath: string;
  /** Per request, connect included. A hung device must not hang the agent. */
  timeoutMs?: number;
};

type Pending = { resolve(body: string): void; reject(error: WireguardError): void };

/**
 * One persistent connection to a UAPI control socket, one request in flight at a time.
 * wireguard-go reads a `set=1` through a buffered scanner that also swallows whatever follows it, so
 * pipelined requests would be lost; and after a non-zero errno the rest of a rejected request is left
 * unread, so that connection is dropped and the next request opens a fresh one.
 */
export class UapiClient {
  readonly socketPath: string;
  readonly #timeoutMs: number;
  readonly #enqueue = createSerialQueue();
  #socket: Socket | null = null;
  // A `get=1` reply of 10,000 peers is ~3 MB in ~50 chunks: kept as chunks and joined once, because
  // searching a growing concatenated string makes V8 flatten it on every chunk (quadratic copying).
  #chunks: string[] = [];
  #lastChar = "";
  #pending: Pending | null = null;
  #closed = false;

  constructor(options: UapiClientOptions) {
    this.socketPath = options.socketPath;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one request (it must end with a blank line); resolves with the reply lines before `errno=0`. */
  request(text: string): Promise<string> {
    if (!text.endsWith("\n\n")) {
      return Promise.reject(
        new WireguardError("a UAPI request must end with a blank line", { code: "invalid_argument" }),
      );
    }
    return this.#enqueue(() => this.#send(text));
  }

  /** Lets the request in flight finish, then refuses everything else with code "closed". */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#enqueue(async () => this.#drop());
  }

  async #send(text: string): Promise<string> {
    if (this.#closed) throw new WireguardError(`UAPI client for ${this.socketPath} is closed`, { code: "closed" });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#drop();
        reject(new WireguardError(`no UAPI reply from ${this.socketPath} in ${this.#timeoutMs} ms`, { code: "io" }));
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#exchange(text), deadline]);
    } finally {
      clearTimeout(timer);
      this.#pending = null;
      this.#socket?.unref();
    }
  }

  async #exchange(text: string): Promise<string> {
    const socket = this.#socket ?? (await this.#connect());
    socket.ref();
    this.#chunks = [];
    this.#lastChar = "";
    const reply = new Promise<string>((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
    socket.write(text);
    return reply;
  }

  #connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.socketPath);
      socket.setEncoding("utf8");
      const onConnectError = (cause: Error) => {
        socket.destroy();
        reject(new WireguardError(`cannot connect to ${this.socketPath}: ${cause.message}`, { code: "io", cause }));
      };
      socket.once("error", onConnectError);
      socket.once("connect", () => {
        socket.off("error", onConnectError);
        socket.on("data", (chunk: string) => this.#onData(socket, chunk));
        socket.on("error", (cause) =>
          this.#onLost(socket, `UAPI connection to ${this.socketPath} failed: ${cause.message}`, cause),
        );
        socket.on("close", () => this.#onLost(socket, `UAPI connection to ${this.socketPath} closed`));
        this.#socket = socket;
        // Idle, the connection must not keep the process alive; #exchange refs it per request.
        socket.unref();
        resolve(socket);
      });
    });
  }

  #onData(socket: Socket, chunk: string): void {
    if (socket !== this.#socket) return;
    // The blank line that ends a reply may straddle two chunks: look at the previous chunk's last character too.
    const found = (this.#lastChar + chunk).indexOf("\n\n");
    if (found === -1) {
      this.#chunks.push(chunk);
      this.#lastChar = chunk.slice(-1);
      return;
    }
    const at = found - this.#lastChar.length; // -1 when the first "\n" ended the previous chunk
    const before = this.#chunks.join("");
    const end = before.length + at; // index of the first "\n" of the blank line in the whole reply
    const whole = before + chunk;
    this.#chunks = [];
    this.#lastChar = "";
    const pending = this.#pending;
    const frame = whole.slice(0, end + 1);
    const extra = whole.length > end + 2;
    if (pending === null || extra) {
      this.#drop();
      pending?.reject(new WireguardError(`unexpected data on ${this.socketPath}`, { code: "io" }));
      return;
    }
    const lastLineStart = frame.lastIndexOf("\n", frame.length - 2) + 1;
    const match = /^errno=(-?\d+)\n$/.exec(frame.slice(lastLineStart));
    if (match === null) {
      this.#drop();
      pending.reject(new WireguardError(`malformed UAPI reply from ${this.socketPath}`, { code: "io" }));
      return;
    }
    const errno = Number(match[1]);
    if (errno !== 0) {
      this.#drop();
      pending.reject(
        new WireguardError(`${this.socketPath} refused the request: errno=${errno}`, { code: "errno", errno }),
      );
      return;
    }
    pending.resolve(frame.slice(0, lastLineStart));
  }

  #onLost(socket: Socket, message: string, cause?: Error): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    socket.destroy();
    this.#pending?.reject(new WireguardError(message, { code: "io", cause }));
    this.#pending = null;
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#chunks = [];
    this.#lastChar = "";
    socket?.destroy();
  }
}
