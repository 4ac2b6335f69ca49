// Test-only: real HTTP "nodes" on 127.0.0.1 for discovery tests and the benchmark. One server answers many
// nodes, each under its own path (`/n/<name>`), with a NodeInfo and, for `?challenge=`, the node signer's
// EIP-712 answer. A node may lie (`claims`), to be caught by the cross-check.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type NodeInfo, type RegistryNodeInfo, signNodeChallenge } from "@wg402/shared";
import type { Hex, LocalAccount } from "viem";
import { nodeInfoFixture } from "../testing/nodeInfoFixture.ts";

export type TestNode = {
  name: string;
  /** What the node is registered as (url is filled in by `urlOf`). */
  registered: Omit<RegistryNodeInfo, "url">;
  signer: LocalAccount;
  /** What the node says instead of the truth, e.g. another WireGuard key. */
  claims?: Partial<NodeInfo>;
  /** Milliseconds before each answer. */
  delayMs?: number;
};

export type TestNodeServer = {
  url: string;
  urlOf: (name: string) => string;
  /** Adds a node, or replaces the one of that name (to change what it answers). */
  add: (node: TestNode) => void;
  requests: () => number;
  /** Challenges answered by the node named `name`. */
  challenges: (name: string) => number;
  close: () => Promise<void>;
};

/** The info an honest node with `registered` terms answers (merged with its `claims`). */
export function infoFor(node: TestNode): NodeInfo {
  const r = node.registered;
  const kind = nodeInfoFixture().accepts[0] as NodeInfo["accepts"][number];
  return nodeInfoFixture({
    name: node.name,
    region: r.country,
    publicKey: r.wireguardKey,
    pricePerMinute: r.pricePerMinute,
    accepts: r.schemes.map((scheme) => ({ ...kind, scheme, payTo: r.payTo })),
    offerSigner: node.signer.address,
    ...(r.pricePerMb === "0"
      ? {}
      : {
          data: {
            pricePerMb: r.pricePerMb,
            minMegabytes: 1,
            maxMegabytes: 10_000,
            blockBytes: 1_000_000,
            validityMinutes: 60,
            meterMinIntervalMs: 1_000,
          },
        }),
    ...node.claims,
  });
}

export async function startTestNodeServer(): Promise<TestNodeServer> {
  const nodes = new Map<string, { node: TestNode; info: NodeInfo; body: string }>();
  let count = 0;
  const challenged = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    count++;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const name = /^\/n\/([^/]+)\/?$/.exec(url.pathname)?.[1];
    const found = name ? nodes.get(decodeURIComponent(name)) : undefined;
    if (!found) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found","message":"no node"}');
      return;
    }
    const answer = async () => {
      const challenge = url.searchParams.get("challenge");
      if (!challenge) return found.body;
      challenged.set(found.node.name, (challenged.get(found.node.name) ?? 0) + 1);
      const signed = await signNodeChallenge(
        { challenge: challenge as Hex, wireguardKey: found.info.publicKey, endpoint: found.info.endpoint },
        found.node.signer,
      );
      return JSON.stringify({ ...found.info, challenge: signed });
    };
    const send = () =>
      void answer().then(
        (body) => res.writeHead(200, { "content-type": "application/json" }).end(body),
        () => res.writeHead(500).end(),
      );
    if (found.node.delayMs) setTimeout(send, found.node.delayMs).unref();
    else send();
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlOf: (name) => `${url}/n/${encodeURIComponent(name)}`,
    add: (node) => {
      const info = infoFor(node);
      nodes.set(node.name, { node, info, body: JSON.stringify(info) });
    },
    requests: () => count,
    challenges: (name) => challenged.get(name) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
