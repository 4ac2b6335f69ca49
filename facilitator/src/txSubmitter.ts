import { BaseError, type Chain, type Hex, type LocalAccount, NonceTooLowError, type PublicClient } from "viem";

const isNonceTooLow = (error: unknown) =>
  error instanceof NonceTooLowError ||
  (error instanceof BaseError && Boolean(error.walk((e) => e instanceof NonceTooLowError))) ||
  /nonce too low/i.test(String((error as Error)?.message));

export type TxRequest = { to: Hex; data: Hex; gas?: bigint };

export type TxSubmitterParameters = {
  publicClient: PublicClient;
  account: LocalAccount;
  chain: Chain;
};

/**
 * Broadcasts transactions for one signer on one chain without nonce collisions. Gas and fees are estimated
 * concurrently; only "take the next nonce, sign, send" runs one at a time. A failed send re-reads the nonce
 * from the chain, so one bad transaction never leaves a gap that stalls every later settlement.
 */
export class TxSubmitter {
  readonly address: Hex;
  private readonly publicClient: PublicClient;
  private readonly account: LocalAccount;
  private readonly chain: Chain;
  private nextNonce: number | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor({ publicClient, account, chain }: TxSubmitterParameters) {
    this.publicClient = publicClient;
    this.account = account;
    this.chain = chain;
    this.address = account.address;
  }

  /** `beforeSend` runs after estimation, before the transaction is signed; if it throws, nothing is sent. */
  async submit(request: TxRequest, beforeSend?: () => void): Promise<Hex> {
    // Estimation reverts for a transfer that would fail (used nonce, no balance): nothing is sent then.
    const [gas, fees] = await Promise.all([
      request.gas ??
        this.publicClient.estimateGas({ account: this.account.address, to: request.to, data: request.data }),
      this.publicClient.estimateFeesPerGas(),
    ]);
    beforeSend?.();
    return this.serialized(async () => {
      try {
        return await this.send(request, gas, fees);
      } catch (error) {
        // Another process may share this signer: re-read the nonce once, then give up loudly.
        if (!isNonceTooLow(error)) throw error;
        return this.send(request, gas, fees);
      }
    });
  }

  private async send(
    request: TxRequest,
    gas: bigint,
    fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<Hex> {
    this.nextNonce ??= await this.publicClient.getTransactionCount({
      address: this.account.address,
      blockTag: "pending",
    });
    const nonce = this.nextNonce;
    try {
      const serialized = await this.account.signTransaction({
        type: "eip1559",
        chainId: this.chain.id,
        nonce,
        to: request.to,
        data: request.data,
        // 20% headroom: estimation runs against the latest block, not the one the tx lands in.
        gas: (gas * 12n) / 10n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      const hash = await this.publicClient.sendRawTransaction({ serializedTransaction: serialized });
      this.nextNonce = nonce + 1;
      return hash;
    } catch (error) {
      this.nextNonce = undefined;
      throw error;
    }
  }

  /** Forget the cached nonce, e.g. after a dropped transaction. */
  resync(): void {
    this.nextNonce = undefined;
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
