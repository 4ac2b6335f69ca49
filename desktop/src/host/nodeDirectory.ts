import {
  ClientError,
  type Env,
  type FetchLike,
  fetchNodeInfo,
  type NodeProbe,
  normalizeNodeUrl,
  probeNode,
  proveAfresh,
} from "@wg402/client";
import { ErrorCode, localStackPath, readLocalStack } from "@wg402/shared";
import type { NodeView } from "../api/views.ts";
import { coreDiscover, type Discover, type DiscoveredNode } from "./discovery.ts";
import { customNodeView, registryNodeView, unreachableCustomView } from "./nodeView.ts";
import { RegistryListing, type RegistryNodes } from "./registryListing.ts";
import type { RegistryChoice } from "./registryTarget.ts";
import type { SettingsStore } from "./settingsStore.ts";
import { toWireError } from "./toWireError.ts";

type Source = Exclude<NodeView["source"], "registry">;

const FRESH_MS = 15_000;
// A discovery this recent has just read every node: reading each again for its capacity would only wait.
const JUST_DISCOVERED_MS = 2_000;

/** Where registry nodes come from; without it only the custom nodes are listed. */
export type RegistryOptions = {
  choice: RegistryChoice;
  cacheDir: string;
  discover?: Discover;
  /** How old a discovery must be before a list reads its nodes' capacity again; tests pass 0. */
  justDiscoveredMs?: number;
};

/**
 * The nodes a user can pick from: the registry's (discovered and checked against their entries), then the
 * custom ones: the local stack's agent, WG402_UI_NODES and the ones added in the app, each probed for its
 * info and latency. A URL that is both shows once, as registered, since only then is it checked. The
 * latency (several timed requests) and the discovery are kept for a few seconds; the info, and so the free
 * capacity, is read again on every list, so it is never stale.
 */
export class NodeDirectory {
  private readonly env: Env;
  private readonly configured: string[];
  private readonly settings: SettingsStore;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly cache = new Map<string, { at: number; view: NodeView; probe: NodeProbe | null }>();
  private readonly registry: RegistryListing | null;
  private readonly justDiscoveredMs: number;
  private readonly proofDir: string | null;

  constructor(options: {
    env: Env;
    nodes: string[];
    settings: SettingsStore;
    fetch?: FetchLike;
    registry?: RegistryOptions;
  }) {
    this.env = options.env;
    this.configured = options.nodes;
    this.settings = options.settings;
    this.fetchImpl = options.fetch;
    const registry = options.registry;
    this.justDiscoveredMs = registry?.justDiscoveredMs ?? JUST_DISCOVERED_MS;
    this.proofDir = registry?.cacheDir ?? null;
    this.registry = registry
      ? new RegistryListing({
          env: options.env,
          choice: registry.choice,
          cacheDir: registry.cacheDir,
          discover: registry.discover ?? coreDiscover,
          fetch: options.fetch,
          freshMs: FRESH_MS,
        })
      : null;
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
    const [registry, sources] = await Promise.all([this.registry?.nodes(refresh) ?? null, this.sources()]);
    const registered = registry?.nodes ?? [];
    const urls = new Set(registered.map((node) => node.url));
    return Promise.all([
      ...(registry ? registered.map((node) => this.registryView(node, registry)) : []),
      ...sources.filter(({ url }) => !urls.has(url)).map(({ url, source }) => this.view(url, source, refresh)),
    ]);
  }

  /**
   * Refuses a node the registry lists as untrusted: its answer contradicts what its operator staked on, so
   * it is never paid, whatever asks (the UI greys it out; this holds for any other caller of the API). A node
   * listed as verified may rest on a proof minutes old (discovery caches them), so it proves itself afresh
   * here: a new challenge signed by its entry's signer, and the fresh answer checked against its entry.
   */
  async assertPayable(urlText: string): Promise<void> {
    if (!this.registry) return;
    const url = normalizeNodeUrl(urlText);
    if (!this.registry.discovered) await this.registry.nodes();
    const node = this.registry.known(url);
    if (node?.trust === "verified") {
      const proof = await proveAfresh(node, {
        ...(this.fetchImpl ? { fetch: this.fetchImpl } : {}),
        ...(this.proofDir ? { cache: { dir: this.proofDir } } : {}),
      });
      if (proof.ok) return;
      if (proof.problems.length === 0) {
        throw new ClientError(`${url} is listed in the node registry but ${proof.reason}: it is not paid`, {
          code: ErrorCode.node_unreachable,
        });
      }
      this.registry.distrust(url, proof.problems);
      throw new ClientError(
        `${url} is listed in the node registry but does not match its entry (${proof.problems.join(", ")}): it is not paid`,
        { code: ErrorCode.node_untrusted, details: { problems: proof.problems } },
      );
    }
    if (node?.trust !== "untrusted") return;
    throw new ClientError(
      `${url} is listed in the node registry but does not match its entry (${node.problems.join(", ") || "unknown"}): it is not paid`,
      { code: ErrorCode.node_untrusted, details: { problems: node.problems } },
    );
  }

  /** A registry node's view, its capacity read again unless its discovery is from just now. */
  private async registryView(node: DiscoveredNode, registry: RegistryNodes): Promise<NodeView> {
    const { stakeToken } = registry;
    if (!node.info || node.latencyMs === null || Date.now() - registry.at < this.justDiscoveredMs) {
      return registryNodeView(node, stakeToken);
    }
    let info: NodeProbe["info"];
    try {
      info = await fetchNodeInfo(node.url, { fetch: this.fetchImpl });
    } catch (error) {
      return registryNodeView(node, stakeToken, { error: toWireError(error) });
    }
    // A node that changed its key since the discovery is no longer the one that was checked.
    if (info.publicKey !== node.entry.wireguardKey) {
      const problems = [...new Set([...node.problems, "key_mismatch"])];
      this.registry?.distrust(node.url, problems);
      return registryNodeView({ ...node, trust: "untrusted", problems }, stakeToken);
    }
    return registryNodeView(node, stakeToken, { info });
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
        return customNodeView(url, source, { ...cached.probe, info });
      } catch {
        // Gone since the last probe: probe again below, which says why.
      }
    }
    let view: NodeView;
    let probe: NodeProbe | null = null;
    try {
      probe = await probeNode(url, { fetch: this.fetchImpl });
      view = customNodeView(url, source, probe);
    } catch (error) {
      view = unreachableCustomView(url, source, toWireError(error));
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
