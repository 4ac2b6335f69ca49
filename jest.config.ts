import type { Config } from "jest";

// One jest project per package, plus the cross-package flows in e2e/. ts-jest transpiles only:
// `npm run typecheck` is the type check.
const packages = ["shared", "wireguard", "facilitator", "agent", "client", "desktop", "scripts", "e2e"];

const project = (name: string) => ({
  displayName: name,
  rootDir: `<rootDir>/${name}`,
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: { "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "<rootDir>/../tsconfig.base.json" }] },
  testMatch: ["**/*.test.ts"],
});

export default {
  projects: packages.map((name) => ({ ...project(name), rootDir: name })),
  testTimeout: 60_000,
  // A worker that grew past this after a test file is replaced. It also keeps tests out of the main process,
  // where jest would otherwise run them on a 2-core machine (one worker), and where what each file leaks
  // adds up until the run dies of an out-of-memory (fresh CI did, at 4 GB).
  workerIdleMemoryLimit: "1GB",
} satisfies Config;
