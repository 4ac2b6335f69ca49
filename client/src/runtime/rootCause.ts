// A failed tool's output, told by its root cause: the first line that says what failed, not the last line
// (which after wg-quick's rollback is only `[#] ip link delete dev …`). Pure text, no Node: the desktop's
// build scripts and the tunnel drivers share it.

// Lines that look like failures but are not the one that counts.
const BENIGN = [
  // wg-quick tries kernel WireGuard first, then falls back to wireguard-go.
  /Unknown device type/i,
  // wireguard-go's boxed banner about the kernel module.
  /^[┌│└─]/,
];

const FAILURE =
  /command not found|not found|no such file|permission denied|operation not permitted|cannot|can't|unable|failed|failure|error|refused|invalid|denied|ENOTFOUND|EAI_AGAIN|ECONN\w+|ETIMEDOUT|timed out|⨯/i;

/** The line that says what failed in `output`, trimmed of tool decoration; `fallback` when nothing does. */
export function rootCauseLine(output: string, fallback = "unknown failure"): string {
  const lines = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("[#]") && !/^at\s/.test(line));
  const candidates = lines.filter((l) => !BENIGN.some((b) => b.test(l)));
  // A heading that introduces the failure ("Build failed with 1 error:") is not the failure.
  const specific = candidates.filter((l) => !l.endsWith(":"));
  const line =
    candidates.find((l) => /command not found|not found|no such file/i.test(l)) ??
    specific.find((l) => /\b(error|fatal)\b:\s*\S/i.test(l)) ??
    specific.find((l) => FAILURE.test(l)) ??
    lines.at(-1);
  return line === undefined ? fallback : tidy(line);
}

/** Drops electron-builder's `⨯` and its `failedTask=… stackTrace=…` tail. */
function tidy(line: string): string {
  return line
    .replace(/^[⨯•×]\s*/, "")
    .replace(/\s+(failedTask|stackTrace)=.*$/, "")
    .trim();
}
