import {
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseAbi,
  parseAbiItem,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";

// The ERC-3009 interface (not a wg402 contract): works for USDC and for the test token alike.
const authorizationStateAbi = parseAbi([
  "function authorizationState(address authorizer, bytes32 nonce) view returns (bool)",
]);
const authorizationUsedEvent = parseAbiItem(
  "event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)",
);
const transferEvent = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

export type AuthorizationRef = { asset: Hex; payer: Hex; nonce: Hex };

/** Whether the chain has spent (or cancelled) this authorization nonce. */
export function isAuthorizationUsed(client: PublicClient, ref: AuthorizationRef): Promise<boolean> {
  return client.readContract({
    address: ref.asset,
    abi: authorizationStateAbi,
    functionName: "authorizationState",
    args: [ref.payer, ref.nonce],
  });
}

/**
 * The receipt of the transaction that spent (or cancelled) this authorization, found by its `AuthorizationUsed`
 * log within the last `lookbackBlocks`: what the caller checks to know whether it was *this* payment.
 */
export async function findAuthorizationUse(
  client: PublicClient,
  ref: AuthorizationRef & { lookbackBlocks: bigint },
): Promise<TransactionReceipt | undefined> {
  const latest = await client.getBlockNumber();
  const logs = await client.getLogs({
    address: ref.asset,
    event: authorizationUsedEvent,
    args: { authorizer: ref.payer, nonce: ref.nonce },
    fromBlock: latest > ref.lookbackBlocks ? latest - ref.lookbackBlocks : 0n,
    toBlock: latest,
  });
  const txHash = logs[0]?.transactionHash;
  return txHash ? client.getTransactionReceipt({ hash: txHash }) : undefined;
}

/**
 * The transaction that spent this authorization, if it moved exactly this payment (payer → payTo, amount).
 * A different authorization signed with the same nonce, or a cancellation, is not this payment.
 */
export async function findAuthorizationTransfer(
  client: PublicClient,
  ref: AuthorizationRef & { payTo: Hex; amount: bigint; lookbackBlocks: bigint },
): Promise<Hex | undefined> {
  const receipt = await findAuthorizationUse(client, ref);
  if (!receipt) return undefined;
  const matches = parseEventLogs({ abi: [transferEvent], logs: receipt.logs, eventName: "Transfer" }).some(
    (log) =>
      isAddressEqual(log.address, ref.asset) &&
      isAddressEqual(log.args.from, ref.payer) &&
      isAddressEqual(log.args.to, ref.payTo) &&
      log.args.value === ref.amount,
  );
  return matches ? receipt.transactionHash : undefined;
}

/** USDC's EIP-3009 typed data, which x402 `exact` payers sign. */
export const transferWithAuthorizationTypes = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** ERC-3009's `receiveWithAuthorization` typed data (same fields): what a channel deposit's payer signs. */
export const receiveWithAuthorizationTypes = {
  ReceiveWithAuthorization: transferWithAuthorizationTypes.TransferWithAuthorization,
} as const;
