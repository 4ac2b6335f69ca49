// A node's identity check against answers built here (the real agent's answer is checked by the CLI tests).
import { signNodeChallenge } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { nodeInfoFixture } from "../testing/nodeInfoFixture.ts";
import { checkNodeIdentity } from "./nodeIdentity.ts";

const node = privateKeyToAccount(generatePrivateKey());
const impostor = privateKeyToAccount(generatePrivateKey());
const expect_ = { publicKey: "kPpDc0rVRnUmNXpA2j1yYF8mJ5jG4h3eFwWlq1o3nHI=", endpoint: "203.0.113.7:51820" };

/** A node at `url` whose `GET /?challenge=` is answered by `signer` over `claimed` (its key and endpoint). */
function answering(signer: typeof node, claimed = expect_): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const challenge = new URL(String(input)).searchParams.get("challenge") as `0x${string}`;
    const info = {
      ...claimed,
      challenge: await signNodeChallenge(
        { challenge, wireguardKey: claimed.publicKey, endpoint: claimed.endpoint },
        signer,
      ),
    };
    return new Response(JSON.stringify(nodeInfoFixture(info)), { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

describe("checking a node's identity", () => {
  const url = "http://node.test:4021";
  it("verifies a challenge signed by the expected key, over the expected key and endpoint", async () => {
    const identity = await checkNodeIdentity(url, {
      expect: { ...expect_, signer: node.address },
      fetch: answering(node),
    });
    expect(identity).toEqual({ verdict: "verified", signer: node.address });
  });

  it("flags an impostor's signature, an answer for another endpoint, and a node that signs nothing", async () => {
    const wrongKey = await checkNodeIdentity(url, {
      expect: { ...expect_, signer: node.address },
      fetch: answering(impostor),
    });
    expect(wrongKey.verdict).toBe("mismatch");
    const elsewhere = answering(node, { ...expect_, endpoint: "198.51.100.9:51820" });
    expect(
      (await checkNodeIdentity(url, { expect: { ...expect_, signer: node.address }, fetch: elsewhere })).verdict,
    ).toBe("mismatch");
    expect(await checkNodeIdentity(url, { expect: { ...expect_, signer: undefined }, fetch: answering(node) })).toEqual(
      { verdict: "unsigned" },
    );
  });
});
