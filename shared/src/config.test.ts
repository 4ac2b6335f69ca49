import { z } from "zod";
import { parseConfig } from "./config.ts";
import { BaseError } from "./errors.ts";

const Schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535),
  NAME: z.string().default("node"),
});

describe("parseConfig", () => {
  it("returns typed values with defaults", () => {
    expect(parseConfig(Schema, { PORT: "8080" })).toEqual({ PORT: 8080, NAME: "node" });
  });

  it("names the bad variable and its value", () => {
    let error: unknown;
    try {
      parseConfig(Schema, { PORT: "eighty" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BaseError);
    const base = error as BaseError;
    expect(base.code).toBe("invalid_config");
    expect(base.message).toMatch(/^PORT="eighty": /m);
  });

  it("names a bad secret without echoing it", () => {
    const Secrets = z.object({
      AGENT_PRIVATE_KEY: z.string().regex(/^0x[0-9a-f]{64}$/),
      WALLET_PASSPHRASE: z.string().min(10),
    });
    const run = () => parseConfig(Secrets, { AGENT_PRIVATE_KEY: "0xdeadbeefcafe", WALLET_PASSPHRASE: "hunter2" });
    expect(run).toThrow(/AGENT_PRIVATE_KEY: /);
    expect(run).toThrow(/WALLET_PASSPHRASE: /);
    let text = "";
    try {
      run();
    } catch (e) {
      text = `${(e as BaseError).message} ${JSON.stringify((e as BaseError).details)}`;
    }
    expect(text).not.toContain("deadbeefcafe");
    expect(text).not.toContain("hunter2");
  });

  it("reports a missing variable", () => {
    expect(() => parseConfig(Schema, {})).toThrow(/PORT: /);
  });
});
