// Leases paid by an escrow channel, end to end on the real local chain (wg402's escrow at the SDK's addresses)
// and wg402's facilitator (it settles the deposit): the SDK's batch-settlement client pays through
// @x402/fetch, and the agent runs the SDK's server scheme on its own ledger.
import { CreateLeaseResponse, canonicalEscrowAddresses, RenewLeaseResponse, UsageReceipt } from "@wg402/shared";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
import { type AgentHarness, PRICE, postJson, read, startAgentHarness } from "../testing/agentHarness.ts";
import { closeLease, channelPayer as makePayer, startChannelAgent } from "../testing/channelPayer.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

const channelAgent = () => startChannelAgent(h);
const channelPayer = () => makePayer(h);

const blockNumber = () => h.publicClient.getBlockNumber();

describe("paying for a lease by escrow channel", () => {
  it("offers batch-settlement beside exact, channel first", async () => {
    const { running } = await channelAgent();
    const quote = await postJson(fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
    expect(quote.status).toBe(402);
    const required = decodePaymentRequiredHeader(quote.headers.get("payment-required") as string);
    expect(required.accepts.map((a) => a.scheme)).toEqual(["batch-settlement", "exact"]);
    const channel = required.accepts[0];
    expect(channel?.amount).toBe((2n * PRICE).toString());
    expect(channel?.extra).toMatchObject({ receiverAuthorizer: expect.stringMatching(/^0x/), withdrawDelay: 86_400 });
    const info = (await (await fetch(running.url)).json()) as { accepts: { scheme: string }[] };
    expect(info.accepts.map((k) => k.scheme)).toEqual(["batch-settlement", "exact"]);
  });

  it("a plain exact client still buys a lease from a node that offers channels", async () => {
    const { running } = await channelAgent();
    const bought = await h.buyLease(running, 1);
    expect(bought.response.status).toBe(201);
    expect(running.agent.store.getLease(bought.body.lease.id)?.channel).toBeNull();
  });

  it("deposits once, then renews by voucher with no chain transaction, charged to the second", async () => {
    const { running, advance } = await channelAgent();
    const payer = await channelPayer();
    const publicKey = h.randomKey();
    const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey, minutes: 2 });
    expect(created.status).toBe(201);
    const { lease } = await read(CreateLeaseResponse, created);
    const stored = running.agent.store.getLease(lease.id);
    expect(stored?.channel).toMatchObject({ c0: 0n });
    const channelId = stored?.channel?.id as string;
    const storage = running.agent.channels?.storage;
    expect(await storage?.get(channelId)).toMatchObject({ chargedCumulativeAmount: "0", signedMaxClaimable: "2000" });
    expect(await running.driver.listPeers()).toHaveLength(1);

    // 30 s later, one more minute: the 30 s used are charged, the ceiling runs one minute further ahead.
    advance(30_000);
    const before = await blockNumber();
    const renewed = await postJson(payer.fetch, `${running.url}/lease/${lease.id}/renew`, { minutes: 1 });
    expect(renewed.status).toBe(200);
    const body = await read(RenewLeaseResponse, renewed);
    expect(Date.parse(body.lease.expiresAt)).toBe(stored?.expiresAt ? stored.expiresAt + 60_000 : Number.NaN);
    expect(await storage?.get(channelId)).toMatchObject({ chargedCumulativeAmount: "500", signedMaxClaimable: "3000" });
    expect(await blockNumber()).toBe(before);

    // Another renewal 15 s on: 250 more charged, ceiling +1 minute again; still no transaction.
    advance(15_000);
    const again = await postJson(payer.fetch, `${running.url}/lease/${lease.id}/renew`, { minutes: 1 });
    expect(again.status).toBe(200);
    expect(await storage?.get(channelId)).toMatchObject({ chargedCumulativeAmount: "750", signedMaxClaimable: "4000" });
    expect(await blockNumber()).toBe(before);
    // The lease records what each payment authorized (its minutes at the price), never a cumulative ceiling.
    expect(running.agent.store.payments(lease.id).map((p) => p.amount)).toEqual(["2000", "1000", "1000"]);
    const verified = await running.agent.metrics.registry.getSingleMetricAsString(
      "agent_channel_voucher_verify_seconds",
    );
    expect(verified).toMatch(/agent_channel_voucher_verify_seconds_count 2/);
  });

  it("the same voucher twice at once: one charge, one extension, both answers the same lease", async () => {
    const { running, advance } = await channelAgent();
    const payer = await channelPayer();
    const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
    const { lease } = await read(CreateLeaseResponse, created);
    const expiresAt = running.agent.store.getLease(lease.id)?.expiresAt as number;
    advance(6_000);
    const path = `/lease/${lease.id}/renew`;
    const quote = await postJson(fetch, `${running.url}${path}`, { minutes: 1 });
    const required = decodePaymentRequiredHeader(quote.headers.get("payment-required") as string);
    const payload: PaymentPayload = await payer.client.createPaymentPayload(required);
    const header = encodePaymentSignatureHeader(payload);
    const send = () => postJson(fetch, `${running.url}${path}`, { minutes: 1 }, { "payment-signature": header });
    const answers = await Promise.all([send(), send()]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const [a, b] = await Promise.all(answers.map((r) => read(RenewLeaseResponse, r)));
    expect(b?.lease).toEqual(a?.lease);
    expect(running.agent.store.getLease(lease.id)?.expiresAt).toBe(expiresAt + 60_000);
    const channelId = running.agent.store.getLease(lease.id)?.channel?.id as string;
    expect((await running.agent.channels?.storage.get(channelId))?.chargedCumulativeAmount).toBe("100");
    // Later, the same voucher once more: the same answer, nothing charged again.
    const late = await send();
    expect(late.status).toBe(200);
    expect((await read(RenewLeaseResponse, late)).lease.expiresAt).toBe(a?.lease.expiresAt);
    expect((await running.agent.channels?.storage.get(channelId))?.chargedCumulativeAmount).toBe("100");
  });

  it("two different vouchers on one channel at once: one is served, the other is refused, nothing twice", async () => {
    const { running, advance } = await channelAgent();
    const payer = await channelPayer();
    const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
    const { lease } = await read(CreateLeaseResponse, created);
    const expiresAt = running.agent.store.getLease(lease.id)?.expiresAt as number;
    advance(12_000);
    const path = `${running.url}/lease/${lease.id}/renew`;
    const signed = await Promise.all(
      [1, 2].map(async (minutes) => {
        const quote = await postJson(fetch, path, { minutes });
        const required = decodePaymentRequiredHeader(quote.headers.get("payment-required") as string);
        return { minutes, header: encodePaymentSignatureHeader(await payer.client.createPaymentPayload(required)) };
      }),
    );
    const answers = await Promise.all(
      signed.map((s) => postJson(fetch, path, { minutes: s.minutes }, { "payment-signature": s.header })),
    );
    const statuses = answers.map((r) => r.status);
    expect([...statuses].sort()).toEqual([200, 402]);
    const won = signed[statuses.indexOf(200)]?.minutes as number;
    expect(running.agent.store.getLease(lease.id)?.expiresAt).toBe(expiresAt + won * 60_000);
    const channelId = running.agent.store.getLease(lease.id)?.channel?.id as string;
    expect(await running.agent.channels?.storage.get(channelId)).toMatchObject({
      chargedCumulativeAmount: "200",
      signedMaxClaimable: String(2_000 + won * 1_000),
    });
    expect(running.agent.store.payments(lease.id).filter((p) => p.status === "settled")).toHaveLength(2);
  });

  it("refuses an exact renewal of a channel's lease before any payment is verified", async () => {
    const { running } = await channelAgent();
    const payer = await channelPayer();
    const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 1 });
    const { lease } = await read(CreateLeaseResponse, created);
    // Nor does the same channel pay for a second lease while this one runs.
    const second = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 1 });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: "channel_in_use" });
    const exact = h.payingFetch();
    const renewed = await postJson(exact.fetch, `${running.url}/lease/${lease.id}/renew`, { minutes: 1 });
    expect(renewed.status).toBe(409);
    expect(await renewed.json()).toMatchObject({ error: "channel_mismatch" });
  });

  it("charges the final seconds at close, and an expired lease the time it was granted", async () => {
    const { running, advance, now } = await channelAgent();
    const payer = await channelPayer();
    const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 3 });
    const { lease } = await read(CreateLeaseResponse, created);
    const channelId = running.agent.store.getLease(lease.id)?.channel?.id as string;
    advance(42_000);
    const closed = await closeLease(running.url, lease.id, payer.account, now());
    expect(closed.status).toBe(200);
    expect((await running.agent.channels?.storage.get(channelId))?.chargedCumulativeAmount).toBe("700");
    // The receipt says what the seconds cost, beside what the vouchers authorized.
    expect(UsageReceipt.parse(await closed.json()).channel).toEqual({ channelId, charged: "700", chargedTotal: "700" });

    // A second lease on the same channel whose client vanished: charged its whole granted minute at expiry.
    const second = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 1 });
    expect(second.status).toBe(201);
    const secondId = (await read(CreateLeaseResponse, second)).lease.id;
    expect(running.agent.store.getLease(secondId)?.channel).toMatchObject({ id: channelId, c0: 700n });
    advance(61_000);
    await running.agent.leases.peers.expireDue();
    await running.agent.sweep();
    expect(running.agent.store.getLease(secondId)?.state).toBe("expired");
    expect((await running.agent.channels?.storage.get(channelId))?.chargedCumulativeAmount).toBe("1700");
  });

  it("a lease whose renewal lapsed into the grace window is charged, on its receipt, from its first second", async () => {
    const { running, advance, now } = await channelAgent();
    const payer = await channelPayer();
    const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 1 });
    const { lease } = await read(CreateLeaseResponse, created);
    advance(63_000); // 3 s past its expiry: not served, not billed
    const renewed = await postJson(payer.fetch, `${running.url}/lease/${lease.id}/renew`, { minutes: 1 });
    expect(renewed.status).toBe(200);
    const channel = running.agent.store.getLease(lease.id)?.channel;
    expect(channel).toMatchObject({ c0: 1_000n, opening: 0n });
    advance(30_000);
    const closed = await closeLease(running.url, lease.id, payer.account, now());
    expect(UsageReceipt.parse(await closed.json()).channel).toMatchObject({ charged: "1500", chargedTotal: "1500" });
  });

  it("the same voucher rightly buys a new lease after a close that used nothing, never more than it covers", async () => {
    const { running, now } = await channelAgent();
    const payer = await channelPayer();
    // The same WireGuard key both times: the purchase, too, is the same.
    const publicKey = h.randomKey();
    const first = await postJson(payer.fetch, `${running.url}/lease`, { publicKey, minutes: 1 });
    const a = (await read(CreateLeaseResponse, first)).lease.id;
    expect((await closeLease(running.url, a, payer.account, now())).status).toBe(200);
    const second = await postJson(payer.fetch, `${running.url}/lease`, { publicKey, minutes: 1 });
    expect(second.status).toBe(201);
    const b = (await read(CreateLeaseResponse, second)).lease.id;
    expect(b).not.toBe(a);
    // The same voucher both times (first inside the deposit): the charge had not moved (0 s used).
    const voucherOf = (header: string | undefined) =>
      JSON.parse(Buffer.from(header ?? "", "base64").toString()).payload.voucher as unknown;
    expect(voucherOf(payer.sent[1])).toEqual(voucherOf(payer.sent[0]));
    const channelId = running.agent.store.getLease(b)?.channel?.id as string;
    expect(await running.agent.channels?.storage.get(channelId)).toMatchObject({
      chargedCumulativeAmount: "0",
      signedMaxClaimable: "1000",
    });
  });

  it("refuses to start selling by channel where no escrow code is at the SDK's address", async () => {
    const address = canonicalEscrowAddresses.batchSettlement as `0x${string}`;
    const code = (await h.publicClient.getCode({ address })) as `0x${string}`;
    const setCode = (value: string) =>
      h.publicClient.request({ method: "hardhat_setCode" as never, params: [address, value] as never });
    await setCode("0x");
    try {
      await expect(startChannelAgent(h)).rejects.toThrow(/there is no contract/);
    } finally {
      await setCode(code);
    }
  });
});
