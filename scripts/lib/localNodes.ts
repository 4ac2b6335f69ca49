// The local stack's three VPN nodes: three regions and price lists, each agent in a network namespace of its
// own (when the machine allows it) and registered in the local NodeRegistry, so discovery has something real to
// find. The first keeps the names, ports and prices `npm start` always had.

import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import type { LocalStack } from "@wg402/shared";
import { generateKeyPair } from "@wg402/wireguard";
import { createNodeNamespace, type NodeNamespace } from "./nodeNamespace.ts";

export type LocalNodeSpec = {
  /** The service's name in the stack file and in what `npm start` prints. */
  service: string;
  portVariable: string;
  port: number;
  country: string;
  label: string;
  /** Base units (the token has 6 decimals): 1,000 is 0.001 tUSD. */
  pricePerMinute: string;
  /** Absent: the node sells time only. */
  pricePerMb?: string;
};

export const localNodeSpecs: LocalNodeSpec[] = [
  {
    service: "agent",
    portVariable: "WG402_AGENT_PORT",
    port: 4021,
    country: "DE",
    label: "Frankfurt",
    pricePerMinute: "1000",
    pricePerMb: process.env.AGENT_PRICE_PER_MB ?? "1000",
  },
  {
    service: "agent-nl",
    portVariable: "WG402_AGENT_NL_PORT",
    port: 4022,
    country: "NL",
    label: "Amsterdam",
    pricePerMinute: "800",
    pricePerMb: "2000",
  },
  {
    service: "agent-us",
    portVariable: "WG402_AGENT_US_PORT",
    port: 4023,
    country: "US",
    label: "New York",
    pricePerMinute: "1500",
  },
];

export type LocalNode = {
  spec: LocalNodeSpec;
  agent: AgentProcess;
  namespace: NodeNamespace | { unavailable: string };
};

export type StartLocalNodeParameters = {
  spec: LocalNodeSpec;
  index: number;
  stack: LocalStack;
  stateDir: string;
  port: string;
  facilitatorUrl: string;
  rpcUrl: string;
  /** Called with each thing to stop, in start order. */
  onStarted: (name: string, stop: () => Promise<void>) => void;
};

/** How long a node may take to land its registry entry before `npm start` gives up on it. */
const REGISTRATION_TIMEOUT_MS = 30_000;

export async function startLocalNode(p: StartLocalNodeParameters): Promise<LocalNode> {
  const { spec, stack, stateDir } = p;
  const file = (name: string) => join(stateDir, p.index === 0 ? name : name.replace(/^agent/, spec.service));
  // A real WireGuard interface in a namespace of its own when this machine allows it; otherwise the fake
  // driver, with the reason said plainly.
  const namespace = await createNodeNamespace(p.index);
  const wireguardEnv: Record<string, string> =
    "unavailable" in namespace
      ? // A key that stays the node's across restarts is what keeps it one registry entry.
        { AGENT_WG_MODE: "fake", AGENT_WG_PUBLIC_KEY: generateKeyPair().publicKey }
      : {
          AGENT_WG_MODE: "auto",
          AGENT_WG_NETNS: namespace.netns,
          AGENT_WG_INTERFACE: `wg402n${process.pid}${p.index || ""}`.slice(0, 15),
          AGENT_WG_ENDPOINT_HOST: namespace.endpointHost,
          AGENT_WG_SUBNET: namespace.tunnelSubnet,
          // Split tunnel: the node's namespace has no route to the internet, so only its subnet goes through.
          AGENT_WG_ALLOWED_IPS: namespace.tunnelSubnet,
          AGENT_WG_DNS: "",
          AGENT_WG_PRIVATE_KEY_FILE: file("agent-wg.key"),
        };
  if (!("unavailable" in namespace)) p.onStarted(`${spec.service} namespace`, namespace.remove);
  const registrant = stack.accounts.registrant;
  const agent = await startAgentProcess(
    {
      AGENT_PORT: p.port,
      AGENT_NAME: `wg402 ${spec.label}`,
      AGENT_REGION: spec.label,
      AGENT_DB_PATH: file("agent.sqlite"),
      AGENT_SIGNING_KEY_FILE: file("agent-signing.key"),
      ...wireguardEnv,
      AGENT_PAY_TO: stack.accounts.operator.address,
      AGENT_TOKEN_ADDRESS: stack.token.address,
      AGENT_TOKEN_NAME: stack.token.eip712.name,
      AGENT_TOKEN_VERSION: stack.token.eip712.version,
      AGENT_TOKEN_SYMBOL: stack.token.symbol,
      AGENT_TOKEN_DECIMALS: String(stack.token.decimals),
      AGENT_FACILITATOR_URL: p.facilitatorUrl,
      AGENT_RPC_URL: p.rpcUrl,
      AGENT_PRICE_PER_MINUTE: spec.pricePerMinute,
      ...(spec.pricePerMb ? { AGENT_PRICE_PER_MB: spec.pricePerMb } : {}),
      ...(stack.registry && registrant
        ? {
            AGENT_REGISTRY: "on",
            AGENT_REGISTRY_ADDRESS: stack.registry.address,
            AGENT_COUNTRY: spec.country,
            AGENT_OPERATOR_PRIVATE_KEY: registrant.privateKey,
          }
        : {}),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    { onOutput: (text) => console.error(`[${spec.service}] ${text}`) },
  );
  p.onStarted(spec.service, agent.stop);
  return { spec, agent, namespace };
}

/**
 * Waits until the node's `GET /` says its registry entry is active. The nodes register one after another:
 * they share the registrant's key, and transactions sent from one key at once would race for its nonce.
 */
export async function waitForRegistration(node: LocalNode): Promise<void> {
  const deadline = Date.now() + REGISTRATION_TIMEOUT_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const info = (await (await fetch(node.agent.url)).json()) as { registry?: { status: string; message?: string } };
      if (info.registry?.status === "active") return;
      last = info.registry
        ? `${info.registry.status}${info.registry.message ? `: ${info.registry.message}` : ""}`
        : "no registry";
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${node.spec.service} did not register in ${REGISTRATION_TIMEOUT_MS / 1000} s (${last})`);
}
