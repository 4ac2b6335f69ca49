// Shared set-up for the cross-package flows: a local chain, an in-process facilitator on loopback, and a
// paying fetch exactly as a third-party x402 client builds it.

import { writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fetchLease } from "@wg402/client";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { buildFacilitator, type Facilitator, loadFacilitatorConfig } from "@wg402/facilitator";
import { chains, type Lease, type TunnelConfig, WIREGUARD_PRIVATE_KEY_PLACEHOLDER } from "@wg402/shared";
import { runCommand, startWireguardGo, type WireguardGoProcess } from "@wg402/wireguard";
import { execIn } from "@wg402/wireguard/testing";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { pino } from "pino";
import { createPublicClient, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

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
  stop: () => Promise<void>;
};

/** The official @x402/fetch wrapper with the `exact` EVM scheme, allowed to pay in the local token. */
export function payingFetch(publicClient: PublicClient, privateKey: Hex, asset: Hex): typeof fetch {
  const client = new x402Client()
    .register("eip155:31337", new ExactEvmScheme(toClientEvmSigner(privateKeyToAccount(privateKey), publicClient)))
    .setSpendControls({ allowedAssets: [{ network: "eip155:31337", asset }] });
  return wrapFetchWithPayment(fetch, client);
}

export async function startPaidStack(dir: string): Promise<PaidStack> {
  const chain = await startLocalChain();
  const publicClient = createPublicClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const config = loadFacilitatorConfig({
    FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
    FACILITATOR_DB_PATH: join(dir, "facilitator.sqlite"),
  });
  const facilitator = buildFacilitator({
    config,
    signerKey: config.FACILITATOR_PRIVATE_KEY as Hex,
    logger: pino({ level: "silent" }),
    env: { WG402_RPC_URL_LOCAL: chain.rpcUrl },
  });
  const server: Server = facilitator.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const facilitatorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    chain,
    publicClient,
    facilitator,
    facilitatorUrl,
    agentEnv: {
      AGENT_PORT: "0",
      AGENT_PAY_TO: chain.stack.accounts.operator.address,
      AGENT_TOKEN_ADDRESS: chain.stack.token.address,
      AGENT_TOKEN_NAME: chain.stack.token.eip712.name,
      AGENT_TOKEN_VERSION: chain.stack.token.eip712.version,
      AGENT_FACILITATOR_URL: facilitatorUrl,
      AGENT_RPC_URL: chain.rpcUrl,
      LOG_LEVEL: "warn",
    },
    paidFetch: payingFetch(publicClient, chain.stack.accounts.demo.privateKey as Hex, chain.stack.token.address as Hex),
    leaseAsPayer: (agentUrl, leaseId) =>
      fetchLease(agentUrl, leaseId, {
        auth: { account: privateKeyToAccount(chain.stack.accounts.demo.privateKey as Hex), chainId: 31337 },
      }),
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await facilitator.close();
      await chain.stop();
    },
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
