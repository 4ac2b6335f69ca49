#!/usr/bin/env node
// The `wg402` command under any system Node. The CLI is TypeScript run by Node 22's type stripping, so this
// file stays plain JavaScript that older Nodes can parse: on Node < 22 it re-runs itself under the project's
// Node 22 (fetched into .tools/node22 from the npm registry, as scripts/node22.sh does), with the same
// arguments, the terminal inherited, signals forwarded and the exit code passed through. Nothing but the
// CLI's own output may reach stdout: `--json` promises one JSON document there.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), "..", "..");
const major = Number(process.versions.node.split(".")[0]);

if (major >= 22) {
  // Type stripping announces itself on stderr on every run; the project runs with that warning disabled.
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    if (type === "ExperimentalWarning") return;
    return emitWarning.call(process, warning, ...rest);
  };
  const { main } = await import("../src/cli/main.ts");
  await main();
} else {
  const node = join(root, ".tools", "node22", "node_modules", ".bin", "node");
  if (!existsSync(node)) {
    process.stderr.write(`wg402: system Node is ${process.version}; fetching Node 22 into .tools/node22\n`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const args = ["install", "--prefix", join(root, ".tools", "node22"), "--no-save", "--no-audit", "--no-fund"];
    // npm's own output goes to stderr: stdout belongs to the command.
    const fetched = spawnSync(npm, [...args, "--loglevel=error", "node@22"], { stdio: ["ignore", 2, 2] });
    if (fetched.status !== 0 || !existsSync(node)) {
      process.stderr.write("wg402: could not fetch Node 22 (npm install node@22 failed); install Node >= 22\n");
      process.exit(1);
    }
  }
  if (!existsSync(join(root, "node_modules"))) {
    process.stderr.write(`wg402: the dependencies are not installed: run \`npm start\` or \`npm ci\` in ${root}\n`);
    process.exit(1);
  }
  const child = spawn(node, ["--disable-warning=ExperimentalWarning", self, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  // A Ctrl-C on the terminal reaches both processes; the CLI takes a copy arriving at once as the same one.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of signals) process.on(signal, forward);
  child.on("error", (error) => {
    process.stderr.write(`wg402: could not start ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
