// Keeps the node's NodeRegistry entry stating what the node is: registers it when absent, updates it when the
// config changed, and sends nothing when it already matches. Runs in the background after the server listens:
// a registry that is down, slow or refusing never blocks the node from serving leases, and never crashes it.
import {
  BaseError,
  ErrorCode,
  type NodeRegistryView,
  type RegistryEntry,
  type RegistryNodeInfo,
  registryInfoEquals,
} from "@wg402/shared";
import type { Clock, TimerHandle } from "@wg402/shared/runtime";
import type { Logger } from "pino";
import { type Hex, isAddressEqual } from "viem";
import type { RegistryChain } from "./registryChain.ts";

export type RegistrarOptions = {
  chain: RegistryChain;
  /** The entry's id: the node's WireGuard key as bytes32. */
  id: Hex;
  /** Base units staked at registration; default the contract's minStake. */
  stake?: bigint;
  clock: Clock;
  log: Logger;
  /** How often the entry is re-read (and corrected) once a pass succeeded. */
  refreshMs?: number;
  /** Back-off while the chain cannot be reached: doubles from `firstMs` up to `maxMs`. */
  retry?: { firstMs?: number; maxMs?: number };
};

/** Why a pass sent nothing, or what it sent: the decision, for logs and tests. */
export type RegistrarDecision = "registered" | "updated" | "unchanged" | "foreign" | "leaving" | "refused";

export class Registrar {
  readonly #chain: RegistryChain;
  readonly #id: Hex;
  readonly #stake: bigint | undefined;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #refreshMs: number;
  readonly #retryFirstMs: number;
  readonly #retryMaxMs: number;
  #view: NodeRegistryView;
  #desired: RegistryNodeInfo | undefined;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #failures = 0;
  #closed = false;
  /** An entry was seen in this process: if it then vanishes, it was withdrawn on purpose and is not re-registered. */
  #seenEntry = false;

  constructor(options: RegistrarOptions) {
    this.#chain = options.chain;
    this.#id = options.id;
    this.#stake = options.stake;
    this.#clock = options.clock;
    this.#log = options.log.child({ component: "registrar" });
    this.#refreshMs = options.refreshMs ?? 60_000;
    this.#retryFirstMs = options.retry?.firstMs ?? 1_000;
    this.#retryMaxMs = options.retry?.maxMs ?? 60_000;
    this.#view = { address: this.#chain.address, id: this.#id, status: "pending", message: "not read yet" };
  }

  /** The entry as last read: what `GET /` states. Synchronous, so serving never waits on the chain. */
  view(): NodeRegistryView {
    return this.#view;
  }

  /** Starts keeping the entry stating `desired`, in the background; the first pass runs at once. */
  start(desired: RegistryNodeInfo): void {
    if (this.#closed) return;
    this.#desired = desired;
    this.#schedule(0);
  }

  /** Resolves once the pass under way (if any) has finished: tests wait on it. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops the passes; waits a little for one under way (its transaction is already sent). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const running = this.#running;
    if (!running) return;
    let bound: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([running, new Promise<void>((resolve) => (bound = setTimeout(resolve, 5_000)))]);
    clearTimeout(bound);
  }

  /**
   * One pass: reads the entry, decides, sends at most what the difference needs, and re-reads. Throws when the
   * chain cannot be read or refuses (the background loop retries); never sends when nothing changed.
   */
  async sync(): Promise<RegistrarDecision> {
    const desired = this.#desired;
    if (!desired) throw new BaseError("the registrar was not started", { code: ErrorCode.internal_error });
    let entry = await this.#chain.entry(this.#id);
    if (!entry) return this.#register(desired);
    this.#seenEntry = true;
    // A StaleVersion means another transaction updated the entry after we read it: re-read and decide again, once.
    for (let attempt = 0; ; attempt++) {
      if (!isAddressEqual(entry.operator as Hex, this.#chain.operator)) return this.#show(entry, "foreign");
      if (entry.unbondingEndsAt > 0) return this.#show(entry, "leaving");
      if (registryInfoEquals(entry, desired)) return this.#show(entry, "unchanged");
      await this.#noPendingTransaction();
      try {
        this.#setView({ ...this.#fieldsOf(entry), status: "pending", message: "updating the entry" });
        const hash = await this.#chain.update(this.#id, entry.version, desired);
        this.#log.info({ tx: hash, from: entry.version }, "updated the registry entry");
      } catch (error) {
        if (attempt > 0 || !(error instanceof BaseError) || error.code !== ErrorCode.registry_stale_version) {
          throw error;
        }
        this.#log.warn("the registry entry changed while updating it; reading it again");
        const again = await this.#chain.entry(this.#id);
        if (!again) return this.#register(desired);
        entry = again;
        continue;
      }
      return this.#show(await this.#reread(), "updated");
    }
  }

  async #register(desired: RegistryNodeInfo): Promise<RegistrarDecision> {
    // Registering again would stake again behind the operator's back, right after they withdrew.
    if (this.#seenEntry)
      return this.#refuse("the entry was withdrawn while the node ran: restart it to register again");
    const terms = await this.#chain.terms();
    const stake = this.#stake ?? terms.minStake;
    if (stake < terms.minStake) {
      return this.#refuse(`AGENT_REGISTRY_STAKE ${stake} is below the registry's minimum stake ${terms.minStake}`);
    }
    // Checked before any approval, so a short balance sends nothing at all.
    const balance = await this.#chain.stakeBalance();
    if (balance < stake) {
      return this.#refuse(
        `the operator ${this.#chain.operator} holds ${balance} base units of the stake token; registering needs ${stake}`,
      );
    }
    await this.#noPendingTransaction();
    this.#setView({ address: this.#chain.address, id: this.#id, status: "pending", message: "registering" });
    const hashes = await this.#chain.register(desired, stake);
    this.#log.info({ txs: hashes, stake: stake.toString(), url: desired.url }, "registered the node in the registry");
    return this.#show(await this.#reread(), "registered");
  }

  /**
   * A transaction whose receipt a slow chain did not give may still be mined: sending again would pay its gas
   * twice (and race it). Waits until the operator has nothing in flight.
   */
  async #noPendingTransaction(): Promise<void> {
    if (await this.#chain.hasPendingTransaction()) {
      throw new BaseError("a transaction of the operator is still pending: nothing is sent until it is mined", {
        code: ErrorCode.settlement_unknown,
      });
    }
  }

  async #reread(): Promise<RegistryEntry> {
    const entry = await this.#chain.entry(this.#id);
    if (!entry)
      throw new BaseError("the registry entry vanished after a transaction", {
        code: ErrorCode.registry_entry_missing,
      });
    return entry;
  }

  #refuse(message: string): RegistrarDecision {
    this.#log.error(message);
    this.#setView({ address: this.#chain.address, id: this.#id, status: "error", message });
    return "refused";
  }

  async #show(entry: RegistryEntry, decision: RegistrarDecision): Promise<RegistrarDecision> {
    const fields = this.#fieldsOf(entry);
    if (!isAddressEqual(entry.operator as Hex, this.#chain.operator)) {
      const message = `the entry of this WireGuard key belongs to operator ${entry.operator}, not ${this.#chain.operator}: left untouched`;
      // Logged once per change of state, not on every refresh.
      if (this.#view.status !== "foreign") this.#log.error(message);
      this.#setView({ ...fields, status: "foreign", message });
    } else if (entry.status === "leaving") {
      const message = `unbonding until ${new Date(entry.unbondingEndsAt * 1000).toISOString()}: the entry is no longer updated`;
      if (this.#view.status !== "leaving") this.#log.warn(message);
      this.#setView({ ...fields, status: "leaving", message });
    } else if (entry.status === "understaked") {
      const { minStake } = await this.#chain.terms();
      const message = `stake ${entry.stake} is below the registry's minimum ${minStake}: not listed as active (registry add-stake)`;
      if (this.#view.status !== "understaked") this.#log.warn(message);
      this.#setView({ ...fields, status: "understaked", message });
    } else {
      this.#setView({ ...fields, status: "active" });
    }
    return decision;
  }

  #fieldsOf(entry: RegistryEntry) {
    return {
      address: this.#chain.address,
      id: this.#id,
      operator: entry.operator,
      stake: entry.stake,
      version: entry.version,
      ...(entry.unbondingEndsAt > 0 ? { unbondingEndsAt: entry.unbondingEndsAt } : {}),
    };
  }

  #setView(view: NodeRegistryView): void {
    this.#view = view;
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#pass().finally(() => {
        this.#running = undefined;
      });
    }, ms);
  }

  /** The background pass: never throws; schedules the next one (soon after a failure, a refresh after success). */
  async #pass(): Promise<void> {
    try {
      const decision = await this.sync();
      this.#failures = 0;
      this.#log.debug({ decision }, "registry pass");
      this.#schedule(this.#refreshMs);
    } catch (error) {
      if (this.#closed) return;
      // Both heal by themselves: the chain comes back, the pending transaction is mined or dropped.
      const transient =
        error instanceof BaseError &&
        (error.code === ErrorCode.rpc_unreachable || error.code === ErrorCode.settlement_unknown);
      const message = error instanceof BaseError ? error.shortMessage : String(error);
      this.#log.error({ err: error }, `registry pass failed: ${message}`);
      const known = this.#view.status !== "pending" && this.#view.status !== "error" && this.#view.operator;
      // A blip keeps the last entry read (it is still on-chain), with a note; before any read, or a refusal: error.
      this.#setView(
        transient && known
          ? {
              ...this.#view,
              message: error.code === ErrorCode.rpc_unreachable ? `could not read the registry: ${message}` : message,
            }
          : { address: this.#chain.address, id: this.#id, status: "error", message },
      );
      // The chain being down heals by itself: retry soon, backing off. A refusal does not: retry at the refresh pace.
      const delay = transient
        ? Math.min(this.#retryMaxMs, this.#retryFirstMs * 2 ** Math.min(this.#failures, 20))
        : this.#refreshMs;
      this.#failures += 1;
      this.#schedule(delay);
    }
  }
}
