import { readinessOf } from "@wg402/service-kit";
import { assertEscrowDeployed, type ChainInfo, chains, type NodeInfo, rpcUrlFor } from "@wg402/shared";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import type { WireguardDriver } from "@wg402/wireguard";
import type { Network } from "@x402/core/types";
import type { Logger } from "pino";
import { createPublicClient, type Hex, http, type PublicClient } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { createApp } from "./app.ts";
import { buildChannels } from "./channels/buildChannels.ts";
import { createChannelChain } from "./channels/channelChain.ts";
import { type ChannelChain, ChannelSettler } from "./channels/channelSettler.ts";
import { type AgentConfig, tokenOf } from "./config.ts";
import { LeasePayments } from "./leases/leasePayments.ts";
import { LeaseService } from "./leases/leaseService.ts";
import { parseSubnet } from "./ledger/ipv4.ts";
import { LeaseStore } from "./ledger/leaseStore.ts";
import { createAgentMetrics } from "./metrics.ts";
import { InflightPayments } from "./payments/inflightPayments.ts";
import { createPaymentEdge } from "./payments/paymentEdge.ts";
import { createPaymentResolver, type PaymentResolver } from "./payments/paymentResolver.ts";
import { buildRegistrar } from "./registry/buildRegistrar.ts";
import type { RegistryChain } from "./registry/registryChain.ts";
import { createNodeSigner } from "./signing/nodeSigner.ts";

export const AGENT_VERSION = "0.1.0";

export type BuildAgentOptions = {
  config: AgentConfig;
  driver: WireguardDriver;
  /** The node's WireGuard public key, as the driver's interface has it. */
  serverPublicKey: string;
  logger: Logger;
  clock?: Clock;
  /** How long released addresses rest before reuse. */
  addressCooldownMs?: number;
  /** Decides open payments; defaults to asking the chain at AGENT_RPC_URL (or the chain registry's RPC URL). */
  resolver?: PaymentResolver;
  /** How often open payments are decided and lapsed addresses released, the meter read and peers re-checked. */
  intervals?: {
    sweepMs?: number;
    meterMs?: number;
    reconcileMs?: number;
    /** Channels: claims above the threshold, settles, idle refunds, and the watch for withdrawals. */
    claimMs?: number;
    settleMs?: number;
    refundMs?: number;
    withdrawWatchMs?: number;
  };
  /** The escrow as the channel settler reads it; defaults to the chain at AGENT_RPC_URL. */
  channelChain?: ChannelChain;
  /**
   * The key that signs offers and receipts (main.ts loads it from AGENT_SIGNING_KEY_FILE). Default:
   * AGENT_SIGNING_PRIVATE_KEY, else a key for this process only; null signs nothing (a test's unsigned node).
   */
  signingKey?: Hex | null;
  /** AGENT_REGISTRY=on: who controls the entry (main.ts decrypts a keystore); default AGENT_OPERATOR_PRIVATE_KEY. */
  operatorKey?: Hex;
  /** The NodeRegistry as the registrar reads and writes it; defaults to the chain at AGENT_RPC_URL. */
  registryChain?: RegistryChain;
};

/** Wires the agent from its config and its injected clock and WireGuard driver. Starts nothing. */
export function buildAgent({
  config,
  driver,
  serverPublicKey,
  logger,
  clock = systemClock,
  addressCooldownMs = 300_000,
  resolver,
  intervals = {},
  channelChain,
  signingKey = (config.AGENT_SIGNING_PRIVATE_KEY as Hex | undefined) ?? generatePrivateKey(),
  operatorKey = config.AGENT_OPERATOR_PRIVATE_KEY as Hex | undefined,
  registryChain,
}: BuildAgentOptions) {
  const chain: ChainInfo = chains[config.AGENT_NETWORK];
  const token = tokenOf(config);
  const minuteMs = config.AGENT_SECONDS_PER_MINUTE * 1000;
  const subnet = parseSubnet(config.AGENT_WG_SUBNET);
  const metrics = createAgentMetrics();
  const dataValidityMs = config.AGENT_DATA_VALIDITY_MINUTES * 60_000;
  const store = new LeaseStore({ path: config.AGENT_DB_PATH, subnet, addressCooldownMs, minuteMs, dataValidityMs });
  const endpoint = `${config.AGENT_WG_ENDPOINT_HOST}:${config.AGENT_WG_LISTEN_PORT}`;

  const leases = new LeaseService({
    store,
    driver,
    clock,
    metrics,
    log: logger,
    serverPublicKey,
    endpoint,
    allowedIps: config.AGENT_WG_ALLOWED_IPS,
    dns: config.AGENT_WG_DNS,
    keepaliveSeconds: config.AGENT_WG_KEEPALIVE_SECONDS,
    graceMs: config.AGENT_GRACE_SECONDS * 1000,
    minuteMs,
    meterMinIntervalMs: config.AGENT_METER_MIN_INTERVAL_MS,
    topMbit: config.AGENT_UPLINK_MBIT,
    meterIntervalMs: intervals.meterMs ?? config.AGENT_METER_INTERVAL_SECONDS * 1000,
  });

  const channels = buildChannels({ config, store, clock, logger, nodeId: serverPublicKey });
  const signer = signingKey === null ? undefined : createNodeSigner(signingKey);
  const edge = createPaymentEdge({
    facilitatorUrl: config.AGENT_FACILITATOR_URL,
    facilitatorApiKey: config.AGENT_FACILITATOR_API_KEY,
    network: chain.network as Network,
    token,
    payTo: config.AGENT_PAY_TO as `0x${string}`,
    pricePerMinute: config.AGENT_PRICE_PER_MINUTE,
    pricePerMb: config.AGENT_PRICE_PER_MB ?? null,
    paymentTimeoutSeconds: config.AGENT_PAYMENT_TIMEOUT_SECONDS,
    secondsPerMinute: config.AGENT_SECONDS_PER_MINUTE,
    channel: channels && {
      scheme: channels.scheme,
      quote: (path, units) => channels.payments.quote(path, units),
    },
    offerReceipt: signer?.extension,
  });

  const publicClient = createPublicClient({
    chain: chain.viem,
    transport: http(config.AGENT_RPC_URL ?? rpcUrlFor(chain), { timeout: 10_000 }),
  }) as PublicClient;
  const settler =
    channels &&
    new ChannelSettler({
      manager: channels.scheme.createChannelManager(edge.facilitator, chain.network as Network, token.address),
      storage: channels.storage,
      store,
      payments: channels.payments,
      ...(channels.settlerTurn ? { turn: channels.settlerTurn } : {}),
      chain: channelChain ?? createChannelChain(publicClient),
      policy: {
        threshold: config.AGENT_CHANNEL_CLAIM_THRESHOLD,
        maxClaimsPerBatch: config.AGENT_CHANNEL_MAX_CLAIMS_PER_BATCH,
        refundIdleMs: config.AGENT_CHANNEL_REFUND_IDLE_SECONDS * 1000,
      },
      clock,
      metrics,
      log: logger,
    });

  const inflight = new InflightPayments();
  const payments = new LeasePayments({
    leases,
    store,
    inflight,
    clock,
    metrics,
    log: logger,
    resolver:
      resolver ??
      createPaymentResolver({
        publicClient,
        payTo: config.AGENT_PAY_TO as `0x${string}`,
        now: clock.now,
        settleAgain: edge.settleAgain,
      }),
  });

  const registry = buildRegistrar({
    config,
    wireguardKey: serverPublicKey,
    signer: signer?.address,
    operatorKey,
    clock,
    logger,
    chain: registryChain,
  });

  const nodeInfo = (): NodeInfo => ({
    name: config.AGENT_NAME,
    version: AGENT_VERSION,
    region: config.AGENT_REGION,
    publicKey: serverPublicKey,
    endpoint,
    subnet: subnet.cidr,
    dns: config.AGENT_WG_DNS,
    pricePerMinute: config.AGENT_PRICE_PER_MINUTE.toString(),
    minMinutes: config.AGENT_MIN_MINUTES,
    maxMinutes: config.AGENT_MAX_MINUTES,
    ...(config.AGENT_PRICE_PER_MB
      ? {
          data: {
            pricePerMb: config.AGENT_PRICE_PER_MB.toString(),
            minMegabytes: config.AGENT_MIN_MB,
            maxMegabytes: config.AGENT_MAX_MB,
            blockBytes: config.AGENT_DATA_BLOCK_BYTES,
            validityMinutes: config.AGENT_DATA_VALIDITY_MINUTES,
            meterMinIntervalMs: config.AGENT_METER_MIN_INTERVAL_MS,
          },
        }
      : {}),
    secondsPerMinute: config.AGENT_SECONDS_PER_MINUTE,
    graceSeconds: config.AGENT_GRACE_SECONDS,
    accepts: edge.kinds,
    facilitator: config.AGENT_FACILITATOR_URL,
    capacity: store.capacity(clock.now()),
    driver: driver.kind,
    ...(signer ? { offerSigner: signer.address } : {}),
    meterIntervalSeconds: config.AGENT_METER_INTERVAL_SECONDS,
    ...(registry ? { registry: registry.view() } : {}),
  });

  const readiness = readinessOf({
    wireguard: async () => ({ ok: true, detail: `${driver.kind} driver, ${(await driver.listPeers()).length} peers` }),
    facilitator: async () => {
      const supported = await edge.facilitator.getSupported();
      const ok = supported.kinds.some((k) => k.scheme === "exact" && k.network === chain.network);
      return { ok, detail: ok ? config.AGENT_FACILITATOR_URL : `does not settle exact on ${chain.network}` };
    },
  });

  const app = createApp({
    leases,
    payments,
    inflight,
    edge,
    metrics,
    logger,
    channels: channels?.payments,
    nodeInfo,
    signUsage: signer && ((receipt) => signer.signUsage({ ...receipt, node: serverPublicKey }, chain.id)),
    signChallenge: signer?.signChallenge,
    readiness,
    bounds: {
      minutes: { min: config.AGENT_MIN_MINUTES, max: config.AGENT_MAX_MINUTES },
      ...(config.AGENT_PRICE_PER_MB ? { megabytes: { min: config.AGENT_MIN_MB, max: config.AGENT_MAX_MB } } : {}),
    },
    chainId: chain.id,
    now: clock.now,
    bodyLimitBytes: config.AGENT_BODY_LIMIT_BYTES,
  });

  const timers: ReturnType<typeof setInterval>[] = [];
  const every = (ms: number, name: string, task: () => Promise<unknown>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return; // a slow pass (a hung RPC) never piles up behind itself
      running = true;
      task()
        .catch((err: unknown) => logger.error({ err }, `${name} failed`))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  };
  const sweep = async () => {
    metrics.openPayments.set(await payments.resolveOpen());
    await leases.sweep();
    await channels?.payments.billEnded();
    // A fleet's holds follow this node's leases; Redis down only delays that (a hold outlives its lease).
    await channels?.payments
      .refreshHolds()
      .catch((err: unknown) => logger.warn({ err }, "channel holds not refreshed"));
    await settler?.refreshMetrics();
  };

  return {
    app,
    leases,
    payments,
    inflight,
    store,
    edge,
    metrics,
    channels,
    settler,
    /** The node's NodeRegistry entry keeper (AGENT_REGISTRY=on): `registry.start(url)` once the server listens. */
    registry,
    /**
     * Restores the ledger's view on the device — payments a crash left open are decided from the chain,
     * overdue leases expire, peers are reconciled — then starts the sweep, meter and reconcile ticks.
     */
    async start() {
      if (channels) {
        if (!channelChain) {
          await assertEscrowDeployed(
            publicClient,
            chain,
            "set AGENT_CHANNEL=off, or use a chain where the escrow is deployed",
          );
        }
        // No request survives a restart: the SDK reservations a crash left would block their channels. With
        // Redis down they expire on their own (after the payment timeout).
        await channels.storage
          .releaseReservations()
          .catch((err: unknown) => logger.warn({ err }, "reservations left by a crash not released"));
      }
      await leases.start();
      metrics.openPayments.set(await payments.resolveOpen({ settle: false }));
      every(intervals.sweepMs ?? 5_000, "sweep", sweep);
      every(intervals.meterMs ?? config.AGENT_METER_INTERVAL_SECONDS * 1000, "meter poll", () =>
        leases.peers.pollMeter(),
      );
      // The safety net: repairs anything changed on the device behind the agent's back.
      every(intervals.reconcileMs ?? 30_000, "reconcile", () => leases.peers.reconcile());
      if (settler) {
        every(intervals.claimMs ?? config.AGENT_CHANNEL_CLAIM_INTERVAL_SECONDS * 1000, "channel claim", () =>
          settler.claim(),
        );
        every(intervals.settleMs ?? config.AGENT_CHANNEL_SETTLE_INTERVAL_SECONDS * 1000, "channel settle", () =>
          settler.settle(),
        );
        every(intervals.refundMs ?? 60_000, "channel refund", () => settler.refundIdle());
        every(intervals.withdrawWatchMs ?? config.AGENT_CHANNEL_WITHDRAW_WATCH_SECONDS * 1000, "withdrawal watch", () =>
          settler.watchWithdrawals(),
        );
      }
    },
    /** Decides what is open now (tests and operators call it; the sweep tick does it on its own). */
    sweep,
    /** Stops the ticks, lets payments in flight finish, then closes the ledger and the driver. */
    async close() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await registry?.close();
      await inflight.drain();
      leases.stop();
      await channels?.close();
      store.close();
      await driver.close();
    },
  };
}
export type Agent = ReturnType<typeof buildAgent>;
