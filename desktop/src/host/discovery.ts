// The client core's registry discovery as the host calls it: the same function, typed down to what the host
// passes and reads, so unit tests can hand the host a discovery of their own.
import { type DiscoveredNode, type DiscoverNodesOptions, type DiscoveryResult, discoverNodes } from "@wg402/client";

export type { DiscoveredNode };

export type DiscoverOptions = Pick<DiscoverNodesOptions, "publicClient" | "registry" | "cacheDir" | "fetch">;

export type Discover = (
  options: DiscoverOptions,
) => Promise<Pick<DiscoveryResult, "nodes" | "indexedBlock" | "fromCache">>;

export const coreDiscover: Discover = discoverNodes;
