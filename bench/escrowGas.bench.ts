// Gas of wg402's batch-settlement escrow, operation by operation, beside the audited contract's published snapshot
// (x402-foundation/x402, contracts/evm/snapshots/X402BatchSettlementGasTest.json), which is the bar to meet.
//
// Two measurements per operation:
// - perTransaction: each operation sent as its own transaction to a local `hardhat node` carrying the contracts at
//   their canonical addresses, with the project's real EIP-3009 token (X402TestUSD: signature recovery and nonce
//   storage in every deposit) and everything cold, as on a real chain. `gasUsed` is the receipt's, after refunds;
//   `execution = gasUsed - 21,000 (intrinsic) - calldata`, calldata costing 4 gas per zero byte and 16 per
//   non-zero byte of the transaction's input (EIP-2028). `floorBinds` says whether the EIP-7623 calldata floor
//   (21,000 + 10 per token, a token per zero byte and 4 per non-zero byte) set gasUsed instead (never, here).
// - sameConditions: the snapshot's own method (contracts/test/solidity/X402BatchSettlement.gas.t.sol through
//   Hardhat's Solidity test runner): set-up and measured call in one transaction (what the set-up touched is warm),
//   `snapshotGasLastCall` (gas of the call's own frame, before refunds), a token that checks no ERC-3009 signature
//   for the deposit row and a pull collector elsewhere, as in the published test.
// Run: npm run bench:escrow (prints JSON)
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalChain } from "@wg402/contracts";
import { canonicalEscrowAddresses, chains, receiveWithAuthorizationTypes, x402BatchSettlementAbi } from "@wg402/shared";
import { BATCH_SETTLEMENT_DOMAIN, claimBatchTypes, refundTypes, voucherTypes } from "@x402/evm";
import { computeChannelId } from "@x402/evm/batch-settlement/client";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  hexToBytes,
  http,
  keccak256,
  toHex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const PUBLISHED: Record<string, number> = {
  deposit_erc3009_first: 111_738,
  claim_1_voucher: 40_252,
  claim_10_channels: 192_043,
  settle_receiver_token: 31_204,
  refund_full_receiverAuth: 43_859,
  refund_with_signature_relay: 53_670,
};
const DEPOSIT = 10_000_000n; // 10 tUSD
const CLAIM = 1_000_000n;
const NETWORK = "eip155:31337";

const contractsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "contracts");
const chain = await startLocalChain();
try {
  const { stack, rpcUrl } = chain;
  const transport = http(rpcUrl);
  const viemChain = chains.local.viem;
  const publicClient = createPublicClient({ chain: viemChain, transport, pollingInterval: 50 });
  const walletFor = (privateKey: Hex) =>
    createWalletClient({ chain: viemChain, transport, account: privateKeyToAccount(privateKey) });
  const relayer = walletFor(stack.accounts.deployer.privateKey as Hex);
  const authorizer = walletFor(stack.accounts.facilitator.privateKey as Hex);
  const payer = privateKeyToAccount(stack.accounts.demo.privateKey as Hex);
  const payerAuthorizer = privateKeyToAccount(generatePrivateKey());
  const escrow = (stack.escrow ?? canonicalEscrowAddresses) as typeof canonicalEscrowAddresses;
  const token = stack.token.address as Address;
  const escrowDomain = { ...BATCH_SETTLEMENT_DOMAIN, chainId: 31337, verifyingContract: escrow.batchSettlement };

  let counter = 0;
  const fresh = (label: string) => keccak256(toHex(`${label}-${counter++}-${Date.now()}`));
  const freshReceiver = () => `0x${fresh("receiver").slice(26)}` as Address;
  const config = (receiver: Address) => ({
    payer: payer.address,
    payerAuthorizer: payerAuthorizer.address,
    receiver,
    receiverAuthorizer: authorizer.account.address,
    token,
    withdrawDelay: 900,
    salt: fresh("salt"),
  });
  type Config = ReturnType<typeof config>;
  const channelId = (c: Config) => computeChannelId(c, NETWORK) as Hex;

  async function send(hash: Promise<Hex>) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
    return receipt;
  }

  async function measure(hash: Promise<Hex>) {
    const receipt = await send(hash);
    const { input } = await publicClient.getTransaction({ hash: receipt.transactionHash });
    const bytes = hexToBytes(input);
    const zero = bytes.filter((b) => b === 0).length;
    const nonZero = bytes.length - zero;
    const calldataGas = 4 * zero + 16 * nonZero;
    const floor = 21_000 + 10 * (zero + 4 * nonZero);
    const gasUsed = Number(receipt.gasUsed);
    return {
      gasUsed,
      calldataBytes: bytes.length,
      calldataGas,
      execution: gasUsed - 21_000 - calldataGas,
      floorBinds: gasUsed <= floor,
    };
  }

  async function depositTx(c: Config, amount = DEPOSIT) {
    const salt = BigInt(fresh("deposit"));
    const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3_600);
    const signature = await payer.signTypedData({
      domain: {
        name: stack.token.eip712.name,
        version: stack.token.eip712.version,
        chainId: 31337,
        verifyingContract: token,
      },
      types: receiveWithAuthorizationTypes,
      primaryType: "ReceiveWithAuthorization",
      message: {
        from: payer.address,
        to: escrow.depositCollector,
        value: amount,
        validAfter: 0n,
        validBefore,
        nonce: keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [channelId(c), salt])),
      },
    });
    const collectorData = encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes" }],
      [0n, validBefore, salt, signature],
    );
    return relayer.writeContract({
      address: escrow.batchSettlement,
      abi: x402BatchSettlementAbi,
      functionName: "deposit",
      args: [c, amount, escrow.depositCollector, collectorData],
    });
  }

  async function row(c: Config, maxClaimableAmount = CLAIM) {
    const signature = await payerAuthorizer.signTypedData({
      domain: escrowDomain,
      types: voucherTypes,
      primaryType: "Voucher",
      message: { channelId: channelId(c), maxClaimableAmount },
    });
    return { voucher: { channel: c, maxClaimableAmount }, signature, totalClaimed: maxClaimableAmount };
  }

  const claimTx = async (rows: Awaited<ReturnType<typeof row>>[]) =>
    authorizer.writeContract({
      address: escrow.batchSettlement,
      abi: x402BatchSettlementAbi,
      functionName: "claim",
      args: [rows],
    });

  const perTransaction: Record<string, Awaited<ReturnType<typeof measure>>> = {};

  // The published scenarios, each on a fresh channel and a fresh receiver (its first claim, its first payment).
  perTransaction.deposit_erc3009_first = await measure(depositTx(config(freshReceiver())));

  const one = config(freshReceiver());
  await send(depositTx(one));
  perTransaction.claim_1_voucher = await measure(claimTx([await row(one)]));

  const tenReceiver = freshReceiver();
  const ten = Array.from({ length: 10 }, () => config(tenReceiver));
  for (const c of ten) await send(depositTx(c));
  perTransaction.claim_10_channels = await measure(claimTx(await Promise.all(ten.map((c) => row(c)))));

  const settled = config(freshReceiver());
  await send(depositTx(settled));
  await send(claimTx([await row(settled)]));
  const settleTx = () =>
    relayer.writeContract({
      address: escrow.batchSettlement,
      abi: x402BatchSettlementAbi,
      functionName: "settle",
      args: [settled.receiver, token],
    });
  perTransaction.settle_receiver_token = await measure(settleTx());

  const refunded = config(freshReceiver());
  await send(depositTx(refunded));
  perTransaction.refund_full_receiverAuth = await measure(
    authorizer.writeContract({
      address: escrow.batchSettlement,
      abi: x402BatchSettlementAbi,
      functionName: "refund",
      args: [refunded, DEPOSIT],
    }),
  );

  const relayedRefund = config(freshReceiver());
  await send(depositTx(relayedRefund));
  const refundSignature = await authorizer.account.signTypedData({
    domain: escrowDomain,
    types: refundTypes,
    primaryType: "Refund",
    message: { channelId: channelId(relayedRefund), nonce: 0n, amount: DEPOSIT },
  });
  perTransaction.refund_with_signature_relay = await measure(
    relayer.writeContract({
      address: escrow.batchSettlement,
      abi: x402BatchSettlementAbi,
      functionName: "refundWithSignature",
      args: [relayedRefund, DEPOSIT, 0n, refundSignature],
    }),
  );

  // Steady state, which the snapshot does not cover: what a running node pays most of the time.
  perTransaction.deposit_erc3009_topup = await measure(depositTx(one));
  perTransaction.claim_1_voucher_steady = await measure(claimTx([await row(one, 2n * CLAIM)]));
  const tenRows = await Promise.all(ten.map((c) => row(c, 2n * CLAIM)));
  perTransaction.claim_10_channels_steady_relayed = await measure(
    relayer.writeContract({
      address: escrow.batchSettlement,
      abi: x402BatchSettlementAbi,
      functionName: "claimWithSignature",
      args: [
        tenRows,
        await authorizer.account.signTypedData({
          domain: escrowDomain,
          types: claimBatchTypes,
          primaryType: "ClaimBatch",
          message: {
            claims: tenRows.map((r) => ({
              channelId: channelId(r.voucher.channel),
              maxClaimableAmount: r.voucher.maxClaimableAmount,
              totalClaimed: r.totalClaimed,
            })),
          },
        }),
      ],
    }),
  );
  await send(claimTx([await row(settled, 2n * CLAIM)]));
  perTransaction.settle_receiver_token_steady = await measure(settleTx());

  const sameConditions = await snapshotMethod();

  const operations = Object.entries(perTransaction).map(([name, tx]) => {
    const published = PUBLISHED[name];
    const same = sameConditions[name];
    const entry: Record<string, unknown> = {
      name,
      published: published ?? null,
      perTransaction: tx,
      sameConditions: same ?? null,
    };
    if (published !== undefined) {
      entry.sameConditionsVsPublished = same === undefined ? null : same - published;
      entry.perTransactionVsPublished = tx.execution - published;
      if (tx.execution > published) entry.whyHigher = whyHigher(name, tx.execution, same, published);
    }
    return entry;
  });
  for (const name of ["deposit_erc20_pull_first", "deposit_erc3009_first_real_token", "baseline_erc20_transfer"]) {
    if (sameConditions[name] !== undefined)
      operations.push({ name, published: null, perTransaction: null, sameConditions: sameConditions[name] });
  }
  console.log(
    JSON.stringify(
      {
        bench: "escrowGas",
        method: {
          perTransaction:
            "own transaction on hardhat node, real EIP-3009 token, cold state; execution = gasUsed - 21000 - calldata (4 gas per zero byte, 16 per non-zero byte); gasUsed is after refunds",
          sameConditions:
            "the published snapshot's method: set-up in the same transaction, vm.snapshotGasLastCall, signature-free ERC-3009 mock for the deposit row (contracts/test/solidity/X402BatchSettlement.gas.t.sol)",
          published:
            "x402-foundation/x402 contracts/evm/snapshots/X402BatchSettlementGasTest.json (forge snapshotGasLastCall)",
        },
        operations,
      },
      null,
      2,
    ),
  );
} finally {
  await chain.stop();
}

function whyHigher(name: string, execution: number, same: number | undefined, published: number): string {
  const parts = [
    `${execution - published} gas above the snapshot per transaction`,
    same === undefined ? "" : `, while under the snapshot's conditions it costs ${same} (${published - same} below)`,
    ": in its own transaction every slot and account the operation touches is cold (2,100 gas a slot, 2,600 an",
    " account, EIP-2929) and every slot it rewrites is clean (2,900 gas instead of 100, EIP-2200), where the",
    " snapshot's test had touched and written them (deposit, claim) earlier in the same transaction",
  ];
  if (name.startsWith("deposit")) {
    parts.push(
      ", and the real token verifies the EIP-3009 signature (ecrecover, EIP-712 hashing) and stores the used nonce (22,100) where the snapshot's mock token checks nothing",
    );
  }
  return `${parts.join("")}.`;
}

/** Runs the Solidity gas test and collects its `gas <name> <value>` lines. */
async function snapshotMethod(): Promise<Record<string, number>> {
  const require = createRequire(join(contractsDir, "package.json"));
  const cli = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "test", "solidity", "test/solidity/X402BatchSettlement.gas.t.sol"], {
      cwd: contractsDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk;
    });
    child.on("close", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`gas test failed (${code}):\n${text}`)),
    );
  });
  const figures: Record<string, number> = {};
  for (const match of output.matchAll(/^gas (\S+) (\d+)$/gm)) figures[match[1] as string] = Number(match[2]);
  return figures;
}
