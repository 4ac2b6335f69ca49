// A failing third-party tool prints one line with its root cause, not its stack trace.
import { oneLine, runTool } from "./runTool.ts";

const tool = (script: string) => runTool(process.execPath, ["-e", script], { progress: (line) => seen.push(line) });
let seen: string[] = [];

describe("runTool", () => {
  beforeEach(() => {
    seen = [];
  });

  it("turns electron-builder's failure into its cause, passing progress lines through", async () => {
    const run = await tool(`
      console.log("  • electron-builder  version=26.0.12 os=6.1.0");
      console.log("  • downloading     url=https://github.com/electron/electron/releases/download/v45.0.0/electron-v45.0.0-linux-x64.zip");
      console.error("  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=Error: getaddrinfo ENOTFOUND github.com");
      console.error("    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26)");
      process.exit(1);
    `);
    expect(run).toEqual({ code: 1, cause: "getaddrinfo ENOTFOUND github.com" });
    expect(seen).toHaveLength(2);
    expect(seen.join("\n")).not.toMatch(/stackTrace|\bat /);
  });

  it("reports success without a cause, and an error message by its root cause", async () => {
    expect(await tool("console.log('  • packaging done')")).toEqual({ code: 0, cause: null });
    const esbuild = new Error(
      'Build failed with 1 error:\nsrc/electron/main.ts:3:7: ERROR: Could not resolve "nope"\n    at failureErrorWithLog (esbuild/lib/main.js:1477:15)',
    );
    expect(oneLine(esbuild)).toBe('src/electron/main.ts:3:7: ERROR: Could not resolve "nope"');
  });
});
