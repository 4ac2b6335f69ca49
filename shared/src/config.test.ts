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

  it("reports a missing variable", () => {
    expect(() => parseConfig(Schema, {})).toThrow(/PORT: /);
  });
});
