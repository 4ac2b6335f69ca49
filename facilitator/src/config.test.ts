import { loadFacilitatorConfig } from "./config.ts";

const key = `0x${"11".repeat(32)}`;

describe("facilitator config", () => {
  it("defaults to the local chain on loopback", () => {
    const config = loadFacilitatorConfig({ FACILITATOR_PRIVATE_KEY: key });
    expect(config).toMatchObject({
      FACILITATOR_HOST: "127.0.0.1",
      FACILITATOR_PORT: 4020,
      FACILITATOR_NETWORKS: ["local"],
      FACILITATOR_API_KEYS: [],
      FACILITATOR_RATE_LIMIT_PER_MINUTE: 6_000,
    });
    expect(
      loadFacilitatorConfig({ FACILITATOR_PRIVATE_KEY: key, FACILITATOR_RATE_LIMIT_PER_MINUTE: "0" })
        .FACILITATOR_RATE_LIMIT_PER_MINUTE,
    ).toBe(0);
  });

  it("accepts chain keys and CAIP-2 ids and lists", () => {
    const config = loadFacilitatorConfig({
      FACILITATOR_PRIVATE_KEY: key,
      FACILITATOR_NETWORKS: "base-sepolia, eip155:8453",
      FACILITATOR_API_KEYS: "aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb",
    });
    expect(config.FACILITATOR_NETWORKS).toEqual(["base-sepolia", "base"]);
    expect(config.FACILITATOR_API_KEYS).toHaveLength(2);
  });

  it("takes the schemes to offer and a receiver authorizer key of its own", () => {
    const other = `0x${"22".repeat(32)}`;
    expect(loadFacilitatorConfig({ FACILITATOR_PRIVATE_KEY: key }).FACILITATOR_SCHEMES).toBeUndefined();
    const config = loadFacilitatorConfig({
      FACILITATOR_PRIVATE_KEY: key,
      FACILITATOR_SCHEMES: "exact, batch-settlement",
      FACILITATOR_AUTHORIZER_PRIVATE_KEY: other,
    });
    expect(config.FACILITATOR_SCHEMES).toEqual(["exact", "batch-settlement"]);
    expect(config.FACILITATOR_AUTHORIZER_PRIVATE_KEY).toBe(other);
  });

  it.each([
    [{}, /FACILITATOR_PRIVATE_KEY: set exactly one of/],
    [{ FACILITATOR_PRIVATE_KEY: key, FACILITATOR_SCHEMES: "upto" }, /FACILITATOR_SCHEMES/],
    [{ FACILITATOR_PRIVATE_KEY: key, FACILITATOR_SCHEMES: "exact,exact" }, /names a scheme twice/],
    [
      { FACILITATOR_PRIVATE_KEY: key, FACILITATOR_AUTHORIZER_PRIVATE_KEY: key },
      /^invalid configuration\n\(environment\): FACILITATOR_AUTHORIZER_PRIVATE_KEY: the receiver authorizer needs a key of its own, not the signer's$/,
    ],
    [
      { FACILITATOR_PRIVATE_KEY: key, FACILITATOR_AUTHORIZER_KEYSTORE: "/a.json" },
      /FACILITATOR_AUTHORIZER_KEYSTORE needs FACILITATOR_AUTHORIZER_KEYSTORE_PASSWORD/,
    ],
    [{ FACILITATOR_PRIVATE_KEY: "0x1234" }, /FACILITATOR_PRIVATE_KEY: must be a 0x-prefixed/],
    [{ FACILITATOR_PRIVATE_KEY: key, FACILITATOR_NETWORKS: "mainnet" }, /unknown network "mainnet"/],
    [{ FACILITATOR_PRIVATE_KEY: key, FACILITATOR_PORT: "http" }, /FACILITATOR_PORT="http"/],
    [{ FACILITATOR_PRIVATE_KEY: key, FACILITATOR_API_KEYS: "short" }, /at least 16 characters/],
    [
      { FACILITATOR_PRIVATE_KEY: key, FACILITATOR_RATE_LIMIT_PER_MINUTE: "-1" },
      /FACILITATOR_RATE_LIMIT_PER_MINUTE="-1"/,
    ],
    [{ FACILITATOR_KEYSTORE: "/k.json" }, /FACILITATOR_KEYSTORE_PASSWORD: FACILITATOR_KEYSTORE needs/],
  ])("refuses %j with a message naming the variable", (env, message) => {
    expect(() => loadFacilitatorConfig(env)).toThrow(message);
  });
});
