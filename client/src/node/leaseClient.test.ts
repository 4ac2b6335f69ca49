// LeaseClient against a real hardhat node, the real facilitator and a real agent (FakeDriver): every
// payment goes through the official @x402/fetch wrapper, and balances are read back from the chain.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair } from "@wg402/wireguard";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { isClientError } from "../errors.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { LeaseClient } from "./leaseClient.ts";

let stack: TestStack;
let node: RunningAgent;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent();
});

afterAll(async () => {
  await stack?.stop();
});

type Sent = { method: string; path: string; paid: boolean; amount: string | null };

/** A fetch that records every request, and whether it carried a payment (and for how much). */
function recordingFetch(): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const header = request.headers.get("payment-signature");
    const amount = header ? String(decodePaymentSignatureHeader(header).accepted.amount) : null;
    sent.push({ method: request.method, path: new URL(request.url).pathname, paid: header !== null, amount });
    return fetch(request);
  };
  return { fetch: recording, sent };
}

async function payer(amount: bigint) {
  const wallet = await stack.fundedWallet(amount);
  return { ...wallet, account: privateKeyToAccount(wallet.privateKey) };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isClientError(error)).toBe(true);
  expect(error).toMatchObject({ code });
}

describe("LeaseClient", () => {
  it("buys, renews, reads and closes a lease, with every payment visible on-chain", async () => {
    const { account, address } = await payer(100_000n);
    const { fetch: recording, sent } = recordingFetch();
    const client = await LeaseClient.connect({ nodeUrl: `${node.url}/`, account, env: stack.env, fetch: recording });
    expect(client.nodeUrl).toBe(node.url);
    expect(client.paymentKind).toMatchObject({ scheme: "exact", network: "eip155:31337", asset: stack.token });
    expect(client.chain.token.address).toBe(stack.token);

    const quote = await client.quote(3);
    expect(quote).toMatchObject({ minutes: 3, total: "3000", pricePerMinute: "1000" });

    const operatorBefore = await stack.balanceOf(stack.operator);
    const keys = generateKeyPair();
    const created = await client.create({ publicKey: keys.publicKey, minutes: 3 });
    expect(created.lease).toMatchObject({
      state: "active",
      publicKey: keys.publicKey,
      payer: address,
      totalPaid: "3000",
    });
    expect(created.payment).toMatchObject({ amount: 3000n, payer: address, network: "eip155:31337" });
    expect(created.payment.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(created.payment.latencyMs).toBeGreaterThan(0);
    expect(created.tunnel.configText).toContain("PrivateKey = PRIVATE_KEY_PLACEHOLDER");
    // Only the public key went to the node.
    expect(JSON.stringify(sent)).not.toContain(keys.privateKey);
    expect(await stack.balanceOf(address)).toBe(100_000n - 3000n);
    expect(await stack.balanceOf(stack.operator)).toBe(operatorBefore + 3000n);

    const renewed = await client.renew(created.lease.id, 2);
    expect(renewed.minutes).toBe(2);
    expect(Date.parse(renewed.lease.expiresAt)).toBe(Date.parse(created.lease.expiresAt) + 2 * 60_000);
    expect(renewed.payment.amount).toBe(2000n);
    expect(await stack.balanceOf(address)).toBe(100_000n - 5000n);
    const receipt = await stack.publicClient.getTransactionReceipt({ hash: renewed.payment.txHash as Hex });
    expect(receipt.status).toBe("success");

    const status = await client.status(created.lease.id);
    expect(status).toMatchObject({ state: "active", totalPaid: "5000" });
    expect(status.payments.map((p) => p.txHash)).toEqual([created.payment.txHash, renewed.payment.txHash]);
    expect(client.spend()).toEqual({ cap: null, committed: 5000n, settled: 5000n, remaining: null });

    const closed = await client.close(created.lease.id);
    expect(closed).toMatchObject({ leaseId: created.lease.id, state: "closed", payer: address, totalPaid: "5000" });
    expect((await client.status(created.lease.id)).state).toBe("closed");
    expect(await node.driver.listPeers()).toEqual([]);
    // Exactly two paid requests, for exactly the quoted amounts.
    expect(sent.filter((s) => s.paid).map((s) => [s.path, s.amount])).toEqual([
      ["/lease", "3000"],
      [`/lease/${created.lease.id}/renew`, "2000"],
    ]);
  });

  it("refuses a renewal past the session cap before signing or sending anything", async () => {
    const { account, address } = await payer(100_000n);
    const { fetch: recording, sent } = recordingFetch();
    const client = await LeaseClient.connect({
      nodeUrl: node.url,
      account,
      env: stack.env,
      fetch: recording,
      sessionCap: 4000n,
    });
    const created = await client.create({ publicKey: generateKeyPair().publicKey, minutes: 3 });
    const balance = await stack.balanceOf(address);
    const requestsBefore = sent.length;

    await expectCode(client.renew(created.lease.id, 2), "spend_cap_exceeded");
    expect(sent.length).toBe(requestsBefore);
    expect(await stack.balanceOf(address)).toBe(balance);
    expect(client.spend()).toMatchObject({ cap: 4000n, committed: 3000n, remaining: 1000n });

    // One more minute still fits the cap.
    await client.renew(created.lease.id, 1);
    expect(client.spend()).toMatchObject({ committed: 4000n, remaining: 0n });
    await expectCode(client.renew(created.lease.id, 1), "spend_cap_exceeded");
    await client.close(created.lease.id);
  });

  it("refuses a payment above the per-payment cap, and one the balance cannot cover, without a request", async () => {
    const rich = await payer(100_000n);
    const capped = recordingFetch();
    const client = await LeaseClient.connect({
      nodeUrl: node.url,
      account: rich.account,
      env: stack.env,
      fetch: capped.fetch,
      maxPerPayment: 2000n,
    });
    await expectCode(client.create({ publicKey: generateKeyPair().publicKey, minutes: 3 }), "spend_cap_exceeded");
    expect(capped.sent.filter((s) => s.method === "POST")).toEqual([]);

    const poor = await payer(500n);
    const broke = recordingFetch();
    const poorClient = await LeaseClient.connect({
      nodeUrl: node.url,
      account: poor.account,
      env: stack.env,
      fetch: broke.fetch,
    });
    await expectCode(poorClient.create({ publicKey: generateKeyPair().publicKey, minutes: 1 }), "insufficient_balance");
    expect(broke.sent.filter((s) => s.method === "POST")).toEqual([]);
    expect(await stack.balanceOf(poor.address)).toBe(500n);
  });

  it("signs nothing when the node's 402 asks for more than its advertised price", async () => {
    // A front that advertises half the agent's real price.
    const front = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(`${node.url}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(
            ([k, v]) => typeof v === "string" && !["host", "content-length"].includes(k),
          ),
        ) as Record<string, string>,
        body: req.method === "GET" ? undefined : Buffer.concat(chunks),
      });
      let body = Buffer.from(await upstream.arrayBuffer());
      if (req.method === "GET" && req.url === "/") {
        body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), pricePerMinute: "500" }));
      }
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (key !== "content-length" && key !== "content-encoding") headers[key] = value;
      });
      res.writeHead(upstream.status, headers).end(body);
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
      const { account, address } = await payer(100_000n);
      const { fetch: recording, sent } = recordingFetch();
      const client = await LeaseClient.connect({ nodeUrl: url, account, env: stack.env, fetch: recording });
      expect(client.pricePerMinute).toBe(500n);
      await expectCode(client.create({ publicKey: generateKeyPair().publicKey, minutes: 2 }), "payment_exceeds_quote");
      expect(sent.filter((s) => s.paid)).toEqual([]);
      expect(await stack.balanceOf(address)).toBe(100_000n);
      expect(client.spend().committed).toBe(0n);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it("refuses a node paid in a token other than the chain's known one", async () => {
    const { account } = await payer(0n);
    const other = await stack.startAgent({ AGENT_TOKEN_ADDRESS: "0x000000000000000000000000000000000000dEaD" });
    await expectCode(LeaseClient.connect({ nodeUrl: other.url, account, env: stack.env }), "unsupported_asset");
  });

  it("explains an unreachable node and a server that is not a wg402 node", async () => {
    const { account } = await payer(0n);
    const closedPort = createServer();
    await new Promise<void>((resolve) => closedPort.listen(0, "127.0.0.1", resolve));
    const port = (closedPort.address() as AddressInfo).port;
    await new Promise((resolve) => closedPort.close(resolve));
    await expectCode(
      LeaseClient.connect({ nodeUrl: `http://127.0.0.1:${port}`, account, env: stack.env }),
      "node_unreachable",
    );

    const plain = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<h1>hello</h1>"),
    );
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
      await expectCode(LeaseClient.connect({ nodeUrl: url, account, env: stack.env }), "not_a_wg402_node");
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});

/** A facilitator in front of the real one whose first /settle settles but never answers (it "died"). */
async function facilitatorThatDiesOnce(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  let settles = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: { "content-type": "application/json" },
      body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
    });
    const text = await upstream.text();
    if (req.url === "/settle" && settles++ === 0) {
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("LeaseClient when the node's settlement outcome is unknown", () => {
  it("asks again with the same signed payment and gets the lease, paying once", async () => {
    const facilitator = await facilitatorThatDiesOnce(stack.facilitatorUrl);
    try {
      const flaky = await stack.startAgent({ AGENT_FACILITATOR_URL: facilitator.url });
      const { account, address } = await payer(100_000n);
      const { fetch: recording, sent } = recordingFetch();
      const client = await LeaseClient.connect({ nodeUrl: flaky.url, account, env: stack.env, fetch: recording });
      const created = await client.create({ publicKey: generateKeyPair().publicKey, minutes: 2 });
      expect(created.lease.state).toBe("active");
      expect(await stack.balanceOf(address)).toBe(100_000n - 2_000n);
      // The quote, the paid request that went unanswered, and the same payment once more.
      const paid = sent.filter((s) => s.paid);
      expect(paid).toHaveLength(2);
      expect(client.spend()).toMatchObject({ committed: 2_000n, settled: 2_000n });
    } finally {
      await facilitator.close();
    }
  }, 30_000);
});
