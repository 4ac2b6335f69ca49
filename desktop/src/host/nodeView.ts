// A node as the list shows it: the node's own answer (prices, capacity, how it is paid) and, for a node from
// the registry, what its operator staked on and whether the node's answer matches it.
import { choosePaymentKind, countryName, isChannelKind, type NodeProbe } from "@wg402/client";
import { chainByNetwork, ErrorCode, type PaymentKind, type RegistryEntry, type WireError } from "@wg402/shared";
import type { NodeView, ReachableNodeView, RegistryListingView, UnreachableNodeView } from "../api/views.ts";
import { amountView, perHour, type TokenUnits } from "./amountView.ts";
import type { DiscoveredNode } from "./discovery.ts";

type Source = NodeView["source"];
type TrustFields = Pick<NodeView, "trust" | "problems" | "registry">;

/** The client's MB is 10^6 bytes, so a GB is 1,000 of them. */
const MB_PER_GB = 1_000n;

const custom: TrustFields = { trust: "custom", problems: [], registry: null };

/** A node added by hand (or the local stack's, or WG402_UI_NODES): nothing on-chain to check it against. */
export function customNodeView(url: string, source: Source, probe: NodeProbe): NodeView {
  return nodeView(url, source, probe, custom);
}

export function unreachableCustomView(url: string, source: Source, error: UnreachableNodeView["error"]): NodeView {
  return { reachable: false, url, source, error, ...custom };
}

/**
 * A registry node. `info` is the node's latest answer (its capacity changes by the minute); the prices and
 * keys shown stay those the discovery checked against the entry, so the badge and the figures agree.
 */
export function registryNodeView(
  node: DiscoveredNode,
  stakeToken: TokenUnits,
  latest?: { info: NodeProbe["info"] } | { error: WireError },
): NodeView {
  const trust: TrustFields = {
    trust: node.trust,
    problems: node.problems,
    registry: listingView(node.entry, stakeToken),
  };
  if (!node.info || node.latencyMs === null || (latest && "error" in latest)) {
    const error =
      latest && "error" in latest
        ? latest.error
        : node.problems.includes("invalid_url")
          ? {
              error: ErrorCode.invalid_url,
              message: `the registered URL ${node.entry.url} is not a usable http(s) URL`,
            }
          : { error: ErrorCode.node_unreachable, message: `the node registered at ${node.url} did not answer in time` };
    if (latest && "error" in latest && trust.trust !== "untrusted") trust.trust = "unreachable";
    return { reachable: false, url: node.url, source: "registry", error, ...trust };
  }
  const info = latest ? { ...node.info, capacity: latest.info.capacity } : node.info;
  const country = node.entry.country;
  return {
    ...nodeView(node.url, "registry", { info, latencyMs: node.latencyMs, country: countryName(country) }, trust),
    // What the operator staked on, rather than what the node says of itself.
    region: country,
  };
}

function listingView(entry: RegistryEntry, stakeToken: TokenUnits): RegistryListingView {
  return {
    id: entry.id,
    operator: entry.operator,
    stake: amountView(BigInt(entry.stake), stakeToken),
    status: entry.status,
    countryCode: entry.country,
    country: countryName(entry.country),
    label: entry.label,
  };
}

function nodeView(url: string, source: Source, probe: NodeProbe, trust: TrustFields): ReachableNodeView {
  const { info, latencyMs, country } = probe;
  // The kind the core would pay with; a node offering neither still lists, and says why at Connect.
  const kind = payableKind(info);
  const token = { symbol: kind?.symbol ?? "", decimals: kind?.decimals ?? 0 };
  const price = BigInt(info.pricePerMinute);
  const network = kind?.network ?? "";
  const perMb = info.data ? BigInt(info.data.pricePerMb) : null;
  return {
    reachable: true,
    url,
    source,
    name: info.name,
    region: info.region,
    version: info.version,
    network,
    chainName: chainByNetwork(network)?.name ?? network,
    pricePerMinute: amountView(price, token),
    pricePerHour: amountView(perHour(price, info.secondsPerMinute), token),
    secondsPerMinute: info.secondsPerMinute,
    minMinutes: info.minMinutes,
    maxMinutes: info.maxMinutes,
    capacity: info.capacity,
    latencyMs,
    country,
    scheme: kind && isChannelKind(kind) ? "batch-settlement" : "exact",
    data:
      info.data && perMb !== null
        ? {
            pricePerMb: amountView(perMb, token),
            minMegabytes: info.data.minMegabytes,
            maxMegabytes: info.data.maxMegabytes,
            validityMinutes: info.data.validityMinutes,
          }
        : null,
    pricePerGb: perMb !== null ? amountView(perMb * MB_PER_GB, token) : null,
    ...trust,
  };
}

function payableKind(info: NodeProbe["info"]): PaymentKind | undefined {
  try {
    return choosePaymentKind(info);
  } catch {
    return info.accepts[0];
  }
}
