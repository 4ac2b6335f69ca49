import type { DeviceLogger } from "../types.ts";

export type LogEntry = { level: "info" | "warn" | "error"; fields: object; message: string };

/** A DeviceLogger that keeps every entry, so tests can assert what was logged (and what never was). */
export function createRecordingLogger(): { logger: DeviceLogger; entries: LogEntry[]; text(): string } {
  const entries: LogEntry[] = [];
  const record = (level: LogEntry["level"]) => (fields: object, message: string) => {
    entries.push({ level, fields, message });
  };
  return {
    logger: { info: record("info"), warn: record("warn"), error: record("error") },
    entries,
    // Everything logged, fields included, for "the secret never appears" checks.
    text: () =>
      entries
        .map((entry) => `${entry.level} ${entry.message} ${JSON.stringify(entry.fields, errorsAsText)}`)
        .join("\n"),
  };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
