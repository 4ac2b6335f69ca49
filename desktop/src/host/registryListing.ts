import { type Env, type FetchLike, normalizeNodeUrl } from "@wg402/client";
import type { TokenUnits } from "./amountView.ts";
import type { Discover, DiscoveredNode } from "./discovery.ts";
import { type RegistryChoice, registryTarget } from "./registryTarget.ts";

/** `at`: when the nodes were discovered (ms since the epoch). */
export type RegistryNodes = { nodes: DiscoveredNode[]; stakeToken: TokenUnits; at: number };

const trustRank = { verified: 0, untrusted: 1, unreachable: 2 } as const;

/**
 * The registry's nodes, discovered (index, probes, cross-check) at most once per `freshMs` unless refreshed:
 * a discovery probes every entry, too much for each list. Lists asked while one runs wait for it. A failed
 * discovery (RPC down) keeps the last nodes found, and is not retried before `freshMs` either, so a chain
 * that does not answer never holds up every list by its timeout.
 */
export class RegistryListing {
  private readonly o: {
    env: Env;
    choice: RegistryChoice;
    cacheDir: string;
    discover: Discover;
    fetch?: FetchLike | undefined;
    freshMs: number;
  };
  private last: { at: number; address: string; result: RegistryNodes } | null = null;
  private running: Promise<RegistryNodes | null> | null = null;

  constructor(options: RegistryListing["o"]) {
    this.o = options;
  }

  async nodes(refresh = false): Promise<RegistryNodes | null> {
    if (this.running) return this.running;
    const last = this.last;
    if (!refresh && last && Date.now() - last.at < this.o.freshMs) return last.result;
    this.running = this.discover().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Whether a discovery has ended since the app started (or since the registry went away). */
  get discovered(): boolean {
    return this.last !== null;
  }

  /** The last discovery's node at `url`, without discovering again. */
  known(url: string): DiscoveredNode | undefined {
    return this.last?.result.nodes.find((node) => node.url === url);
  }

  /** A node found untrusted since its discovery (a later answer contradicted its entry) stays so until the next. */
  distrust(url: string, problems: string[]): void {
    const nodes = this.last?.result.nodes;
    if (!nodes) return;
    const i = nodes.findIndex((node) => node.url === url);
    const node = nodes[i];
    if (node) nodes[i] = { ...node, trust: "untrusted", problems };
  }

  private async discover(): Promise<RegistryNodes | null> {
    const target = await registryTarget(this.o.env, this.o.choice).catch((error: unknown) => {
      console.warn(`wg402-desktop: the registry's chain is not usable: ${String(error)}`);
      return null;
    });
    if (!target) {
      this.last = null;
      return null;
    }
    const kept = this.last?.address === target.address ? this.last.result : null;
    let result: RegistryNodes;
    try {
      const found = await this.o.discover({
        publicClient: target.publicClient,
        registry: { address: target.address },
        cacheDir: this.o.cacheDir,
        ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      });
      result = { nodes: oneByUrl(found.nodes), stakeToken: target.stakeToken, at: Date.now() };
    } catch (error) {
      console.warn(`wg402-desktop: registry discovery failed: ${error instanceof Error ? error.message : error}`);
      result = kept ?? { nodes: [], stakeToken: target.stakeToken, at: Date.now() };
    }
    this.last = { at: Date.now(), address: target.address, result };
    return result;
  }
}

/**
 * One node per URL, with URLs in the client's normal form: two entries naming one URL (a copycat staking on
 * another's node) show as the one that checks out best; an entry whose URL is not usable keeps it as is.
 */
function oneByUrl(nodes: DiscoveredNode[]): DiscoveredNode[] {
  const byUrl = new Map<string, DiscoveredNode>();
  for (const node of nodes) {
    let url = node.url;
    try {
      url = normalizeNodeUrl(node.url);
    } catch {
      // Untrusted already (invalid_url): listed under the URL it registered.
    }
    const held = byUrl.get(url);
    if (!held || trustRank[node.trust] < trustRank[held.trust]) byUrl.set(url, { ...node, url });
  }
  return [...byUrl.values()];
}
