// Test fixture, kept out of test/ (where every file is run as a test): the batch-settlement escrow at its canonical
// addresses on a fresh in-process chain, with the project's test token, the roles of a channel, and signers that
// produce exactly what the x402 SDK produces (its EIP-712 types).
import assert from "node:assert/strict";
import { canonicalEscrowAddresses, receiveWithAuthorizationTypes } from "@wg402/shared";
import { BATCH_SETTLEMENT_DOMAIN, claimBatchTypes, refundTypes, voucherTypes } from "@x402/evm";
import { computeChannelId } from "@x402/evm/batch-settlement/client";
import { network } from "hardhat";
import {
  type Address,
  decodeAbiParameters,
  encodeAbiParameters,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  type WalletClient,
  zeroAddress,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { installEscrow } from "../src/escrow.ts";

export const NETWORK = "eip155:31337";
export const CHAIN_ID = 31337;
export const MIN_DELAY = 900;
export const MAX_DELAY = 30 * 24 * 3600;
export const DEPOSIT = 100_000_000n; // 100 tUSD

export type ChannelConfig = {
  payer: Address;
  payerAuthorizer: Address;
  receiver: Address;
  receiverAuthorizer: Address;
  token: Address;
  withdrawDelay: number;
  salt: Hex;
};

export type VoucherClaim = {
  voucher: { channel: ChannelConfig; maxClaimableAmount: bigint };
  signature: Hex;
  totalClaimed: bigint;
};

/** Anything that signs EIP-712 like viem: a local account, or a wallet client of the node with its account. */
type TypedDataSigner =
  | { signTypedData: LocalAccount["signTypedData"] }
  | (WalletClient & { account: { address: Address } });

const receiveTypes = receiveWithAuthorizationTypes;

let saltCounter = 0;
export const freshSalt = (): Hex => keccak256(encodeAbiParameters([{ type: "string" }], [`salt-${saltCounter++}`]));

export const escrowDomain = (verifyingContract: Address = canonicalEscrowAddresses.batchSettlement) => ({
  ...BATCH_SETTLEMENT_DOMAIN,
  chainId: CHAIN_ID,
  verifyingContract: getAddress(verifyingContract),
});

async function signTyped(signer: TypedDataSigner, args: Parameters<LocalAccount["signTypedData"]>[0]): Promise<Hex> {
  // A wallet client of the node needs its account named; a local account signs by itself.
  if ("account" in signer && signer.account) return signer.signTypedData({ ...args, account: signer.account } as never);
  return (signer as { signTypedData: LocalAccount["signTypedData"] }).signTypedData(args);
}

export function signVoucher(signer: TypedDataSigner, channelId: Hex, maxClaimableAmount: bigint, escrow?: Address) {
  return signTyped(signer, {
    domain: escrowDomain(escrow),
    types: voucherTypes,
    primaryType: "Voucher",
    message: { channelId, maxClaimableAmount },
  });
}

export function signRefund(signer: TypedDataSigner, channelId: Hex, nonce: bigint, amount: bigint) {
  return signTyped(signer, {
    domain: escrowDomain(),
    types: refundTypes,
    primaryType: "Refund",
    message: { channelId, nonce, amount },
  });
}

/** The receiver authorizer's signature over a claim batch, as the SDK's facilitator signs it. */
export function signClaimBatch(signer: TypedDataSigner, claims: VoucherClaim[]) {
  return signTyped(signer, {
    domain: escrowDomain(),
    types: claimBatchTypes,
    primaryType: "ClaimBatch",
    message: {
      claims: claims.map((claim) => ({
        channelId: computeChannelId(claim.voucher.channel, NETWORK) as Hex,
        maxClaimableAmount: claim.voucher.maxClaimableAmount,
        totalClaimed: claim.totalClaimed,
      })),
    },
  });
}

export const depositNonce = (channelId: Hex, salt: bigint) =>
  keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [channelId, salt]));

/** A wallet client of the in-process node (hardhat-viem's type, with its account). */
export type FixtureWallet = Awaited<
  ReturnType<Awaited<ReturnType<typeof network.create>>["viem"]["getWalletClients"]>
>[number];

export async function escrowFixture() {
  const { viem, networkHelpers } = await network.create();
  const publicClient = await viem.getPublicClient();
  const testClient = await viem.getTestClient();
  const wallets = await viem.getWalletClients();
  const wallet = (index: number) => {
    const client = wallets[index];
    assert(client, `hardhat network has no wallet #${index}`);
    return client;
  };
  const deployer = wallet(0);
  const payer = wallet(1);
  const receiver = wallet(2);
  const receiverAuthorizer = wallet(3);
  const relayer = wallet(4);
  const stranger = wallet(5);
  /** The payer's voucher key: an EOA that never sends a transaction. */
  const payerAuthorizer = privateKeyToAccount(generatePrivateKey());

  const addresses = await installEscrow({
    client: { setCode: (args) => testClient.setCode(args), getCode: (args) => publicClient.getCode(args) },
  });
  const escrow = await viem.getContractAt("X402BatchSettlement", addresses.batchSettlement);
  const collector = await viem.getContractAt("ERC3009DepositCollector", addresses.depositCollector);
  const multicall3 = await viem.getContractAt("LocalMulticall3", addresses.multicall3);
  const token = await viem.deployContract("X402TestUSD", [deployer.account.address, 0n, 0n, 0n]);
  await token.write.mint([payer.account.address, 1_000_000_000n]);
  const tokenDomain = {
    name: await token.read.name(),
    version: await token.read.version(),
    chainId: CHAIN_ID,
    verifyingContract: token.address,
  };
  const escrowAs = (client: FixtureWallet) =>
    viem.getContractAt("X402BatchSettlement", escrow.address, { client: { wallet: client } });
  const now = async () => BigInt(await networkHelpers.time.latest());

  const config = (overrides: Partial<ChannelConfig> = {}): ChannelConfig => ({
    payer: getAddress(payer.account.address),
    payerAuthorizer: payerAuthorizer.address,
    receiver: getAddress(receiver.account.address),
    receiverAuthorizer: getAddress(receiverAuthorizer.account.address),
    token: getAddress(token.address),
    withdrawDelay: MIN_DELAY,
    salt: freshSalt(),
    ...overrides,
  });
  const channelId = (c: ChannelConfig) => computeChannelId(c, NETWORK) as Hex;

  /**
   * The payer's ERC-3009 `ReceiveWithAuthorization` to the collector, its nonce bound to `boundTo` (the channel it
   * is meant for), packed as the collector's `collectorData`.
   */
  async function signDeposit(
    c: ChannelConfig,
    amount: bigint,
    { boundTo = c, salt = BigInt(freshSalt()), signer = payer as TypedDataSigner, from = c.payer } = {},
  ) {
    const validBefore = (await now()) + 3_600n;
    const signature = await signTyped(signer, {
      domain: tokenDomain,
      types: receiveTypes,
      primaryType: "ReceiveWithAuthorization",
      message: {
        from,
        to: addresses.depositCollector,
        value: amount,
        validAfter: 0n,
        validBefore,
        nonce: depositNonce(channelId(boundTo), salt),
      },
    });
    return encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes" }],
      [0n, validBefore, salt, signature],
    );
  }

  /** A gasless deposit: the payer signs, the relayer submits. */
  async function deposit(c: ChannelConfig, amount = DEPOSIT) {
    const collectorData = await signDeposit(c, amount);
    const hash = await (await escrowAs(relayer)).write.deposit([c, amount, addresses.depositCollector, collectorData]);
    return publicClient.waitForTransactionReceipt({ hash });
  }

  async function voucherClaim(c: ChannelConfig, maxClaimableAmount: bigint, totalClaimed = maxClaimableAmount) {
    const signature = await signVoucher(
      c.payerAuthorizer === zeroAddress ? payer : payerAuthorizer,
      channelId(c),
      maxClaimableAmount,
    );
    return { voucher: { channel: c, maxClaimableAmount }, signature, totalClaimed } satisfies VoucherClaim;
  }

  async function state(c: ChannelConfig) {
    const id = channelId(c);
    const [balance, totalClaimed] = await escrow.read.channels([id]);
    const [withdrawAmount, withdrawInitiatedAt] = await escrow.read.pendingWithdrawals([id]);
    const refundNonce = await escrow.read.refundNonce([id]);
    return { balance, totalClaimed, withdrawAmount, withdrawInitiatedAt, refundNonce };
  }

  const balanceOf = (account: Address) => token.read.balanceOf([account]);

  return {
    viem,
    networkHelpers,
    publicClient,
    testClient,
    addresses,
    escrow,
    escrowAs,
    collector,
    multicall3,
    token,
    tokenDomain,
    deployer,
    payer,
    payerAuthorizer,
    receiver,
    receiverAuthorizer,
    relayer,
    stranger,
    config,
    channelId,
    signDeposit,
    deposit,
    voucherClaim,
    state,
    balanceOf,
    now,
  };
}

export type EscrowFixture = Awaited<ReturnType<typeof escrowFixture>>;

/** The receipt of a transaction the escrow was sent. */
export const receiptOf = async (f: EscrowFixture, hash: Promise<Hex>) =>
  f.publicClient.waitForTransactionReceipt({ hash: await hash });

// The collector's `data`: ERC-3009 validAfter, validBefore, salt and the signature.
const collectorDataParams = [{ type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes" }] as const;

export function decodeCollectorData(data: Hex) {
  return decodeAbiParameters(collectorDataParams, data);
}

export function encodeCollectorData(validAfter: bigint, validBefore: bigint, salt: bigint, signature: Hex): Hex {
  return encodeAbiParameters(collectorDataParams, [validAfter, validBefore, salt, signature]);
}
