import {
  choosePaymentKind,
  type Env,
  type FetchLike,
  fetchNodeInfo,
  isChannelKind,
  type NodeProbe,
  normalizeNodeUrl,
  probeNode,
} from "@wg402/client";
import { chainByNetwork, localStackPath, type PaymentKind, readLocalStack } from "@wg402/shared";
import type { NodeView } from "../api/views.ts";
import { amountView, perHour } from "./amountView.ts";
import type { SettingsStore } from "./settingsStore.ts";
import { toWireError } from "./toWireError.ts";

type Source = NodeView["source"];

const FRESH_MS = 15_000;

/**
 * The nodes a user can pick from: the local stack's agent, WG402_UI_NODES and the ones added in the app,
 * each probed for its info and latency. The latency (several timed requests) is kept for a few seconds;
 * the info, and so the free capacity, is read again on every list, so it is never stale.
 */
export class NodeDirectory {
  private readonly env: Env;
  private readonly configured: string[];
  private readonly settings: SettingsStore;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly cache = new Map<string, { at: number; view: NodeView; probe: NodeProbe | null }>();

  constructor(options: { env: Env; nodes: string[]; settings: SettingsStore; fetch?: FetchLike }) {
    this.env = options.env;
    this.configured = options.nodes;
    this.settings = options.settings;
    this.fetchImpl = options.fetch;
  }

  async sources(): Promise<{ url: string; source: Source }[]> {
    const found: { url: string; source: Source }[] = [];
    try {
      const agent = (await readLocalStack(localStackPath(this.env))).services.agent;
      if (agent) found.push({ url: agent, source: "stack" });
    } catch {
      // No local stack running: it simply adds no node.
    }
    for (const url of this.configured) found.push({ url, source: "env" });
    for (const url of this.settings.current.nodes) found.push({ url, source: "settings" });
    const seen = new Set<string>();
    const unique: { url: string; source: Source }[] = [];
    for (const entry of found) {
      let url: string;
      try {
        url = normalizeNodeUrl(entry.url);
      } catch {
        continue;
      }
      if (!seen.has(url)) {
        seen.add(url);
        unique.push({ url, source: entry.source });
      }
    }
    return unique;
  }

  async list(refresh = false): Promise<NodeView[]> {
    const sources = await this.sources();
    return Promise.all(sources.map(({ url, source }) => this.view(url, source, refresh)));
  }

  /** A node's info and latency, or the reason it cannot be used. */
  async view(url: string, source: Source, refresh = false): Promise<NodeView> {
    const cached = this.cache.get(url);
    const fresh = cached && !refresh && Date.now() - cached.at < FRESH_MS;
    // An unreachable node is not asked again at once: its timeout would hold up the whole list.
    if (fresh && !cached.probe) return { ...cached.view, source };
    if (fresh && cached.probe) {
      try {
        const info = await fetchNodeInfo(url, { fetch: this.fetchImpl });
        return nodeView(url, source, { ...cached.probe, info });
      } catch {
        // Gone since the last probe: probe again below, which says why.
      }
    }
    let view: NodeView;
    let probe: NodeProbe | null = null;
    try {
      probe = await probeNode(url, { fetch: this.fetchImpl });
      view = nodeView(url, source, probe);
    } catch (error) {
      view = { reachable: false, url, source, error: toWireError(error) };
    }
    this.cache.set(url, { at: Date.now(), view, probe });
    return view;
  }

  /** The first reachable node's network, for reading balances before a node is chosen. */
  async firstNetwork(): Promise<string | null> {
    for (const node of await this.list()) if (node.reachable) return node.network;
    return null;
  }

  /** Adds a node after checking it answers as a wg402 node; an unreachable URL is refused with the reason. */
  async add(urlText: string): Promise<NodeView[]> {
    const url = normalizeNodeUrl(urlText);
    await probeNode(url, { fetch: this.fetchImpl, samples: 1 });
    const nodes = this.settings.current.nodes;
    if (!nodes.includes(url)) await this.settings.update({ nodes: [...nodes, url] });
    return this.list();
  }

  async remove(urlText: string): Promise<NodeView[]> {
    const url = normalizeNodeUrl(urlText);
    await this.settings.update({ nodes: this.settings.current.nodes.filter((n) => n !== url) });
    this.cache.delete(url);
    return this.list();
  }
}

function nodeView(url: string, source: Source, probe: NodeProbe): NodeView {
  const { info, latencyMs, country } = probe;
  // The kind the core would pay with; a node offering neither still lists, and says why at Connect.
  const kind = payableKind(info);
  const token = { symbol: kind?.symbol ?? "", decimals: kind?.decimals ?? 0 };
  const price = BigInt(info.pricePerMinute);
  const network = kind?.network ?? "";
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
    data: info.data
      ? {
          pricePerMb: amountView(BigInt(info.data.pricePerMb), token),
          minMegabytes: info.data.minMegabytes,
          maxMegabytes: info.data.maxMegabytes,
          validityMinutes: info.data.validityMinutes,
        }
      : null,
  };
}

function payableKind(info: NodeProbe["info"]): PaymentKind | undefined {
  try {
    return choosePaymentKind(info);
  } catch {
    return info.accepts[0];
  }
}
