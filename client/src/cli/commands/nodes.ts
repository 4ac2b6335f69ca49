import { join } from "node:path";
import { type Command, InvalidArgumentError, type OptionValues } from "@commander-js/extra-typings";
import { type ChainKey, ErrorCode, type RegistryEntry } from "@wg402/shared";
import { formatTokenAmount, type TokenInfo } from "../../chain/money.ts";
import { assertChainReachable, paymentChainByKey } from "../../chain/paymentChain.ts";
import { type DiscoveredNode, type DiscoveryResult, discoverNodes } from "../../discovery/discoverNodes.ts";
import type { IndexCacheKey } from "../../discovery/indexCache.ts";
import { latencyCutoff, pickBest } from "../../discovery/pickBest.ts";
import { proveAfresh } from "../../discovery/proveNode.ts";
import { resolveRegistry } from "../../discovery/registrySource.ts";
import { ClientError } from "../../errors.ts";
import type { CliContext } from "../context.ts";
import { parseNetwork } from "../options.ts";
import type { Output } from "../output.ts";
import type { CommandRunner } from "../program.ts";

export type DiscoveryFlags = {
  region?: string;
  registry?: string;
  network?: ChainKey;
  deadline?: number;
  latencySlack?: number;
};

export type CliDiscovery = {
  result: DiscoveryResult;
  token: TokenInfo;
  registry: string;
  chainId: number;
  /** Where the index and the proofs are kept, and under which key. */
  cache: { dir: string; key: IndexCacheKey };
};

export function parseRegion(value: string): string {
  if (!/^[A-Za-z]{2}$/.test(value)) throw new InvalidArgumentError("must be an ISO 3166 alpha-2 country code, e.g. DE");
  return value.toUpperCase();
}

export function parseDeadline(value: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(value)) throw new InvalidArgumentError("must be a whole number of milliseconds");
  return Number(value);
}

/** The options `wg402 nodes` and `wg402 connect --best` share. */
export function discoveryOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option("--region <cc>", "only nodes in this country (ISO 3166 alpha-2, e.g. DE)", parseRegion)
    .option("--registry <address>", "the NodeRegistry (default $WG402_REGISTRY, else the local stack's)")
    .option("--network <name>", "the registry's chain: local, base-sepolia or base (default local)", parseNetwork)
    .option("--deadline <ms>", "how long probing the nodes may take (default 1500)", parseDeadline)
    .option(
      "--latency-slack <ms>",
      "how much slower than the fastest a node may answer and still compete on price (default 20)",
      parseDeadline,
    );
}

/** Discovery on the CLI's chain and registry, indexed under $WG402_HOME/registry. */
export async function discoverForCli(ctx: CliContext, flags: DiscoveryFlags): Promise<CliDiscovery> {
  const chain = await paymentChainByKey(flags.network ?? "local", ctx.io.env);
  await assertChainReachable(chain);
  const registry = await resolveRegistry({
    ...(flags.registry === undefined ? {} : { flag: flags.registry }),
    env: ctx.io.env,
    ...(chain.stack ? { stack: chain.stack } : {}),
    publicClient: chain.publicClient,
  });
  const cacheDir = join(ctx.paths.home, "registry");
  const result = await discoverNodes({
    publicClient: chain.publicClient,
    registry,
    cacheDir,
    ...(ctx.io.fetch ? { fetch: ctx.io.fetch } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.deadline ? { deadlineMs: flags.deadline } : {}),
  });
  return {
    result,
    token: chain.token,
    registry: registry.address,
    chainId: chain.chain.id,
    cache: { dir: cacheDir, key: { chainId: result.chainId, registry: registry.address } },
  };
}

const slackOf = (flags: DiscoveryFlags) => (flags.latencySlack === undefined ? {} : { slackMs: flags.latencySlack });

const perHour = (entry: RegistryEntry) => BigInt(entry.pricePerMinute) * 60n;
// A GB is 1,000 MB of 10^6 bytes: the unit the node meters.
const perGb = (entry: RegistryEntry) => BigInt(entry.pricePerMb) * 1_000n;

/** One node as `--json` prints it (its full `GET /` answer stays out: it is the node's word, not the entry's). */
export function nodeJson(node: DiscoveredNode, token: TokenInfo) {
  const { entry } = node;
  return {
    id: entry.id,
    url: node.url,
    country: entry.country,
    label: entry.label,
    trust: node.trust,
    problems: node.problems,
    latencyMs: node.latencyMs,
    /** When the node last proved its key with a signed challenge (ms since the epoch), or null. */
    provenAt: node.provenAt,
    pricePerMinute: entry.pricePerMinute,
    pricePerMb: entry.pricePerMb,
    pricePerHour: formatTokenAmount(perHour(entry), token),
    pricePerGb: entry.pricePerMb === "0" ? null : formatTokenAmount(perGb(entry), token),
    schemes: entry.schemes,
    payTo: entry.payTo,
    signer: entry.signer,
    operator: entry.operator,
    stake: entry.stake,
    version: entry.version,
  };
}

const trustText = (node: DiscoveredNode) =>
  node.trust === "untrusted" ? `UNTRUSTED (${node.problems.join(", ")})` : node.trust;

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

function sortNodes(nodes: DiscoveredNode[], sort: "price" | "latency"): DiscoveredNode[] {
  const rank = { verified: 0, untrusted: 1, unreachable: 2 } as const;
  const latency = (n: DiscoveredNode) => n.latencyMs ?? Number.POSITIVE_INFINITY;
  const price = (a: DiscoveredNode, b: DiscoveredNode) => {
    const x = BigInt(a.entry.pricePerMinute);
    const y = BigInt(b.entry.pricePerMinute);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return [...nodes].sort(
    (a, b) =>
      rank[a.trust] - rank[b.trust] ||
      (sort === "price" ? price(a, b) || latency(a) - latency(b) : latency(a) - latency(b) || price(a, b)),
  );
}

export function registerNodesCommand(program: Command, runner: CommandRunner): void {
  runner
    .leaf(
      discoveryOptions(program.command("nodes")),
      "the nodes the NodeRegistry lists, probed and checked against their entries",
    )
    .option("--sort <key>", "price or latency (default latency); verified nodes always come first", (value) => {
      if (value !== "price" && value !== "latency") throw new InvalidArgumentError("must be price or latency");
      return value;
    })
    .action(
      runner.handler(async (ctx, out, options) => {
        const { result, token, registry, chainId } = await discoverForCli(ctx, options);
        const best = pickBest(result.nodes, slackOf(options));
        const nodes = sortNodes(result.nodes, options.sort ?? "latency");
        const counts = { verified: 0, untrusted: 0, unreachable: 0 };
        for (const node of nodes) counts[node.trust]++;
        const rows = nodes.map((node) => [
          node === best ? "*" : " ",
          `${node.entry.country} ${node.entry.label}`.trim(),
          formatTokenAmount(perHour(node.entry), token),
          node.entry.pricePerMb === "0" ? "time only" : formatTokenAmount(perGb(node.entry), token),
          node.latencyMs === null ? "-" : `${node.latencyMs} ms`,
          trustText(node),
          node.url,
        ]);
        const leaving = result.leaving.map(
          (entry) =>
            `  ${entry.country} ${entry.label}  ${entry.url}  (stake withdrawable from ${new Date(entry.unbondingEndsAt * 1000).toISOString()})`,
        );
        out.result(
          {
            registry,
            chainId,
            indexedBlock: result.indexedBlock,
            fromCache: result.fromCache,
            challenged: result.challenged,
            timings: result.timings,
            deadlineMs: result.deadlineMs,
            best: best?.entry.id ?? null,
            counts: { ...counts, leaving: result.leaving.length, understaked: result.understaked.length },
            nodes: nodes.map((node) => nodeJson(node, token)),
            leaving: result.leaving.map((entry) => ({
              id: entry.id,
              url: entry.url,
              country: entry.country,
              label: entry.label,
              unbondingEndsAt: entry.unbondingEndsAt,
            })),
          },
          [
            ...(nodes.length === 0
              ? [`no active node in the registry${options.region ? ` in ${options.region}` : ""}`]
              : table([["", "REGION", "PER HOUR", "PER GB", "LATENCY", "TRUST", "URL"], ...rows])),
            ...(leaving.length > 0 ? ["", "leaving (unbonding: never offered)", ...leaving] : []),
            ...(result.understaked.length > 0
              ? [`${result.understaked.length} more slashed below the minimum stake (not offered)`]
              : []),
            "",
            `${counts.verified} verified, ${counts.untrusted} untrusted, ${counts.unreachable} unreachable (no answer within ${result.deadlineMs} ms); * is what connect --best picks`,
            `registry ${registry} at block ${result.indexedBlock} (${result.fromCache ? "cached index, refreshed" : "index rebuilt"} in ${result.timings.indexMs} ms, probes ${result.timings.probeMs} ms)`,
          ],
        );
      }),
    );
}

/**
 * `connect --best`: discovery, then pickBest's node proven afresh (a new challenge, and its fresh answer checked
 * against its entry) and said on stderr (or as a `best` event with --json) with why. A node that fails the
 * fresh proof is dropped (a `best_rejected` event) and the next pick tried: a listing may rest on a cached
 * proof, a payment does not. No verified node is an error, since untrusted nodes are never paid automatically.
 */
export async function pickForConnect(ctx: CliContext, out: Output, flags: DiscoveryFlags): Promise<DiscoveredNode> {
  const { result, token, cache } = await discoverForCli(ctx, flags);
  const picking = { ...(flags.region ? { region: flags.region } : {}), ...slackOf(flags) };
  const where = flags.region ? ` in ${flags.region}` : "";
  let nodes = result.nodes;
  for (;;) {
    const best = pickBest(nodes, picking);
    if (!best?.info) {
      const untrusted = nodes.filter((n) => n.trust === "untrusted").length;
      const unreachable = nodes.filter((n) => n.trust === "unreachable").length;
      throw new ClientError(
        `no verified node${where} to connect to: the registry lists ${nodes.length} active (${untrusted} untrusted, ${unreachable} unreachable); see \`wg402 nodes\``,
        { code: ErrorCode.node_unreachable, details: { active: nodes.length, untrusted, unreachable } },
      );
    }
    const proof = await proveAfresh(best, { ...(ctx.io.fetch ? { fetch: ctx.io.fetch } : {}), cache });
    if (!proof.ok) {
      const failed: DiscoveredNode = {
        ...best,
        trust: proof.problems.length > 0 ? "untrusted" : "unreachable",
        problems: proof.problems,
        provenAt: null,
      };
      nodes = nodes.map((n) => (n === best ? failed : n));
      out.event("best_rejected", { node: nodeJson(failed, token), reason: proof.reason }, null);
      if (!out.json) ctx.io.stderr.write(`wg402: --best skips ${best.url}: ${proof.reason}\n`);
      continue;
    }
    const chosen: DiscoveredNode = { ...best, info: proof.info, provenAt: proof.provenAt };
    announce(ctx, out, { chosen, nodes, token, flags });
    return chosen;
  }
}

function announce(
  ctx: CliContext,
  out: Output,
  p: { chosen: DiscoveredNode; nodes: DiscoveredNode[]; token: TokenInfo; flags: DiscoveryFlags },
): void {
  const { chosen: best, token, flags } = p;
  const where = flags.region ? ` in ${flags.region}` : "";
  const verified = p.nodes.filter((n) => n.trust === "verified" && (!flags.region || n.entry.country === flags.region));
  const fastest = Math.min(...verified.map((n) => n.latencyMs ?? Number.POSITIVE_INFINITY));
  const cutoff = Math.round(latencyCutoff(fastest, flags.latencySlack) * 10) / 10;
  const candidates = verified.filter(
    (n) => (n.latencyMs ?? Number.POSITIVE_INFINITY) <= latencyCutoff(fastest, flags.latencySlack),
  );
  const group = candidates.length;
  const reason = `the cheapest of ${group} verified node${group === 1 ? "" : "s"}${where} answering within ${cutoff} ms (the fastest took ${fastest} ms)`;
  const described = `${best.entry.country} ${best.entry.label}`.trim();
  // The group price decided among, so a script can check the pick.
  const among = candidates.map((n) => ({ url: n.url, pricePerMinute: n.entry.pricePerMinute, latencyMs: n.latencyMs }));
  out.event("best", { node: nodeJson(best, token), reason, candidates: among }, null);
  if (!out.json) {
    ctx.io.stderr.write(
      `wg402: --best picked ${described} at ${best.url} (${formatTokenAmount(perHour(best.entry), token)} per hour, ${best.latencyMs} ms): ${reason}\n`,
    );
  }
}
