// Whether x402's batch-settlement escrow is really on a chain: the facilitator (which sends its transactions)
// and the agent (which sells by channel) both refuse to start without its code at every address the SDK calls.
import type { Hex, PublicClient } from "viem";
import { BaseError, ErrorCode } from "./baseError.ts";
import type { ChainInfo } from "./chains.ts";

/** The escrow's contracts the SDK calls on a chain: none may be missing where batch-settlement is offered. */
export function escrowContracts(chain: ChainInfo): { name: string; address: Hex }[] {
  return [
    { name: "x402BatchSettlement", address: chain.escrow.batchSettlement },
    { name: "ERC3009DepositCollector", address: chain.escrow.depositCollector },
    { name: "Multicall3", address: chain.escrow.multicall3 },
  ];
}

/**
 * Refuses (`invalid_config`, which a service's main turns into exit 2) when one of the escrow's contracts has
 * no code on `chain`; `remedy` says what the operator can change. An RPC that cannot answer is its own error.
 */
export async function assertEscrowDeployed(
  publicClient: Pick<PublicClient, "getCode">,
  chain: ChainInfo,
  remedy: string,
): Promise<void> {
  for (const { name, address } of escrowContracts(chain)) {
    let code: Hex | undefined;
    try {
      code = await publicClient.getCode({ address });
    } catch (cause) {
      throw new Error(`could not read the code at ${address} (${name}) on ${chain.network}: RPC unreachable`, {
        cause,
      });
    }
    if (!code || code === "0x") {
      throw new BaseError(`batch-settlement is enabled on ${chain.network} (${chain.name}), but there is no contract`, {
        code: ErrorCode.invalid_config,
        metaMessages: [`no code at ${address} (${name}) on ${chain.network}`, remedy],
        details: { network: chain.network, address, contract: name },
      });
    }
  }
}
