// Shared set-up for the cross-package flows: the agent's test kit (a local chain, an in-process facilitator
// on loopback, a paying fetch exactly as a third-party x402 client builds it), and a client tunnel end.

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startAgentHarness } from "@wg402/agent/testing";
import { fetchLease } from "@wg402/client";
import type { LocalChain } from "@wg402/contracts";
import type { Facilitator } from "@wg402/facilitator";
import { type Lease, type TunnelConfig, WIREGUARD_PRIVATE_KEY_PLACEHOLDER } from "@wg402/shared";
import { runCommand, startWireguardGo, type WireguardGoProcess } from "@wg402/wireguard";
import { execIn } from "@wg402/wireguard/testing";
import { type Hex, type PublicClient, parseAbiItem } from "viem";

const transferEvent = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

export type PaidStack = {
  chain: LocalChain;
  publicClient: PublicClient;
  facilitator: Facilitator;
  facilitatorUrl: string;
  /** Agent env for this chain, token and facilitator; add the WireGuard settings. */
  agentEnv: Record<string, string>;
  paidFetch: typeof fetch;
  /** `GET /lease/:id` in full, signed by the wallet `paidFetch` pays with. */
  leaseAsPayer: (agentUrl: string, leaseId: string) => Promise<Lease>;
  /** A fresh payer holding `amount` base units of the token. */
  fundedWallet: (amount: bigint) => Promise<{ privateKey: Hex; address: Hex }>;
  balanceOf: (address: Hex) => Promise<bigint>;
  /** Every token transfer `from` ever made, read from the chain's logs: what was really paid. */
  transfersFrom: (from: Hex) => Promise<{ to: Hex; value: bigint; txHash: Hex }[]>;
  stop: () => Promise<void>;
};

/** The agent's test kit's chain and in-process facilitator, with what agent processes and tests need of them. */
export async function startPaidStack(_dir?: string): Promise<PaidStack> {
  const h = await startAgentHarness();
  const chain = h.chain;
  return {
    chain,
    publicClient: h.publicClient,
    facilitator: h.facilitator,
    facilitatorUrl: h.facilitatorUrl,
    agentEnv: {
      AGENT_PORT: "0",
      AGENT_PAY_TO: chain.stack.accounts.operator.address,
      AGENT_TOKEN_ADDRESS: chain.stack.token.address,
      AGENT_TOKEN_NAME: chain.stack.token.eip712.name,
      AGENT_TOKEN_VERSION: chain.stack.token.eip712.version,
      AGENT_FACILITATOR_URL: h.facilitatorUrl,
      AGENT_RPC_URL: chain.rpcUrl,
      LOG_LEVEL: "warn",
    },
    paidFetch: h.payingFetch().fetch,
    leaseAsPayer: (agentUrl, leaseId) => fetchLease(agentUrl, leaseId, { auth: { account: h.demo(), chainId: 31337 } }),
    fundedWallet: h.fundedWallet,
    balanceOf: h.balanceOf,
    transfersFrom: async (from) => {
      const logs = await h.publicClient.getLogs({
        address: h.token(),
        event: transferEvent,
        args: { from },
        fromBlock: 0n,
      });
      return logs.map((log) => ({
        to: log.args.to as Hex,
        value: log.args.value as bigint,
        txHash: log.transactionHash,
      }));
    },
    stop: () => h.close(),
  };
}

/**
 * Brings a client's side of the tunnel up in `netns` from nothing but the lease's config text and the
 * client's own private key: wg-quick strips its own fields, `wg setconf` loads the rest into wireguard-go.
 */
export async function bringUpClient(options: {
  dir: string;
  netns: string;
  iface: string;
  tunnel: TunnelConfig;
  privateKey: string;
}): Promise<WireguardGoProcess> {
  const confPath = join(options.dir, `${options.iface}.conf`);
  const text = options.tunnel.configText.replace(WIREGUARD_PRIVATE_KEY_PLACEHOLDER, options.privateKey);
  await writeFile(confPath, text, { mode: 0o600 });
  const strippedPath = join(options.dir, `${options.iface}.wg.conf`);
  await writeFile(strippedPath, (await runCommand("wg-quick", ["strip", confPath])).stdout, { mode: 0o600 });
  const wg = await startWireguardGo({ name: options.iface, netns: options.netns, dieWithParent: true });
  try {
    await execIn(options.netns, "wg", ["setconf", options.iface, strippedPath]);
    await execIn(options.netns, "ip", ["addr", "add", `${options.tunnel.address}/32`, "dev", options.iface]);
    await execIn(options.netns, "ip", ["link", "set", options.iface, "up"]);
    for (const allowed of options.tunnel.allowedIps)
      await execIn(options.netns, "ip", ["route", "add", allowed, "dev", options.iface]);
  } catch (error) {
    await wg.stop();
    throw error;
  }
  return wg;
}

export const postJson = (f: typeof fetch, url: string, body: unknown) =>
  f(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
