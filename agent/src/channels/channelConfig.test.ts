import { loadAgentConfig } from "../config.ts";
import { fleetKeyPrefix } from "../fleet/buildFleetStore.ts";

const base = {
  AGENT_PAY_TO: "0x1111111111111111111111111111111111111111",
  AGENT_TOKEN_ADDRESS: "0x2222222222222222222222222222222222222222",
};
const key = `0x${"11".repeat(32)}`;

describe("channel configuration", () => {
  it("is off unless asked for", () => {
    expect(loadAgentConfig(base).AGENT_CHANNEL).toBe("off");
  });

  it("needs the agent's receiver-authorizer key, unless it delegates to the facilitator", () => {
    expect(() => loadAgentConfig({ ...base, AGENT_CHANNEL: "on" })).toThrow(/AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY/);
    expect(loadAgentConfig({ ...base, AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: key })).toMatchObject(
      {
        AGENT_CHANNEL_AUTHORIZER: "agent",
        AGENT_CHANNEL_WITHDRAW_DELAY_SECONDS: 86_400,
      },
    );
    expect(
      loadAgentConfig({ ...base, AGENT_CHANNEL: "on", AGENT_CHANNEL_AUTHORIZER: "facilitator" }).AGENT_CHANNEL,
    ).toBe("on");
  });

  it("refuses a chain where the registry knows no escrow, and a withdraw delay the escrow would refuse", () => {
    const env = { ...base, AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: key };
    expect(() => loadAgentConfig({ ...env, AGENT_NETWORK: "arbitrum-sepolia" })).toThrow(/escrow/);
    expect(() => loadAgentConfig({ ...env, AGENT_CHANNEL_WITHDRAW_DELAY_SECONDS: "60" })).toThrow(
      /AGENT_CHANNEL_WITHDRAW_DELAY_SECONDS/,
    );
  });

  it("keeps channels in the ledger unless a fleet's Redis is named, and keys a fleet by payTo and chain", () => {
    const env = { ...base, AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: key };
    expect(loadAgentConfig(env).AGENT_CHANNEL_STORE).toBe("sqlite");
    expect(() => loadAgentConfig({ ...env, AGENT_CHANNEL_STORE: "redis" })).toThrow(/AGENT_REDIS_URL/);
    expect(() =>
      loadAgentConfig({ ...env, AGENT_CHANNEL_STORE: "redis", AGENT_REDIS_URL: "http://127.0.0.1:6379" }),
    ).toThrow(/AGENT_REDIS_URL/);
    const fleet = loadAgentConfig({ ...env, AGENT_CHANNEL_STORE: "redis", AGENT_REDIS_URL: "unix:///run/redis.sock" });
    expect(fleetKeyPrefix(fleet)).toBe(`wg402:31337:${base.AGENT_PAY_TO}`);
    expect(fleetKeyPrefix({ ...fleet, AGENT_PAY_TO: "0x3333333333333333333333333333333333333333" })).not.toBe(
      fleetKeyPrefix(fleet),
    );
    expect(fleetKeyPrefix({ ...fleet, AGENT_REDIS_KEY_PREFIX: "ops" })).toBe("ops");
  });
});
