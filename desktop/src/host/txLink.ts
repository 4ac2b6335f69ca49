import { chainByNetwork, explorerTxLink } from "@wg402/shared";

/**
 * The explorer link for a transaction: the user's template for this network when set (a local chain has no
 * public explorer, but one can run a local one), else the chain registry's, else none.
 */
export function txLink(network: string, hash: string | null, templates: Record<string, string>): string | null {
  if (!hash) return null;
  const template = templates[network];
  if (template) return template.replaceAll("{hash}", hash);
  const chain = chainByNetwork(network);
  return (chain && explorerTxLink(chain, hash)) ?? null;
}
