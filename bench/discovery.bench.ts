// Client-side node discovery (issue 16) at 1,000 registry entries on a local hardhat chain with the real
// NodeRegistry, served by a handful of real HTTP node servers on 127.0.0.1 (child processes, many nodes each
// under their own paths, each node signing its own challenge). Measures discovery from a cold index and from a
// warm one (an incremental refresh after a few registrations and updates, with the proofs the cold run cached:
// proven nodes are read without a challenge), probing capped by its deadline.
// Run: npm run bench:discovery (prints JSON)
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalChain } from "@wg402/contracts";
import type { RegistryDeployment, RegistryNodeInfo } from "@wg402/shared";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type DiscoveryResult, discoverNodes } from "../client/src/discovery/discoverNodes.ts";
import { readAllEntries, readEntries, touchedIds } from "../client/src/discovery/registryReads.ts";
import { registryWriter } from "../client/src/testing/registryWriter.ts";
import { type ServerProcess, startServerProcess } from "./lib/discoveryServers.ts";

const NODES = Number(process.env.BENCH_NODES ?? 1_000);
const SERVERS = 4;
const DEADLINE_MS = 1_500;
const NEW_NODES = 5;
const UPDATES = 5;

type Planned = { name: string; registered: Omit<RegistryNodeInfo, "url">; server: number };

const chain = await startLocalChain();
const servers: ServerProcess[] = [];
const cacheDir = await mkdtemp(join(tmpdir(), "wg402-discovery-bench-"));
try {
  const writer = registryWriter(chain.stack, chain.rpcUrl);
  const registry = chain.stack.registry as RegistryDeployment;
  const signers = Array.from({ length: SERVERS }, () => generatePrivateKey());
  const plan = (i: number): Planned => ({
    name: `node-${i}`,
    server: i % SERVERS,
    registered: {
      wireguardKey: randomBytes(32).toString("base64"),
      payTo: chain.stack.accounts.operator.address,
      signer: privateKeyToAccount(signers[i % SERVERS] as Hex).address,
      pricePerMinute: String(1_000 + (i % 50)),
      pricePerMb: i % 2 === 0 ? "0" : "20",
      schemes: ["exact"],
      country: ["DE", "FR", "NL", "US"][i % 4] as string,
      label: `bench ${i}`,
    },
  });
  const planned = Array.from({ length: NODES + NEW_NODES }, (_, i) => plan(i));
  // Every server knows its nodes up front, the later registrations included.
  for (let s = 0; s < SERVERS; s++) {
    servers.push(
      await startServerProcess(
        signers[s] as Hex,
        planned.filter((p) => p.server === s),
      ),
    );
  }
  const info = (p: Planned): RegistryNodeInfo => ({
    ...p.registered,
    url: `${servers[p.server]?.url}/n/${encodeURIComponent(p.name)}`,
  });

  await writer.fund(NODES + NEW_NODES);
  const registerStarted = performance.now();
  const initial = planned.slice(0, NODES);
  for (let i = 0; i < initial.length; i += 250) await writer.register(initial.slice(i, i + 250).map(info));
  const registerMs = performance.now() - registerStarted;

  const discover = () =>
    discoverNodes({ publicClient: writer.publicClient, registry, cacheDir, deadlineMs: DEADLINE_MS });
  const measure = async () => {
    const startedAt = Date.now();
    const started = performance.now();
    const result = await discover();
    return { result, totalMs: performance.now() - started, startedAt };
  };

  // The two ways to build an index cold, at the same block: views paged 200 at a time, or every log since the
  // deploy block and then every id they name (one multicall).
  const head = await writer.publicClient.getBlockNumber();
  const viaPagesStarted = performance.now();
  const paged = await readAllEntries(writer.publicClient, registry.address as Hex, head);
  const viaPagesMs = performance.now() - viaPagesStarted;
  const viaLogsStarted = performance.now();
  const ids = await touchedIds(writer.publicClient, registry.address as Hex, {
    fromBlock: BigInt(registry.deployBlock),
    toBlock: head,
  });
  const logged = await readEntries(writer.publicClient, registry.address as Hex, ids, head);
  const viaLogsMs = performance.now() - viaLogsStarted;
  if (paged.length !== [...logged.values()].filter(Boolean).length) throw new Error("the two cold reads disagree");

  const cold = await measure();
  await writer.register(planned.slice(NODES).map(info));
  // Updates change prices on chain only: the nodes keep answering the old price, so these come back untrusted.
  await writer.update(
    initial.slice(0, UPDATES).map((p) => ({ info: { ...info(p), pricePerMinute: "5000" }, version: 1 })),
  );
  const warm = await measure();
  const warmAgain = await measure();

  const report = (run: { result: DiscoveryResult; totalMs: number; startedAt: number }) => {
    const count = (trust: string) => run.result.nodes.filter((n) => n.trust === trust).length;
    return {
      fromCache: run.result.fromCache,
      indexedBlock: run.result.indexedBlock,
      indexMs: run.result.timings.indexMs,
      probeMs: run.result.timings.probeMs,
      checkMs: run.result.timings.checkMs,
      totalMs: Math.round(run.totalMs),
      listed: run.result.nodes.length,
      challenged: run.result.challenged,
      provenFromCache: run.result.nodes.filter(
        (n) => n.trust === "verified" && n.provenAt !== null && n.provenAt < run.startedAt,
      ).length,
      verified: count("verified"),
      untrusted: count("untrusted"),
      unreachable: count("unreachable"),
    };
  };
  console.log(
    JSON.stringify(
      {
        bench: "client node discovery (NodeRegistry index + probes + cross-check), local hardhat chain",
        nodes: NODES,
        servers: SERVERS,
        deadlineMs: DEADLINE_MS,
        registerMs: Math.round(registerMs),
        coldIndexRead: {
          viaPagesMs: Math.round(viaPagesMs),
          viaLogsMs: Math.round(viaLogsMs),
          blocksSinceDeploy: Number(head) - registry.deployBlock,
          note: "logs cost one eth_getLogs per 5,000 blocks since deploy: on a public chain that grows without bound",
        },
        cold: report(cold),
        warm: { ...report(warm), change: `${NEW_NODES} registrations and ${UPDATES} updates since the cold run` },
        warmNoChange: report(warmAgain),
        goal: { warmTotalMs: 2_000, met: warm.totalMs <= 2_000 },
        notes: {
          probeMs: "capped by the deadline; nodes not heard from by then are unreachable",
          checkMs:
            "after the deadline: the challenge checks still running (challenges are sent no faster than they are checked, so at most 16 are left)",
          challenged:
            "nodes sent a challenge (no valid cached proof); the others were read with a plain GET / and their fields checked",
          provenFromCache: "verified on a proof cached by an earlier discovery (PROOF_TTL_MS 10 min)",
          cpu: "the node servers sign every challenge on the same machine as the client, sharing its cores",
        },
      },
      null,
      2,
    ),
  );
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await chain.stop();
  await rm(cacheDir, { recursive: true, force: true });
}
