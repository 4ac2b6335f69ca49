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

  it.each([
    [{}, /FACILITATOR_PRIVATE_KEY: set exactly one of/],
    [{ FACILITATOR_PRIVATE_KEY: "0x1234" }, /FACILITATOR_PRIVATE_KEY="0x1234": must be a 0x-prefixed/],
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
