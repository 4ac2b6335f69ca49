// Test kit of the agent, shared with the client's and the cross-package tests: a real chain, facilitator and
// agents on FakeDrivers, paying clients, a misbehaving facilitator, never-signed payments.
export * from "./agentHarness.ts";
export * from "./channelPayer.ts";
export * from "./facilitatorProxy.ts";
export * from "./testPayment.ts";
