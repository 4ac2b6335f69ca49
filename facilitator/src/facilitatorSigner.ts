import { AsyncLocalStorage } from "node:async_hooks";
import type { FacilitatorEvmSigner } from "@x402/evm";
import { type Abi, concat, encodeFunctionData, type Hex, type PublicClient } from "viem";
import type { TxSubmitter } from "./txSubmitter.ts";

const CODE_CACHE_MS = 2_000;

/**
 * Set around each settlement. `beforeSend` runs once the transfer has passed the SDK's checks and gas
 * estimation (which simulates it on-chain) and before it is signed and sent, so a record made there exists
 * whenever a transaction may exist, and never for a payment that would not go through. `sent` reports the
 * hash before the receipt wait.
 */
export type BroadcastListener = { beforeSend: () => void; sent: (hash: Hex) => void };
export const broadcastListener = new AsyncLocalStorage<BroadcastListener>();

export type CreateFacilitatorSignerParameters = {
  publicClient: PublicClient;
  submitter: TxSubmitter;
  confirmationTimeoutMs: number;
  pollingIntervalMs: number;
};

/**
 * The signer the x402 `exact` facilitator scheme drives: reads go to the public client, writes go through
 * the nonce-safe submitter, and every broadcast is announced to the settlement's {@link BroadcastListener}.
 */
export function createFacilitatorSigner({
  publicClient,
  submitter,
  confirmationTimeoutMs,
  pollingIntervalMs,
}: CreateFacilitatorSignerParameters): FacilitatorEvmSigner {
  // One verify asks for the payer's code twice (ERC-6492 classification, then signature check); a short-lived
  // shared answer halves those round trips. The on-chain transfer stays the authority.
  const codeCache = new Map<string, { at: number; code: Promise<Hex | undefined> }>();
  const getCode = (address: Hex) => {
    const now = Date.now();
    const hit = codeCache.get(address);
    if (hit && now - hit.at < CODE_CACHE_MS) return hit.code;
    if (codeCache.size > 10_000) codeCache.clear();
    const code = publicClient.getCode({ address });
    code.catch(() => codeCache.delete(address));
    codeCache.set(address, { at: now, code });
    return code;
  };
  const broadcast = async (to: Hex, data: Hex, gas?: bigint) => {
    const listener = broadcastListener.getStore();
    const hash = await submitter.submit({ to, data, gas }, listener?.beforeSend);
    listener?.sent(hash);
    return hash;
  };
  return {
    getAddresses: () => [submitter.address],
    readContract: (args) => publicClient.readContract(args as Parameters<PublicClient["readContract"]>[0]),
    verifyTypedData: (args) => publicClient.verifyTypedData(args as Parameters<PublicClient["verifyTypedData"]>[0]),
    writeContract: ({ address, abi, functionName, args, gas, dataSuffix }) => {
      const data = encodeFunctionData({ abi: abi as Abi, functionName, args });
      return broadcast(address, dataSuffix ? concat([data, dataSuffix]) : data, gas);
    },
    sendTransaction: ({ to, data }) => broadcast(to, data),
    waitForTransactionReceipt: async ({ hash, timeout }) =>
      publicClient.waitForTransactionReceipt({
        hash,
        timeout: timeout ?? confirmationTimeoutMs,
        pollingInterval: pollingIntervalMs,
      }),
    getCode: ({ address }) => getCode(address),
  };
}
