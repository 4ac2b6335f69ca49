// Each way a node's answer can disagree with its registry entry, against a real EIP-712 signature by a real key.
import { randomBytes } from "node:crypto";
import { type NodeInfo, type RegistryEntry, signNodeChallenge } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { nodeInfoFixture } from "../testing/nodeInfoFixture.ts";
import { crossCheck, crossCheckProven } from "./crossCheck.ts";

const signer = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());
const challenge = `0x${randomBytes(32).toString("hex")}` as const;
const payTo = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const honest = nodeInfoFixture({ offerSigner: signer.address });

const entry: RegistryEntry = {
  wireguardKey: honest.publicKey,
  payTo: payTo.toLowerCase(),
  signer: signer.address,
  pricePerMinute: honest.pricePerMinute,
  pricePerMb: "0",
  schemes: ["exact"],
  country: "DE",
  url: "http://127.0.0.1:4021",
  label: "Frankfurt 1",
  id: `0x${"11".repeat(32)}`,
  operator: payTo,
  stake: "10000000",
  unbondingEndsAt: 0,
  version: 1,
  status: "active",
};

/** The node's answer to `challenge`, signed by `by` over what it claims. */
async function answer(info: NodeInfo, by = signer, asked: `0x${string}` = challenge): Promise<NodeInfo> {
  const claim = { challenge: asked, wireguardKey: info.publicKey, endpoint: info.endpoint };
  return { ...info, challenge: await signNodeChallenge(claim, by) };
}

const problemsOf = async (info: NodeInfo, over: Partial<RegistryEntry> = {}) =>
  (await crossCheck({ ...entry, ...over }, info, challenge)).problems;

const data = {
  pricePerMb: "20",
  minMegabytes: 1,
  maxMegabytes: 100,
  blockBytes: 1_000_000,
  validityMinutes: 60,
  meterMinIntervalMs: 1_000,
};

describe("crossCheck", () => {
  it("verifies a node whose answer matches its entry (payTo compared as an address, not a string)", async () => {
    expect(await crossCheck(entry, await answer(honest), challenge)).toEqual({ trust: "verified", problems: [] });
    const dataNode = { ...honest, data };
    expect(await problemsOf(await answer(dataNode), { pricePerMb: "20" })).toEqual([]);
  });

  it("flags another WireGuard key, even one the node signs for", async () => {
    const liar = { ...honest, publicKey: randomBytes(32).toString("base64") };
    // Signed over the node's own claim: the registered key was never signed, so the challenge fails too.
    expect(await problemsOf(await answer(liar))).toEqual(["key_mismatch", "challenge_invalid"]);
  });

  it("flags prices that differ, and data sold or not against the entry's per-MB price", async () => {
    expect(await problemsOf(await answer({ ...honest, pricePerMinute: "999" }))).toEqual(["price_mismatch"]);
    expect(await problemsOf(await answer({ ...honest, data }))).toEqual(["data_price_mismatch"]);
    expect(await problemsOf(await answer(honest), { pricePerMb: "20" })).toEqual(["data_price_mismatch"]);
    expect(await problemsOf(await answer({ ...honest, data }), { pricePerMb: "21" })).toEqual(["data_price_mismatch"]);
  });

  it("flags any offer that pays someone else", async () => {
    const [kind] = honest.accepts;
    const accepts = [kind, { ...kind, scheme: "exact", payTo: stranger.address }] as NodeInfo["accepts"];
    expect(await problemsOf(await answer({ ...honest, accepts }))).toEqual(["pay_to_mismatch"]);
  });

  it("flags schemes offered that are not the ones registered, either way", async () => {
    const [kind] = honest.accepts as [NodeInfo["accepts"][number]];
    const both = [kind, { ...kind, scheme: "batch-settlement" }];
    expect(await problemsOf(await answer({ ...honest, accepts: both }))).toEqual(["scheme_mismatch"]);
    expect(await problemsOf(await answer(honest), { schemes: ["exact", "batch-settlement"] })).toEqual([
      "scheme_mismatch",
    ]);
    expect(
      await problemsOf(await answer({ ...honest, accepts: both }), { schemes: ["exact", "batch-settlement"] }),
    ).toEqual([]);
  });

  it("flags another offerSigner, and a challenge signed by a key that is not the entry's", async () => {
    const otherSigner = { ...honest, offerSigner: stranger.address };
    expect(await problemsOf(await answer(otherSigner, stranger))).toEqual(["signer_mismatch", "challenge_invalid"]);
    expect(await problemsOf(await answer(honest, stranger))).toEqual(["challenge_invalid"]);
  });

  it("flags an answer to another challenge (a replay) and no answer at all", async () => {
    const replayed = await answer(honest, signer, `0x${randomBytes(32).toString("hex")}`);
    expect(await problemsOf(replayed)).toEqual(["challenge_invalid"]);
    expect(await problemsOf(honest)).toEqual(["challenge_invalid"]);
  });

  it("flags a node that signs nothing as unsigned", async () => {
    const { offerSigner: _none, ...unsigned } = honest;
    expect(await crossCheck(entry, unsigned, challenge)).toEqual({ trust: "untrusted", problems: ["unsigned"] });
  });

  it("checks every field but the signature for a node proven earlier: a changed answer is still caught", () => {
    expect(crossCheckProven(entry, honest)).toEqual({ trust: "verified", problems: [] });
    expect(crossCheckProven(entry, { ...honest, pricePerMinute: "1" }).problems).toEqual(["price_mismatch"]);
    expect(crossCheckProven(entry, { ...honest, publicKey: randomBytes(32).toString("base64") }).problems).toEqual([
      "key_mismatch",
    ]);
    expect(crossCheckProven(entry, { ...honest, offerSigner: stranger.address }).problems).toEqual(["signer_mismatch"]);
    const { offerSigner: _none, ...unsigned } = honest;
    expect(crossCheckProven(entry, unsigned).problems).toEqual(["unsigned"]);
  });
});
