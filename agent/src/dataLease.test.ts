// Data and hybrid leases against a real chain and facilitator (paid with the official @x402/fetch), on the fake
// driver whose counters the test moves: prices, allowances, the adaptive cut, renewals and their refusals.
import { Lease, LeaseQuote, NodeInfo, RenewLeaseResponse } from "@wg402/shared";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import {
  type AgentHarness,
  errorOf,
  postJson,
  type RunningAgent,
  read,
  startAgentHarness,
} from "./testing/agentHarness.ts";

const MB = 1_000_000;
const DATA_ENV = { AGENT_PRICE_PER_MB: "20000", AGENT_MAX_MB: "1000" };

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("pricing data", () => {
  it("GET / advertises the MB price beside the minute's, and a node without one sells no data", async () => {
    const data = await h.startAgent({ env: DATA_ENV });
    const info = await read(NodeInfo, fetch(`${data.url}/`));
    expect(info.pricePerMinute).toBe("1000");
    expect(info.data).toMatchObject({ pricePerMb: "20000", minMegabytes: 1, maxMegabytes: 1000, blockBytes: 100_000 });
    const timeOnly = await h.startAgent();
    expect((await read(NodeInfo, fetch(`${timeOnly.url}/`))).data).toBeUndefined();
    const refused = await postJson(fetch, `${timeOnly.url}/lease`, { publicKey: h.randomKey(), megabytes: 5 });
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).error).toBe("data_not_offered");
  });

  it("quotes megabytes, minutes and both, in the 402 and its readable body", async () => {
    const { url } = await h.startAgent({ env: DATA_ENV });
    for (const [units, amount] of [
      [{ megabytes: 5 }, "100000"],
      [{ minutes: 2, megabytes: 5 }, "102000"],
      [{ minutes: 2 }, "2000"],
    ] as const) {
      const response = await postJson(fetch, `${url}/lease`, { publicKey: h.randomKey(), ...units });
      expect(response.status).toBe(402);
      const required = decodePaymentRequiredHeader(response.headers.get("payment-required") as string);
      expect(required.accepts[0]?.amount).toBe(amount);
      const quote = await read(LeaseQuote, response);
      expect(quote).toMatchObject({ total: amount, pricePerMb: "20000", megabytes: units.megabytes ?? 0 });
    }
  });

  it("refuses junk megabytes before any price", async () => {
    const { url } = await h.startAgent({ env: DATA_ENV });
    for (const megabytes of [0, -1, 1.5, "5", 1001]) {
      const response = await postJson(fetch, `${url}/lease`, { publicKey: h.randomKey(), megabytes });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).error).toBe("invalid_megabytes");
    }
    const nothing = await postJson(fetch, `${url}/lease`, { publicKey: h.randomKey() });
    expect(nothing.status).toBe(400);
  });
});

describe("a data lease", () => {
  it("is paid up front by exact, shows its bytes left, and is cut at its allowance by the adaptive meter", async () => {
    const running = await h.startAgent({ env: { ...DATA_ENV, AGENT_METER_MIN_INTERVAL_MS: "50" } });
    const before = await h.balanceOf(h.operator());
    const { response, body, publicKey } = await h.buyLease(running, { megabytes: 5 });
    expect(response.status).toBe(201);
    expect(body.lease).toMatchObject({ plan: "data", bytesAllowed: 5 * MB, bytesLeft: 5 * MB, totalPaid: "100000" });
    expect(await h.balanceOf(h.operator())).toBe(before + 100_000n);
    const url = `${running.url}/lease/${body.lease.id}`;
    running.driver.addTraffic(publicKey, 1 * MB, 1 * MB);
    const seen = await h.leaseAt(url);
    expect(seen.bytesLeft).toBe(3 * MB);
    // Past the allowance: the data meter (regular poll an hour away here) cuts it within its short interval.
    running.driver.addTraffic(publicKey, 2 * MB, 1 * MB + 1);
    await until("the cut", async () => !(await running.driver.listPeers()).some((p) => p.publicKey === publicKey));
    const cut = await h.leaseAt(url);
    expect(cut).toMatchObject({ state: "expired", bytesLeft: 0 });
    expect(cut.usage.bytesUp + cut.usage.bytesDown).toBe(5 * MB + 1);
  });

  it("renews by megabytes (allowance from the bytes moved if it ran out), and refuses minutes", async () => {
    const running = await h.startAgent({ env: DATA_ENV });
    const { body, publicKey } = await h.buyLease(running, { megabytes: 2 });
    const renew = `${running.url}/lease/${body.lease.id}/renew`;
    const wrong = await postJson(fetch, renew, { minutes: 5 });
    expect(wrong.status).toBe(409);
    expect((await errorOf(wrong)).error).toBe("plan_mismatch");
    running.driver.addTraffic(publicKey, 500_000, 0);
    const renewed = await read(RenewLeaseResponse, postJson(h.payingFetch().fetch, renew, { megabytes: 3 }));
    expect(renewed).toMatchObject({ megabytes: 3, minutes: 0 });
    expect(renewed.lease.bytesAllowed).toBe(5 * MB);
    const lease = await h.leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(lease.bytesLeft).toBe(4_500_000);
    expect(lease.payments.map((p) => p.megabytes)).toEqual([2, 3]);
  });

  it("a time lease takes no megabytes", async () => {
    const running = await h.startAgent({ env: DATA_ENV });
    const { body } = await h.buyLease(running, 3);
    expect(body.lease).toMatchObject({ plan: "time", bytesAllowed: null, bytesLeft: null });
    const wrong = await postJson(fetch, `${running.url}/lease/${body.lease.id}/renew`, { megabytes: 1 });
    expect(wrong.status).toBe(409);
    expect((await errorOf(wrong)).error).toBe("plan_mismatch");
  });
});

describe("a hybrid lease", () => {
  it("ends when its data runs out, with time left", async () => {
    const running = await h.startAgent({ env: DATA_ENV });
    const { body, publicKey } = await h.buyLease(running, { minutes: 60, megabytes: 1 });
    expect(body.lease).toMatchObject({ plan: "hybrid", bytesAllowed: MB, totalPaid: "80000" });
    running.driver.addTraffic(publicKey, MB, 0);
    await until("the cut", async () => !(await running.driver.listPeers()).some((p) => p.publicKey === publicKey));
    const lease = await read(
      Lease,
      fetch(`${running.url}/lease/${body.lease.id}`, { headers: await h.viewAuth(body.lease.id) }),
    );
    expect(lease.state).toBe("expired");
    expect(Date.parse(lease.expiresAt)).toBeLessThan(Date.parse(body.lease.expiresAt) - 3_000_000);
    // Restarting it needs both units: its data ran out and, with it, its time.
    const renew = `${running.url}/lease/${body.lease.id}/renew`;
    const dataOnly = await postJson(fetch, renew, { megabytes: 1 });
    expect((await errorOf(dataOnly)).error).toBe("plan_mismatch");
    const both = await read(RenewLeaseResponse, postJson(h.payingFetch().fetch, renew, { minutes: 1, megabytes: 1 }));
    expect(both.lease).toMatchObject({ state: "active", bytesAllowed: 2 * MB, bytesLeft: MB });
  });

  it("ends when its time runs out, with data left", async () => {
    const running = await h.startAgent({
      env: { ...DATA_ENV, AGENT_SECONDS_PER_MINUTE: "1", AGENT_GRACE_SECONDS: "0" },
    });
    const { body, publicKey } = await h.buyLease(running, { minutes: 2, megabytes: 100 });
    await until(
      "the expiry",
      async () => !(await running.driver.listPeers()).some((p) => p.publicKey === publicKey),
      6_000,
    );
    const lease = await h.leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(lease).toMatchObject({ state: "expired", bytesLeft: 0 });
    expect(Date.parse(lease.expiresAt) - Date.parse(lease.createdAt)).toBe(2_000);
  });
});

describe("hostile cases", () => {
  /** Signs a payment for `path` + `body` as @x402/fetch would, without sending it. */
  async function signed(running: RunningAgent, path: string, body: unknown) {
    const quote = await postJson(fetch, `${running.url}${path}`, body);
    const required = decodePaymentRequiredHeader(quote.headers.get("payment-required") as string);
    return encodePaymentSignatureHeader(await h.payingFetch().client.createPaymentPayload(required));
  }
  const send = (running: RunningAgent, path: string, body: unknown, header: string) =>
    postJson(fetch, `${running.url}${path}`, body, { "payment-signature": header });

  it("two copies of one data renewal at once buy its megabytes once, for one transfer", async () => {
    const running = await h.startAgent({ env: DATA_ENV });
    const { body } = await h.buyLease(running, { megabytes: 2 });
    const path = `/lease/${body.lease.id}/renew`;
    const header = await signed(running, path, { megabytes: 3 });
    const before = await h.balanceOf(h.operator());
    const answers = await Promise.all([1, 2].map(() => send(running, path, { megabytes: 3 }, header)));
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const lease = await h.leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(lease.bytesAllowed).toBe(5 * MB);
    expect(await h.balanceOf(h.operator())).toBe(before + 60_000n);
    // The same signature for other megabytes is a different purchase: refused, nothing moves.
    const other = await send(running, path, { megabytes: 4 }, header);
    expect(other.status).toBe(409);
    expect(await h.balanceOf(h.operator())).toBe(before + 60_000n);
  });

  it("a restart keeps the bytes already counted against the allowance, and still cuts at it", async () => {
    const running = await h.startAgent({ env: DATA_ENV });
    const { body, publicKey } = await h.buyLease(running, { megabytes: 5 });
    running.driver.addTraffic(publicKey, 3 * MB, 0);
    await running.agent.leases.peers.pollMeter();
    await running.agent.close();
    // A new process on the same ledger, whose device starts with fresh counters (wireguard-go restarted).
    const again = await h.startAgent({ env: DATA_ENV, dbPath: running.dbPath });
    await until("the peer back", async () => (await again.driver.listPeers()).some((p) => p.publicKey === publicKey));
    const url = `${again.url}/lease/${body.lease.id}`;
    expect((await h.leaseAt(url)).bytesLeft).toBe(2 * MB);
    again.driver.addTraffic(publicKey, 2 * MB, 0);
    await until("the cut", async () => !(await again.driver.listPeers()).some((p) => p.publicKey === publicKey));
    expect(await h.leaseAt(url)).toMatchObject({ state: "expired", bytesLeft: 0 });
  });
});
