// Paying by escrow channel the way a third party does: the SDK's batch-settlement client through @x402/fetch.
import { leaseActionTypedData } from "@wg402/shared";
import { systemClock } from "@wg402/shared/runtime";
import { toClientEvmSigner } from "@x402/evm";
import { BatchSettlementEvmScheme as BatchClient } from "@x402/evm/batch-settlement/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import type { LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AgentHarness, PRICE } from "./agentHarness.ts";

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

/**
 * The env of a real agent process (startAgentProcess) that sells by channel on the harness's chain, on a fake
 * WireGuard driver and 2 s minutes, signing with `authorizerKey`; `extra` overrides any of it.
 */
export function channelAgentProcessEnv(
  h: AgentHarness,
  p: { dbPath: string; authorizerKey: `0x${string}`; extra?: Record<string, string> },
): Record<string, string> {
  return {
    AGENT_PAY_TO: h.chain.stack.accounts.operator.address,
    AGENT_TOKEN_ADDRESS: h.chain.stack.token.address,
    AGENT_TOKEN_NAME: h.chain.stack.token.eip712.name,
    AGENT_TOKEN_VERSION: h.chain.stack.token.eip712.version,
    AGENT_FACILITATOR_URL: h.facilitatorUrl,
    AGENT_RPC_URL: h.chain.rpcUrl,
    AGENT_PRICE_PER_MINUTE: PRICE.toString(),
    AGENT_SECONDS_PER_MINUTE: "2",
    AGENT_DB_PATH: p.dbPath,
    AGENT_PORT: "0",
    AGENT_WG_MODE: "fake",
    AGENT_WG_PUBLIC_KEY: h.randomKey(),
    AGENT_WG_SUBNET: "10.78.0.0/24",
    AGENT_CHANNEL: "on",
    AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: p.authorizerKey,
    LOG_LEVEL: "warn",
    ...p.extra,
  };
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
