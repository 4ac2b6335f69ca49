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
} satisfies Config;
