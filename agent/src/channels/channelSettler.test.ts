// The node turns vouchers into money through the SDK's channel manager, on the real local chain with
// wg402's facilitator submitting the claim, settle and refund transactions the agent's authorizer signed.
import { CreateLeaseResponse, canonicalEscrowAddresses, x402BatchSettlementAbi } from "@wg402/shared";
import type { Hex } from "viem";
import { type AgentHarness, errorOf, postJson, read, startAgentHarness } from "../testing/agentHarness.ts";
import { channelPayer, closeLease, startChannelAgent } from "../testing/channelPayer.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

const escrow = canonicalEscrowAddresses.batchSettlement as Hex;
const onChain = async (channelId: string) => {
  const [balance, totalClaimed] = await h.publicClient.readContract({
    address: escrow,
    abi: x402BatchSettlementAbi,
    functionName: "channels",
    args: [channelId as Hex],
  });
  return { balance, totalClaimed };
};

/** A lease bought by channel, renewed once after 30 s: charged 500 of a 3,000 ceiling. */
async function servedLease(env: Record<string, string> = {}) {
  const agent = await startChannelAgent(h, {
    env: { AGENT_CHANNEL_CLAIM_THRESHOLD: "400", AGENT_CHANNEL_REFUND_IDLE_SECONDS: "60", ...env },
  });
  const payer = await channelPayer(h);
  const created = await postJson(payer.fetch, `${agent.running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);
  agent.advance(30_000);
  const renewed = await postJson(payer.fetch, `${agent.running.url}/lease/${lease.id}/renew`, { minutes: 1 });
  expect(renewed.status).toBe(200);
  const channelId = agent.running.agent.store.getLease(lease.id)?.channel?.id as string;
  return { ...agent, payer, leaseId: lease.id, channelId, settler: agent.running.agent.settler };
}

describe("claims, settles and refunds", () => {
  it("claims above the threshold, settles to the receiver, then refunds an idle channel's rest", async () => {
    const { running, payer, leaseId, channelId, settler, advance, now } = await servedLease();
    const deposit = (await onChain(channelId)).balance;
    expect(await settler?.claim()).toBe(1);
    expect(await onChain(channelId)).toEqual({ balance: deposit, totalClaimed: 500n });
    // Nothing new charged: the next pass claims nothing and sends no transaction.
    expect(await settler?.claim({ force: true })).toBe(0);

    const operatorBefore = await h.balanceOf(h.operator());
    expect(await settler?.settle()).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await h.balanceOf(h.operator())) - operatorBefore).toBe(500n);

    // Idle for a minute, but its lease still runs: its deposit is never refunded under it.
    const idle = () => settler?.refundIdle();
    advance(61_000);
    expect(running.agent.store.getLease(leaseId)?.state).toBe("active");
    expect(await idle()).toBe(0);

    // Closed 101 s after it started: charged exactly those seconds, then the rest goes back to the payer.
    advance(10_000);
    const closed = await closeLease(running.url, leaseId, payer.account, now());
    expect(closed.status).toBe(200);
    const charged = BigInt((await running.agent.channels?.storage.get(channelId))?.chargedCumulativeAmount ?? "0");
    expect(charged).toBe(1_684n); // ceil(101 s × 1,000 / 60 s)
    const payerBefore = await h.balanceOf(payer.account.address);
    expect(await idle()).toBe(1);
    expect((await h.balanceOf(payer.account.address)) - payerBefore).toBe(deposit - charged);
    expect(await onChain(channelId)).toEqual({ balance: charged, totalClaimed: charged });
    const gas = await running.agent.metrics.registry.getSingleMetricAsString("agent_channel_gas_total");
    expect(gas).toMatch(/operation="refund"} [1-9]/);
    await running.agent.sweep();
    const gauges = await running.agent.metrics.registry.metrics();
    expect(gauges).toMatch(/agent_channel_unclaimed_base_units 0/);
    expect(gauges).toMatch(/agent_channels_open 0/);
  });

  it("a payer's withdrawal stops sales on its channel and claims the granted time at once", async () => {
    const { running, payer, leaseId, channelId, settler } = await servedLease();
    const config = (await running.agent.channels?.storage.get(channelId))?.channelConfig;
    await h.publicClient.request({
      method: "hardhat_setBalance" as never,
      params: [payer.account.address, "0x56BC75E2D63100000"] as never,
    });
    const { createWalletClient, http } = await import("viem");
    const { chains } = await import("@wg402/shared");
    const wallet = createWalletClient({
      chain: chains.local.viem,
      transport: http(h.chain.rpcUrl),
      account: payer.account,
    });
    const hash = await wallet.writeContract({
      address: escrow,
      abi: x402BatchSettlementAbi,
      functionName: "initiateWithdraw",
      args: [config as never, (await onChain(channelId)).balance],
    });
    await h.publicClient.waitForTransactionReceipt({ hash });

    expect(await settler?.watchWithdrawals()).toEqual([channelId]);
    // Everything granted (3 minutes = 3,000) is claimed before the withdrawal can finish.
    expect((await onChain(channelId)).totalClaimed).toBe(3_000n);
    const renewed = await postJson(payer.fetch, `${running.url}/lease/${leaseId}/renew`, { minutes: 1 });
    expect(renewed.status).toBe(409);
    expect((await errorOf(renewed)).error).toBe("channel_closing");
    expect(await settler?.watchWithdrawals()).toEqual([]);
  });

  it("refunds the payer's unused deposit on its request once its lease is closed, not before", async () => {
    const { running, payer, leaseId, channelId, advance, now } = await servedLease();
    const refundUrl = `${running.url}/channel/refund`;
    const deposit = (await onChain(channelId)).balance;
    await expect(payer.scheme.refund(refundUrl)).rejects.toThrow(/status 409/);
    expect((await onChain(channelId)).balance).toBe(deposit);

    advance(20_000);
    expect((await closeLease(running.url, leaseId, payer.account, now())).status).toBe(200);
    const charged = 834n; // ceil(50 s × 1,000 / 60 s)
    const before = await h.balanceOf(payer.account.address);
    const refund = await payer.scheme.refund(refundUrl);
    expect(refund.success).toBe(true);
    expect((await h.balanceOf(payer.account.address)) - before).toBe(deposit - charged);
    expect(await onChain(channelId)).toEqual({ balance: charged, totalClaimed: charged });
  });

  it("delegated to the facilitator's receiver authorizer, claims still land", async () => {
    const { running, channelId, settler } = await servedLease({ AGENT_CHANNEL_AUTHORIZER: "facilitator" });
    expect((await running.agent.channels?.storage.get(channelId))?.channelConfig.receiverAuthorizer).toBe(
      h.facilitatorAuthorizer,
    );
    expect(await settler?.claim()).toBe(1);
    expect((await onChain(channelId)).totalClaimed).toBe(500n);
  });
});
