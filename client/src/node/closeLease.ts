import { leaseActionTypedData, UsageReceipt } from "@wg402/shared";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import type { LocalAccount } from "viem";
import { type FetchLike, failure, nodeFetch, readJson } from "./nodeApi.ts";

/**
 * `DELETE /lease/:id` signed by the payer: the EIP-712 `LeaseAction(leaseId, "close", timestamp)` the node
 * checks within ±120 s. Returns the node's usage receipt.
 */
export async function closeLease(p: {
  nodeUrl: string;
  leaseId: string;
  account: LocalAccount;
  chainId: number;
  fetch?: FetchLike;
  timeoutMs?: number;
  clock?: Pick<Clock, "now">;
}): Promise<UsageReceipt> {
  const timestamp = Math.floor((p.clock ?? systemClock).now() / 1000);
  const signature = await p.account.signTypedData(
    leaseActionTypedData({ chainId: p.chainId, leaseId: p.leaseId, action: "close", timestamp }),
  );
  const response = await nodeFetch(
    `${p.nodeUrl}/lease/${encodeURIComponent(p.leaseId)}`,
    {
      method: "DELETE",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ timestamp, signature }),
    },
    { fetch: p.fetch, timeoutMs: p.timeoutMs },
  );
  if (!response.ok) throw await failure(response, `closing lease ${p.leaseId}`);
  return readJson(response, UsageReceipt, `closing lease ${p.leaseId}`);
}
