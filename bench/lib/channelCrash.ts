// kill -9 of a real agent process right after it accepted vouchers (and with renewals in flight), then a
// restart on the same database: is every accepted voucher in the ledger, and is its charge claimed on-chain?
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import type { AgentHarness } from "@wg402/agent/testing";
import { channelStorage, LeaseClient } from "@wg402/client";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { channelOnChain } from "./channelChain.ts";

const KILL_AFTER_MS = 35; // about one renewal's round trip: some answered, some mid-request
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Row = { channel_id: string; charged_cumulative: string; signed_max_claimable: string };

function channelsOnDisk(dbPath: string): Row[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare("SELECT channel_id, charged_cumulative, signed_max_claimable FROM channels").all() as Row[];
  } finally {
    db.close();
  }
}

async function sigkill(agent: AgentProcess): Promise<void> {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return;
  const exited = new Promise((resolve) => agent.child.once("exit", resolve));
  agent.child.kill("SIGKILL");
  await exited;
}

export async function benchCrash(p: {
  h: AgentHarness;
  env: (dbPath: string, claimSeconds: string) => Record<string, string>;
  payers: number;
  renewalsEach: number;
  started: AgentProcess[];
}) {
  const { h } = p;
  const dbPath = join(h.dir, `crash-${randomBytes(4).toString("hex")}.sqlite`);
  const start = async (claimSeconds: string) => {
    const agent = await startAgentProcess(p.env(dbPath, claimSeconds));
    p.started.push(agent);
    return agent;
  };
  let agent = await start("3600"); // no claim before the kill
  const payers = await Promise.all(
    Array.from({ length: p.payers }, async () => {
      const wallet = await h.fundedWallet(1_000_000n);
      const env = { ...h.clientEnv, WG402_HOME: join(h.dir, `crash-home-${randomBytes(4).toString("hex")}`) };
      const client = await LeaseClient.connect({
        nodeUrl: agent.url,
        account: privateKeyToAccount(wallet.privateKey),
        env,
        sessionCap: 200_000n,
        scheme: "channel",
        paidTimeoutMs: 5_000,
      });
      return { client, env, channelId: "" as Hex, leaseId: "", accepted: [] as bigint[] };
    }),
  );
  /** The ceiling of the voucher the node just accepted, from the payer's own channel record. */
  const ceiling = async (payer: (typeof payers)[number]) =>
    BigInt((await channelStorage(payer.env).get(payer.channelId.toLowerCase()))?.signedMaxClaimable ?? "0");
  await Promise.all(
    payers.map(async (payer) => {
      const created = await payer.client.create({ publicKey: h.randomKey(), minutes: 5 });
      payer.channelId = created.payment.channelId as Hex;
      payer.leaseId = created.lease.id;
      payer.accepted.push(await ceiling(payer));
      for (let i = 0; i < p.renewalsEach; i++) {
        await sleep(150); // a little time used: each renewal's charge is positive
        await payer.client.renew(payer.leaseId, 1);
        payer.accepted.push(await ceiling(payer));
      }
    }),
  );
  // One more renewal per payer in flight at the kill: accepted only if its answer came back.
  const inFlight = payers.map((payer) =>
    payer.client.renew(payer.leaseId, 1).then(
      async () => {
        payer.accepted.push(await ceiling(payer));
        return true;
      },
      () => false,
    ),
  );
  await sleep(KILL_AFTER_MS);
  await sigkill(agent);
  const inFlightAccepted = (await Promise.all(inFlight)).filter(Boolean).length;
  const disk = new Map(channelsOnDisk(dbPath).map((row) => [row.channel_id.toLowerCase(), row]));
  const claimedBefore = await Promise.all(payers.map((payer) => channelOnChain(h.publicClient, payer.channelId)));

  // Restart on the same database with a claim pass every second and a threshold of one base unit.
  const restartAt = performance.now();
  agent = await start("1");
  const perChannel = [];
  for (const [i, payer] of payers.entries()) {
    const row = disk.get(payer.channelId.toLowerCase());
    const charged = BigInt(row?.charged_cumulative ?? "0");
    const ledgerCeiling = BigInt(row?.signed_max_claimable ?? "0");
    let claimed = 0n;
    while (performance.now() - restartAt < 20_000) {
      claimed = (await channelOnChain(h.publicClient, payer.channelId)).totalClaimed;
      if (claimed >= charged) break;
      await sleep(200);
    }
    perChannel.push({
      channelId: payer.channelId,
      vouchersAccepted: payer.accepted.length,
      // An accepted voucher the ledger does not hold: its ceiling is above the one on disk.
      vouchersMissingFromLedger: payer.accepted.filter((c) => c > ledgerCeiling).length,
      chargedAtKill: Number(charged),
      claimedBeforeKill: Number(claimedBefore[i]?.totalClaimed ?? 0n),
      claimedAfterRestart: Number(claimed),
      chargeLost: Number(charged > claimed ? charged - claimed : 0n),
      claimedWithinMs: claimed >= charged ? Math.round(performance.now() - restartAt) : null,
    });
  }
  await agent.stop();
  return {
    method: `real agent process (AGENT_CHANNEL=on, fake WireGuard driver), LeaseClient payers by channel; claims held back (interval 3600 s); SIGKILL ${KILL_AFTER_MS} ms after one more renewal per payer was sent; restart on the same SQLite file with AGENT_CHANNEL_CLAIM_INTERVAL_SECONDS=1, THRESHOLD=1; wait up to 20 s for each channel's on-chain totalClaimed to reach the charge on disk`,
    payers: p.payers,
    vouchersAccepted: perChannel.reduce((s, c) => s + c.vouchersAccepted, 0),
    inFlightAtKill: payers.length,
    inFlightAccepted,
    vouchersLost: perChannel.reduce((s, c) => s + c.vouchersMissingFromLedger + (c.chargeLost > 0 ? 1 : 0), 0),
    chargeLostBaseUnits: perChannel.reduce((s, c) => s + c.chargeLost, 0),
    claimedBeforeKillBaseUnits: perChannel.reduce((s, c) => s + c.claimedBeforeKill, 0),
    chargedAtKillBaseUnits: perChannel.reduce((s, c) => s + c.chargedAtKill, 0),
    allClaimedWithinMs: perChannel.every((c) => c.claimedWithinMs !== null)
      ? Math.max(...perChannel.map((c) => c.claimedWithinMs as number))
      : null,
    perChannel,
  };
}
