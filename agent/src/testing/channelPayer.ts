// Paying by escrow channel the way a third party does: the SDK's batch-settlement client through @x402/fetch.
import { leaseActionTypedData } from "@wg402/shared";
import { systemClock } from "@wg402/shared/runtime";
import { toClientEvmSigner } from "@x402/evm";
import { BatchSettlementEvmScheme as BatchClient } from "@x402/evm/batch-settlement/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import type { LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { AgentHarness } from "./agentHarness.ts";

/** A clock that stands still until the test moves it: the agent bills by it, so the seconds used are exact. */
export function steppedClock() {
  let now = Date.now();
  return { clock: { ...systemClock, now: () => now }, advance: (ms: number) => (now += ms) };
}

/** An agent that offers channels, signing claims with a key of its own, on a clock the test moves. */
export async function startChannelAgent(h: AgentHarness, options: Parameters<AgentHarness["startAgent"]>[0] = {}) {
  const time = steppedClock();
  const running = await h.startAgent({
    clock: time.clock,
    ...options,
    env: { AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey(), ...options.env },
  });
  return { running, now: time.clock.now, advance: time.advance };
}

/** A payer that speaks only the channel, funded with `funds` base units and no gas (a deposit needs none). */
export async function channelPayer(h: AgentHarness, funds = 10_000_000n) {
  const wallet = await h.fundedWallet(funds);
  const account = privateKeyToAccount(wallet.privateKey);
  const scheme = new BatchClient(toClientEvmSigner(account, h.publicClient), {
    depositPolicy: { depositMultiplier: 5 },
  });
  const client = new x402Client()
    .register("eip155:31337", scheme)
    .setSpendControls({ allowedAssets: [{ network: "eip155:31337", asset: h.token() }] });
  const sent: string[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const header = request.headers.get("payment-signature");
    if (header) sent.push(header);
    return fetch(request);
  };
  return { account, client, scheme, sent, fetch: wrapFetchWithPayment(recording, client) };
}

/** Closes a lease as its payer does, with a signature dated by the agent's clock. */
export async function closeLease(url: string, leaseId: string, account: LocalAccount, nowMs: number) {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = await account.signTypedData(
    leaseActionTypedData({ chainId: 31337, leaseId, action: "close", timestamp }),
  );
  return fetch(`${url}/lease/${leaseId}`, {
    method: "DELETE",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timestamp, signature }),
  });
}
