import { randomBytes } from "node:crypto";
import { CreateLeaseRequest, WireguardPublicKey } from "./lease.ts";

const validKey = randomBytes(32).toString("base64");

describe("WireguardPublicKey", () => {
  it("accepts any 32 random bytes in standard base64", () => {
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(32).toString("base64");
      expect(WireguardPublicKey.safeParse(key).success).toBe(true);
    }
  });

  it.each([
    ["31 bytes", randomBytes(31).toString("base64")],
    ["33 bytes", randomBytes(33).toString("base64")],
    ["a trailing newline", `${validKey}\n`],
    ["a leading space", ` ${validKey}`],
    ["extra text", `${validKey}AAAA`],
    ["no padding", validKey.slice(0, 43)],
    ["the URL-safe alphabet", `${"-".repeat(43)}=`],
    ["non-canonical trailing bits", `${"A".repeat(42)}B=`],
    ["an empty string", ""],
  ])("rejects %s", (_label, key) => {
    expect(WireguardPublicKey.safeParse(key).success).toBe(false);
  });

  it("round-trips through Buffer as exactly 32 bytes", () => {
    expect(Buffer.from(validKey, "base64")).toHaveLength(32);
  });
});

describe("CreateLeaseRequest", () => {
  it("parses a valid request", () => {
    expect(CreateLeaseRequest.parse({ publicKey: validKey, minutes: 5 })).toEqual({ publicKey: validKey, minutes: 5 });
  });

  it.each([
    [{ publicKey: validKey, minutes: 1.5 }],
    [{ publicKey: validKey, minutes: 0 }],
    [{ publicKey: validKey, minutes: "5" }],
    [{ publicKey: validKey }],
    [{ publicKey: validKey, minutes: 5, extra: true }],
  ])("rejects %j", (body) => {
    expect(CreateLeaseRequest.safeParse(body).success).toBe(false);
  });
});
