// Signed offers and receipts (x402 `offer-receipt`, EIP-712) on a real chain and the real facilitator: every
// 402 of a paid route carries offers signed by the node's advertised key, every paid answer a receipt, and a
// close a usage receipt whose signature breaks when any figure in it is changed.
import { randomBytes } from "node:crypto";
import {
  leaseActionTypedData,
  type NodeChallengeAnswer,
  NodeInfo,
  UsageReceipt,
  verifyNodeChallenge,
  verifyUsageReceipt,
} from "@wg402/shared";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import {
  decodeSignedOffers,
  type EIP712SignedOffer,
  type EIP712SignedReceipt,
  extractOffersFromPaymentRequired,
  extractReceiptFromResponse,
  verifyOfferSignatureEIP712,
  verifyReceiptSignatureEIP712,
} from "@x402/extensions/offer-receipt";
import {
  type AgentHarness,
  postJson,
  type RunningAgent,
  randomWgKey,
  read,
  startAgentHarness,
} from "../testing/agentHarness.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

async function offersOf(response: Response) {
  expect(response.status).toBe(402);
  const required = decodePaymentRequiredHeader(response.headers.get("payment-required") ?? "");
  return { required, offers: extractOffersFromPaymentRequired(required) };
}

async function close(running: RunningAgent, leaseId: string) {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = await h
    .demo()
    .signTypedData(leaseActionTypedData({ chainId: 31337, leaseId, action: "close", timestamp }));
  return fetch(`${running.url}/lease/${leaseId}`, {
    method: "DELETE",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timestamp, signature }),
  });
}

describe("a node that signs", () => {
  let running: RunningAgent;
  let info: NodeInfo;
  beforeAll(async () => {
    running = await h.startAgent({
      env: { AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: `0x${"11".repeat(32)}` },
    });
    info = await read(NodeInfo, fetch(`${running.url}/`));
  });

  it("advertises its signer, which is not its payTo, and its meter interval", () => {
    expect(info.offerSigner).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(info.offerSigner?.toLowerCase()).not.toBe(info.accepts[0]?.payTo.toLowerCase());
    expect(info.meterIntervalSeconds).toBe(10);
  });

  it("answers a challenge with its key over the challenge, its WireGuard key and its endpoint", async () => {
    const challenge = `0x${randomBytes(32).toString("hex")}` as const;
    const answered = await read(NodeInfo, fetch(`${running.url}/?challenge=${challenge}`));
    const claim = { challenge, wireguardKey: info.publicKey, endpoint: info.endpoint };
    expect(answered.challenge?.challenge).toBe(challenge);
    expect(
      await verifyNodeChallenge(claim, answered.challenge as NodeChallengeAnswer, info.offerSigner as string),
    ).toBe(true);
    // An answer is for its own challenge only: replayed against another it fails.
    const other = { ...claim, challenge: `0x${"00".repeat(32)}` as const };
    expect(
      await verifyNodeChallenge(other, answered.challenge as NodeChallengeAnswer, info.offerSigner as string),
    ).toBe(false);
    for (const junk of ["0x1234", "abc", `0x${"zz".repeat(32)}`]) {
      const refused = await fetch(`${running.url}/?challenge=${junk}`);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe("invalid_request");
    }
  });

  it("signs every accepted offer of a 402 for POST /lease and for a renewal, with the very terms it asks", async () => {
    const created = await h.buyLease(running, 2);
    const answers = [
      await postJson(fetch, `${running.url}/lease`, { publicKey: randomWgKey(), minutes: 3 }),
      await postJson(fetch, `${running.url}/lease/${created.body.lease.id}/renew`, { minutes: 2 }),
    ];
    for (const answer of answers) {
      const { required, offers } = await offersOf(answer);
      expect(offers).toHaveLength(required.accepts.length);
      expect(required.accepts.map((a) => a.scheme)).toEqual(["batch-settlement", "exact"]);
      for (const [i, decoded] of decodeSignedOffers(offers).entries()) {
        const accept = required.accepts[i];
        expect(decoded).toMatchObject({
          format: "eip712",
          scheme: accept?.scheme,
          amount: accept?.amount,
          payTo: accept?.payTo,
        });
        const { signer } = await verifyOfferSignatureEIP712(decoded.signedOffer as EIP712SignedOffer);
        expect(signer).toBe(info.offerSigner);
      }
    }
  });

  it("puts a receipt signed by the same key, naming the payer and the tx, on the paid answer", async () => {
    const { response } = await h.buyLease(running, 1);
    expect(response.status).toBe(201);
    const receipt = extractReceiptFromResponse(response) as EIP712SignedReceipt;
    expect(receipt.format).toBe("eip712");
    const { signer, payload } = await verifyReceiptSignatureEIP712(receipt);
    expect(signer).toBe(info.offerSigner);
    expect(payload.payer.toLowerCase()).toBe(h.demo().address.toLowerCase());
    expect(payload.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    // A receipt with another payer written in no longer verifies as the node's.
    const forged = { ...receipt, payload: { ...payload, payer: info.accepts[0]?.payTo ?? "" } };
    expect((await verifyReceiptSignatureEIP712(forged)).signer).not.toBe(info.offerSigner);
  });

  it("closes a lease with a usage receipt it signed over the node, the bytes and the payments", async () => {
    const { body, publicKey } = await h.buyLease(running, 2);
    running.driver.addTraffic(publicKey, 12_345, 67_890);
    await running.agent.leases.peers.pollMeter();
    const response = await close(running, body.lease.id);
    expect(response.status).toBe(200);
    const receipt = UsageReceipt.parse(await response.json());
    expect(receipt).toMatchObject({ bytesUp: 12_345, bytesDown: 67_890, node: info.publicKey });
    expect(receipt.proof).toMatchObject({ format: "eip712", chainId: 31337, signer: info.offerSigner });
    expect(await verifyUsageReceipt(receipt, info.offerSigner)).toEqual({ valid: true, signer: info.offerSigner });
    expect(await verifyUsageReceipt({ ...receipt, bytesDown: 1 }, info.offerSigner)).toMatchObject({ valid: false });
  });
});

describe("a node that signs nothing", () => {
  it("advertises no signer, sends no offers and no receipt, and closes with an unsigned usage receipt", async () => {
    const running = await h.startAgent({ signingKey: null });
    const info = await read(NodeInfo, fetch(`${running.url}/`));
    expect(info.offerSigner).toBeUndefined();
    const unanswered = await fetch(`${running.url}/?challenge=0x${"ab".repeat(32)}`);
    expect(unanswered.status).toBe(404);
    const { offers } = await offersOf(
      await postJson(fetch, `${running.url}/lease`, { publicKey: randomWgKey(), minutes: 1 }),
    );
    expect(offers).toEqual([]);
    const { response, body } = await h.buyLease(running, 1);
    expect(extractReceiptFromResponse(response)).toBeUndefined();
    const receipt = UsageReceipt.parse(await (await close(running, body.lease.id)).json());
    expect(receipt.proof).toBeUndefined();
  });
});
