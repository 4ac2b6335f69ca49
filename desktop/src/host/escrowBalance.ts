import {
  type ChannelOnChain,
  type Env,
  type KnownChannel,
  knownChannels,
  type PaymentChain,
  readChannelOnChain,
  withdrawable,
} from "@wg402/client";

/** The known channels that hold `payer`'s money in `chain`'s token: another wallet's, or chain's, are not its. */
export function channelsOf(
  channels: KnownChannel[],
  chain: { network: string; token: string },
  payer: string,
): KnownChannel[] {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return channels.filter(
    (c) => c.network === chain.network && same(c.config.payer, payer) && same(c.config.token, chain.token),
  );
}

/** What the escrow would pay back across channels: each one's balance above its claims, never below zero. */
export function escrowTotal(states: ChannelOnChain[]): bigint {
  return states.reduce((sum, state) => sum + withdrawable(state), 0n);
}

/**
 * The wallet's money in the escrow on `chain`, read from the chain for every channel this home has paid on:
 * the deposits the nodes have not claimed (a running session's charge included, until it is claimed).
 */
export async function readEscrow(
  env: Env,
  chain: PaymentChain,
  payer: string,
): Promise<{ total: bigint; channels: number }> {
  const mine = channelsOf(
    await knownChannels(env),
    { network: chain.chain.network, token: chain.token.address },
    payer,
  );
  const states = await Promise.all(mine.map((c) => readChannelOnChain(chain, c)));
  return { total: escrowTotal(states), channels: states.filter((s) => withdrawable(s) > 0n).length };
}
