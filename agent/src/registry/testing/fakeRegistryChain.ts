// An in-memory NodeRegistry behind the registrar's seam: one entry per id, the contract's rules that the
// registrar relies on (versions, unbonding, operators), every transaction recorded, and switches for an
// unreachable chain and a racing update.
import { BaseError, ErrorCode, type RegistryEntry, type RegistryNodeInfo, wireguardKeyToBytes32 } from "@wg402/shared";
import { type Address, type Hex, isAddressEqual } from "viem";
import type { RegistryChain, RegistryTerms } from "../registryChain.ts";

export class FakeRegistryChain implements RegistryChain {
  readonly address: Address = "0x00000000000000000000000000000000000a11ce";
  readonly entries = new Map<Hex, RegistryEntry>();
  /** Every transaction sent, in order. */
  readonly txs: { fn: string; args: unknown[] }[] = [];
  /** While true, every call fails as an unreachable RPC does. */
  down = false;
  /** The next this many updates find the entry one version further (another transaction won the race). */
  racingUpdates = 0;
  balance = 1_000_000_000n;
  /** A transaction of the operator's still unmined. */
  pendingTransaction = false;
  now = 1_900_000_000;
  readonly terms_: RegistryTerms = {
    minStake: 10_000_000n,
    unbondingDelaySeconds: 3_600,
    stakeToken: "0x00000000000000000000000000000000000070c0",
  };

  readonly operator: Address;

  constructor(operator: Address = "0x1111111111111111111111111111111111111111") {
    this.operator = operator;
  }

  #reachable(action: string) {
    if (this.down)
      throw new BaseError(`${action}: the chain is unreachable (fetch failed)`, { code: ErrorCode.rpc_unreachable });
  }
  #refuse(name: string, code: ErrorCode = ErrorCode.registry_refused): never {
    throw new BaseError(`the registry refused (${name})`, { code, details: { error: name } });
  }
  #mine(id: Hex): RegistryEntry {
    const entry = this.entries.get(id);
    if (!entry) this.#refuse("UnknownNode", ErrorCode.registry_entry_missing);
    if (!isAddressEqual(entry.operator as Hex, this.operator))
      this.#refuse("NotOperator", ErrorCode.registry_not_operator);
    return entry;
  }
  #status(entry: RegistryEntry): RegistryEntry["status"] {
    return entry.unbondingEndsAt > 0
      ? "leaving"
      : BigInt(entry.stake) >= this.terms_.minStake
        ? "active"
        : "understaked";
  }
  #hash(): Hex {
    return `0x${(this.txs.length + 1).toString(16).padStart(64, "0")}`;
  }

  /** Places an entry as another transaction (or operator) would. */
  put(info: RegistryNodeInfo, over: Partial<RegistryEntry> = {}): RegistryEntry {
    const entry: RegistryEntry = {
      ...info,
      id: wireguardKeyToBytes32(info.wireguardKey),
      operator: this.operator,
      stake: this.terms_.minStake.toString(),
      unbondingEndsAt: 0,
      version: 1,
      status: "active",
      ...over,
    };
    entry.status = this.#status(entry);
    this.entries.set(entry.id as Hex, entry);
    return entry;
  }

  async entry(id: Hex) {
    this.#reachable("reading the registry entry");
    const entry = this.entries.get(id);
    return entry ? { ...entry } : null;
  }
  async terms() {
    this.#reachable("reading the registry's terms");
    return this.terms_;
  }
  async chainTime() {
    this.#reachable("reading the chain's time");
    return this.now;
  }
  async stakeBalance() {
    this.#reachable("reading the stake balance");
    return this.balance;
  }
  async hasPendingTransaction() {
    this.#reachable("reading the operator's nonce");
    return this.pendingTransaction;
  }
  async register(info: RegistryNodeInfo, stake: bigint) {
    this.#reachable("registering");
    const id = wireguardKeyToBytes32(info.wireguardKey);
    if (this.entries.has(id)) this.#refuse("KeyTaken");
    if (stake < this.terms_.minStake) this.#refuse("StakeTooLow");
    this.txs.push({ fn: "approve", args: [stake] }, { fn: "register", args: [info, stake] });
    this.balance -= stake;
    this.put(info, { stake: stake.toString() });
    return [this.#hash(), this.#hash()];
  }
  async update(id: Hex, expectedVersion: number, info: RegistryNodeInfo) {
    this.#reachable("updating the entry");
    const entry = this.#mine(id);
    if (this.racingUpdates > 0) {
      this.racingUpdates -= 1;
      entry.version += 1;
    }
    if (entry.unbondingEndsAt > 0) this.#refuse("AlreadyUnbonding");
    if (expectedVersion !== entry.version) this.#refuse("StaleVersion", ErrorCode.registry_stale_version);
    this.txs.push({ fn: "update", args: [id, expectedVersion, info] });
    Object.assign(entry, info, { version: entry.version + 1 });
    return this.#hash();
  }
  async addStake(id: Hex, amount: bigint) {
    this.#reachable("adding stake");
    const entry = this.#mine(id);
    this.txs.push({ fn: "addStake", args: [id, amount] });
    entry.stake = (BigInt(entry.stake) + amount).toString();
    entry.status = this.#status(entry);
    return [this.#hash()];
  }
  async startUnbonding(id: Hex) {
    this.#reachable("starting to unbond");
    const entry = this.#mine(id);
    if (entry.unbondingEndsAt > 0) this.#refuse("AlreadyUnbonding");
    this.txs.push({ fn: "startUnbonding", args: [id] });
    entry.unbondingEndsAt = this.now + this.terms_.unbondingDelaySeconds;
    entry.status = this.#status(entry);
    return this.#hash();
  }
  async withdraw(id: Hex) {
    this.#reachable("withdrawing");
    const entry = this.#mine(id);
    if (entry.unbondingEndsAt === 0) this.#refuse("NotUnbonding");
    if (this.now < entry.unbondingEndsAt) this.#refuse("UnbondingNotOver", ErrorCode.registry_unbonding_not_over);
    this.txs.push({ fn: "withdraw", args: [id] });
    this.balance += BigInt(entry.stake);
    this.entries.delete(id);
    return this.#hash();
  }
}
