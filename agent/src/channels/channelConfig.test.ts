import { loadAgentConfig } from "../config.ts";

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
});
