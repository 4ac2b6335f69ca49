// What every scenario shares: buyers on the stack, a way to finish every purchase honestly, and the audit
// of what the chain and the ledger say happened.
import { randomBytes } from "node:crypto";
import { chains } from "@wg402/shared";
import { createWalletClient, type Hex, http, type LocalAccount, parseAbi } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AuditReport, audit, MUST_BE_ZERO, onChainPayments, readAgentLedger } from "./audit.ts";
import { createBuyer, type Purchase } from "./buyer.ts";
import { type ChaosStack, PAYMENT_TIMEOUT_SECONDS, SECONDS_PER_MINUTE } from "./chaosStack.ts";

export type ScenarioResult = {
  scenario: string;
  pass: boolean;
  alive: { agent: boolean; facilitator: boolean };
} & Partial<AuditReport> &
  Record<string, unknown>;

const erc20 = parseAbi(["function transfer(address to, uint256 value) returns (bool)"]);

/** A fresh wallet holding `amount` of the token (sent by the demo wallet), so scenarios never share payers. */
export async function fundedAccount(stack: ChaosStack, amount: bigint): Promise<LocalAccount> {
  const account = privateKeyToAccount(generatePrivateKey());
  const demo = privateKeyToAccount(stack.chain.stack.accounts.demo.privateKey as Hex);
  const wallet = createWalletClient({ account: demo, chain: chains.local.viem, transport: http(stack.chain.rpcUrl) });
  const hash = await wallet.writeContract({
    address: stack.token,
    abi: erc20,
    functionName: "transfer",
    args: [account.address, amount],
  });
  await stack.publicClient.waitForTransactionReceipt({ hash });
  return account;
}

export const randomWgKey = () => randomBytes(32).toString("base64");

export function buyerFor(stack: ChaosStack, account: LocalAccount) {
  return createBuyer({ account, publicClient: stack.publicClient, asset: stack.token, agentUrl: () => stack.agentUrl });
}

/**
 * Sends every unfinished purchase again (the same signed request) until the node answers it finally; then
 * waits for the agent to close every payment it still holds open. Bounded by the authorizations' validity.
 */
export async function finishAll(
  stack: ChaosStack,
  buyer: ReturnType<typeof buyerFor>,
  purchases: Purchase[],
): Promise<void> {
  const deadline = Date.now() + (PAYMENT_TIMEOUT_SECONDS + 60) * 1000;
  await Promise.all(purchases.map((purchase) => buyer.settle(purchase, deadline)));
  while (Date.now() < deadline) {
    const open = readAgentLedger(stack.agentDb).payments.filter(
      (p) => p.status === "pending" || p.status === "unknown",
    );
    if (open.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Audits the scenario's buyers against the chain and the agent's ledger. */
export async function auditScenario(
  stack: ChaosStack,
  p: { name: string; fromBlock: bigint; payers: Hex[]; purchases: Purchase[]; extra?: Record<string, unknown> },
): Promise<ScenarioResult> {
  const nonces = new Set(p.purchases.map((x) => x.identity.nonce.toLowerCase()));
  const chain = await onChainPayments({ ...stack, payers: p.payers, fromBlock: p.fromBlock });
  const full = readAgentLedger(stack.agentDb);
  const payments = full.payments.filter((x) => nonces.has(x.nonce.toLowerCase()));
  const leaseIds = new Set(payments.map((x) => x.lease_id));
  const report = audit({
    chain,
    ledger: { payments, leases: full.leases.filter((l) => leaseIds.has(l.id)) },
    purchases: p.purchases,
    minuteMs: SECONDS_PER_MINUTE * 1000,
  });
  // Two live leases on one address is a fault whichever scenario made them: check the whole ledger.
  report.addressesAssignedTwice = audit({ chain: [], ledger: full, purchases: [], minuteMs: 1 }).addressesAssignedTwice;
  const alive = await stack.alive();
  const mismatch = Math.abs(report.transfers - report.granted);
  const pass = MUST_BE_ZERO.every((key) => report[key] === 0) && mismatch === 0 && alive.agent && alive.facilitator;
  return {
    scenario: p.name,
    pass,
    alive,
    ...report,
    transfersMinusGranted: report.transfers - report.granted,
    ...p.extra,
  };
}
