import type { CliIo } from "./io.ts";

/** JSON with bigints as decimal strings: token amounts never go through a float. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** One command's output: a JSON document (or NDJSON events) with `--json`, sentences otherwise. */
export class Output {
  readonly json: boolean;
  private readonly io: CliIo;
  private liveShown = false;

  constructor(io: CliIo, json: boolean) {
    this.io = io;
    this.json = json;
  }

  get tty(): boolean {
    return !this.json && this.io.stdout.isTTY === true;
  }

  /** The command's result: `data` as JSON, or `text` lines. */
  result(data: unknown, text: string | string[]): void {
    if (this.json) this.io.stdout.write(`${toJson(data)}\n`);
    else this.line(text);
  }

  /** A streaming event (connect): one JSON object per line, or a sentence. */
  event(name: string, data: Record<string, unknown>, text: string | string[] | null): void {
    if (this.json) this.io.stdout.write(`${toJson({ event: name, ...data })}\n`);
    else if (text !== null) this.line(text);
  }

  line(text: string | string[]): void {
    this.clearLive();
    const lines = Array.isArray(text) ? text : [text];
    if (lines.length > 0) this.io.stdout.write(`${lines.join("\n")}\n`);
  }

  /** A status line redrawn in place on a terminal. */
  live(text: string): void {
    if (!this.tty) return;
    this.io.stdout.write(`\r\x1b[2K${text}`);
    this.liveShown = true;
  }

  clearLive(): void {
    if (!this.liveShown) return;
    this.io.stdout.write("\r\x1b[2K");
    this.liveShown = false;
  }

  /** An error: `{ error, message }` with `--json`, else "wg402: message"; always on stderr. */
  error(code: string, message: string): void {
    this.clearLive();
    if (this.json) this.io.stderr.write(`${toJson({ error: code, message })}\n`);
    else this.io.stderr.write(`wg402: ${message}\n`);
  }

  /** A sentence for people only: with `--json` stdout carries JSON and nothing else. */
  note(text: string | string[]): void {
    if (!this.json) this.line(text);
  }

  warn(message: string): void {
    this.clearLive();
    if (!this.json) this.io.stderr.write(`wg402: warning: ${message}\n`);
  }
}
