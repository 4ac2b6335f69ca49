import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { runCommand } from "./runCommand.ts";
import { withSecretFifo } from "./secretFifo.ts";

describe("withSecretFifo", () => {
  it("lets a tool read the secret from a private named pipe that is gone afterwards", async () => {
    let seen = "";
    const out = await withSecretFifo("s3cret", async (path) => {
      seen = path;
      const info = await stat(path);
      expect(info.isFIFO()).toBe(true);
      expect(info.mode & 0o777).toBe(0o600);
      expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
      return (await runCommand("cat", [path])).stdout;
    });
    expect(out).toBe("s3cret\n");
    await expect(stat(dirname(seen))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("does not hang when the tool never opens the pipe", async () => {
    await expect(withSecretFifo("s3cret", () => runCommand("false", []))).rejects.toMatchObject({ code: "io" });
  });
});
