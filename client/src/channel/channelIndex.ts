// Which node each of the payer's channels is with, and the channel's config: the SDK's records hold only the
// amounts, while a refund needs the node and a withdrawal the config. One file per channel, written atomically.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Bytes32Hex, Caip2Network, EvmAddress } from "@wg402/shared";
import { z } from "zod";
import type { Env } from "../chain/paymentChain.ts";
import { writeSecretFile } from "../files/secretFile.ts";
import type { LeaseClient } from "../node/leaseClient.ts";
import { channelDirectory } from "./channelStorage.ts";
import { channelTerms } from "./channelTerms.ts";

export const KnownChannel = z.object({
  channelId: Bytes32Hex,
  nodeUrl: z.string(),
  network: Caip2Network,
  config: z.object({
    payer: EvmAddress,
    payerAuthorizer: EvmAddress,
    receiver: EvmAddress,
    receiverAuthorizer: EvmAddress,
    token: EvmAddress,
    withdrawDelay: z.number().int().nonnegative(),
    salt: Bytes32Hex,
  }),
});
export type KnownChannel = z.infer<typeof KnownChannel>;

const knownDir = (env: Env) => join(channelDirectory(env), "known");

export async function rememberChannel(env: Env, channel: KnownChannel): Promise<void> {
  const id = channel.channelId.toLowerCase();
  await writeSecretFile(join(knownDir(env), `${id}.json`), `${JSON.stringify(KnownChannel.parse(channel), null, 2)}\n`);
}

/** Every channel this home has paid on; a torn or foreign file is skipped, not fatal. */
export async function knownChannels(env: Env): Promise<KnownChannel[]> {
  const names = await readdir(knownDir(env)).catch(() => [] as string[]);
  const found: KnownChannel[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const parsed = KnownChannel.safeParse(
      await readFile(join(knownDir(env), name), "utf8")
        .then((text) => JSON.parse(text) as unknown)
        .catch(() => null),
    );
    if (parsed.success) found.push(parsed.data);
  }
  return found;
}

/** The channel named by a full id or a unique prefix of it. */
export async function findChannel(env: Env, id: string): Promise<KnownChannel[]> {
  const wanted = id.toLowerCase();
  return (await knownChannels(env)).filter((c) => c.channelId.toLowerCase().startsWith(wanted));
}

/** Notes a lease client's channel (its node and config) beside the SDK's record, for `wg402 channel`. */
export async function rememberClientChannel(client: LeaseClient, env: Env): Promise<void> {
  const terms = await channelTerms(client, client.node.minMinutes).catch(() => null);
  if (!terms) return;
  const { channelId, network, config } = terms;
  await rememberChannel(env, { channelId, nodeUrl: client.nodeUrl, network, config } as KnownChannel);
}
