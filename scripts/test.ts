// `npm test`: build, lint, typecheck, the contracts' Hardhat tests, every jest project and the reliability
// suite (short form), then one summary
// line in the plain "N passed, N failed" form. Exits non-zero if any step failed.
import { spawn } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const jestReport = join(root, ".wg402", "jest-report.json");
const extraJestArgs = process.argv.slice(2);

type StepResult = { code: number; output: string };

function run(name: string, command: string, args: string[], cwd = root): Promise<StepResult> {
  console.log(`\n=== ${name}: ${[command, ...args].join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

const failures: string[] = [];
let passed = 0;
let failed = 0;
let skipped = 0;

const build = await run("build", "npm", ["run", "--silent", "build"]);
if (build.code !== 0) {
  console.error("\nbuild failed; nothing else can run");
  console.log("\ntests: 0 passed, 1 failed");
  process.exit(1);
}

for (const [name, args] of [
  ["lint", ["run", "--silent", "lint"]],
  ["typecheck", ["run", "--silent", "typecheck"]],
] as const) {
  const result = await run(name, "npm", [...args]);
  if (result.code !== 0) failures.push(name);
}

const hardhat = await run("contracts", "npm", ["run", "--silent", "test", "--workspace", "@wg402/contracts"]);
const hhPassed = Number(/(\d+) passing/.exec(hardhat.output)?.[1] ?? 0);
const hhFailed = Number(/(\d+) failing/.exec(hardhat.output)?.[1] ?? 0);
passed += hhPassed;
failed += hhFailed;
if (hardhat.code !== 0 || hhPassed === 0) {
  failures.push("contracts");
  if (hhFailed === 0) failed += 1;
}

await mkdir(dirname(jestReport), { recursive: true });
await rm(jestReport, { force: true });
const jest = await run("jest", process.execPath, [
  "--experimental-vm-modules",
  "--disable-warning=ExperimentalWarning",
  join(root, "node_modules", "jest", "bin", "jest.js"),
  "--json",
  `--outputFile=${jestReport}`,
  ...extraJestArgs,
]);
try {
  const report = JSON.parse(await readFile(jestReport, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numRuntimeErrorTestSuites: number;
  };
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
  skipped += report.numPendingTests;
  if (jest.code !== 0) failures.push("jest");
} catch {
  failures.push("jest (no report)");
  failed += 1;
}

// The reliability suite in its short form: one test per scenario, each passing only if its audit is clean.
const chaos = await run("chaos", process.execPath, [
  "--disable-warning=ExperimentalWarning",
  join(root, "chaos", "runChaos.ts"),
  "--short",
]);
const scenarios = chaos.output
  .split("\n")
  .filter((line) => line.startsWith("{"))
  .map((line) => JSON.parse(line) as { scenario: string; pass: boolean })
  .filter((r) => r.scenario !== "total");
passed += scenarios.filter((r) => r.pass).length;
failed += scenarios.filter((r) => !r.pass).length;
if (chaos.code !== 0 || scenarios.length === 0) {
  failures.push("chaos");
  if (scenarios.every((r) => r.pass)) failed += 1;
}

console.log("");
if (failures.length > 0) console.log(`failed steps: ${failures.join(", ")}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length > 0 ? 1 : 0);
