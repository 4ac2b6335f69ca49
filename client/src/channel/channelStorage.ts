import { join } from "node:path";
import type { ClientChannelStorage } from "@x402/evm/batch-settlement/client";
import { FileClientChannelStorage } from "@x402/evm/batch-settlement/client/file-storage";
import type { Env } from "../chain/paymentChain.ts";
import { wg402Home } from "../files/home.ts";

/** Where channel records live: beside the wallet, one JSON file per channel. */
export function channelDirectory(env: Env): string {
  return join(wg402Home(env), "channels");
}

/**
 * The SDK's file storage under WG402_HOME. It writes each record to a temporary file and renames it over the
 * old one, so a `kill -9` leaves the previous or the new record, never a torn one. The record holds what the
 * node has charged (the base of the next voucher) and the deposit; when it is missing the SDK rebuilds it
 * from the chain and the node's corrective 402, so a lost record costs a round trip, never a second deposit.
 */
export function channelStorage(env: Env): ClientChannelStorage {
  return new FileClientChannelStorage({ directory: channelDirectory(env) });
}
