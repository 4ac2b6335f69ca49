// `npm run agent -- registry status|unbond|withdraw|add-stake <amount>`: the operator's commands on the node's
// NodeRegistry entry, run with the node's own config (the same env), then the process exits. Every refusal is
// checked before a transaction is sent, so a command that cannot succeed sends nothing.
import { readFile } from "node:fs/promises";
import { BaseError, ErrorCode, type RegistryEntry, wireguardKeyToBytes32 } from "@wg402/shared";
import { isValidKey, publicKeyFromPrivate } from "@wg402/wireguard";
import { type Hex, isAddressEqual } from "viem";
import type { AgentConfig } from "../config.ts";
import { registryChainFor } from "./buildRegistrar.ts";
import type { RegistryChain } from "./registryChain.ts";
import { loadOperatorKey } from "./registryConfig.ts";

/** Exit codes of the commands, stable for scripts. */
export const RegistryExit = {
  ok: 0,
  failed: 1,
  usage: 2,
  chainDown: 3,
  noEntry: 4,
  notOperator: 5,
  notYet: 6,
  refused: 7,
} as const;

const exitFor: Partial<Record<string, number>> = {
  [ErrorCode.invalid_config]: RegistryExit.usage,
  [ErrorCode.invalid_argument]: RegistryExit.usage,
  [ErrorCode.rpc_unreachable]: RegistryExit.chainDown,
  [ErrorCode.registry_entry_missing]: RegistryExit.noEntry,
  [ErrorCode.registry_not_operator]: RegistryExit.notOperator,
  [ErrorCode.registry_unbonding_not_over]: RegistryExit.notYet,
  [ErrorCode.registry_refused]: RegistryExit.refused,
  [ErrorCode.insufficient_balance]: RegistryExit.refused,
};

export const registryUsage = `usage: npm run agent -- registry <command>
  status [--json]      the node's entry: status, stake, version, unbonding
  unbond               start the unbonding delay (the entry is listed as leaving)
  withdraw             after the delay: take the stake back and remove the entry
  add-stake <amount>   add <amount> base units of the stake token to the entry`;

export type RegistryCommandIo = { out: (line: string) => void; err: (line: string) => void };
export type RegistryCommandDeps = { chain?: RegistryChain; wireguardKey?: string };

const fail = (message: string, code: ErrorCode) => new BaseError(message, { code });

/** The node's WireGuard public key without touching its device: AGENT_WG_PUBLIC_KEY, else its key file. */
export async function nodeWireguardKey(config: AgentConfig): Promise<string> {
  if (config.AGENT_WG_PUBLIC_KEY) return config.AGENT_WG_PUBLIC_KEY;
  const path = config.AGENT_WG_PRIVATE_KEY_FILE;
  const key = (await readFile(path, "utf8").catch(() => "")).trim();
  if (!isValidKey(key)) {
    throw fail(
      `no WireGuard private key in ${path} (AGENT_WG_PRIVATE_KEY_FILE): start the node once, or set AGENT_WG_PUBLIC_KEY`,
      ErrorCode.invalid_config,
    );
  }
  return publicKeyFromPrivate(key);
}

/** Runs `registry <args>`; resolves with the process's exit code. Never throws. */
export async function runRegistryCommand(
  args: string[],
  config: AgentConfig,
  io: RegistryCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
  deps: RegistryCommandDeps = {},
): Promise<number> {
  const [command, ...rest] = args;
  const json = rest.includes("--json");
  try {
    if (!command || !["status", "unbond", "withdraw", "add-stake"].includes(command)) {
      throw fail(
        command ? `unknown registry command "${command}"\n${registryUsage}` : registryUsage,
        ErrorCode.invalid_argument,
      );
    }
    if (config.AGENT_REGISTRY !== "on" && !config.AGENT_REGISTRY_ADDRESS) {
      throw fail(
        "the registry is off: set AGENT_REGISTRY=on (or AGENT_REGISTRY_ADDRESS) and the operator key",
        ErrorCode.invalid_config,
      );
    }
    if (!config.AGENT_REGISTRY_ADDRESS) throw fail("AGENT_REGISTRY_ADDRESS is not set", ErrorCode.invalid_config);
    const chain = deps.chain ?? (await chainOf(config));
    const id = wireguardKeyToBytes32(deps.wireguardKey ?? (await nodeWireguardKey(config)));
    const entry = await chain.entry(id);
    if (command === "status") return await status(chain, id, entry, json, io);
    if (!entry) throw fail(`no registry entry for this node (id ${id})`, ErrorCode.registry_entry_missing);
    if (!isAddressEqual(entry.operator as Hex, chain.operator)) {
      throw fail(
        `the entry is controlled by operator ${entry.operator}, not by this operator key (${chain.operator})`,
        ErrorCode.registry_not_operator,
      );
    }
    if (command === "unbond") return await unbond(chain, id, entry, io);
    if (command === "withdraw") return await withdraw(chain, id, entry, io);
    return await addStake(chain, id, entry, rest.filter((a) => a !== "--json")[0], io);
  } catch (error) {
    const message = error instanceof BaseError ? error.message : error instanceof Error ? error.message : String(error);
    io.err(`wg402-agent registry: ${message}`);
    return (error instanceof BaseError ? exitFor[error.code] : undefined) ?? RegistryExit.failed;
  }
}

async function chainOf(config: AgentConfig): Promise<RegistryChain> {
  const key = await loadOperatorKey(config);
  if (!key) {
    throw fail(
      "set the operator key: AGENT_OPERATOR_PRIVATE_KEY, or AGENT_OPERATOR_KEYSTORE (+ _PASSWORD)",
      ErrorCode.invalid_config,
    );
  }
  return registryChainFor(config, key);
}

const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString();
const inAbout = (seconds: number) =>
  seconds <= 0 ? "now" : seconds < 120 ? `in ${seconds} s` : `in about ${Math.ceil(seconds / 60)} min`;

async function status(
  chain: RegistryChain,
  id: Hex,
  entry: RegistryEntry | null,
  json: boolean,
  io: RegistryCommandIo,
) {
  const [terms, now] = await Promise.all([chain.terms(), chain.chainTime()]);
  const mine = entry ? isAddressEqual(entry.operator as Hex, chain.operator) : false;
  if (json) {
    io.out(
      JSON.stringify({
        registry: chain.address,
        id,
        operator: chain.operator,
        minStake: terms.minStake.toString(),
        unbondingDelaySeconds: terms.unbondingDelaySeconds,
        chainTime: now,
        entry,
        mine,
        withdrawable: entry ? entry.unbondingEndsAt > 0 && now >= entry.unbondingEndsAt : false,
      }),
    );
  } else if (entry) {
    const lines = [
      `registry   ${chain.address}`,
      `entry      ${id}`,
      `status     ${entry.status}`,
      `operator   ${entry.operator}${mine ? " (this operator key)" : ` (NOT this operator key: ${chain.operator})`}`,
      `stake      ${entry.stake} (minimum ${terms.minStake})`,
      `version    ${entry.version}`,
      `url        ${entry.url}`,
      `country    ${entry.country}   label ${JSON.stringify(entry.label)}`,
      `price      ${entry.pricePerMinute} per minute, ${entry.pricePerMb === "0" ? "time only" : `${entry.pricePerMb} per MB`}`,
      `schemes    ${entry.schemes.join(", ")}`,
      `payTo      ${entry.payTo}   signer ${entry.signer}`,
    ];
    if (entry.unbondingEndsAt > 0) {
      const left = entry.unbondingEndsAt - now;
      lines.push(`unbonding  ends ${isoOf(entry.unbondingEndsAt)} (${left <= 0 ? "withdrawable now" : inAbout(left)})`);
    }
    for (const line of lines) io.out(line);
  }
  if (!entry) {
    if (!json) io.out(`registry   ${chain.address}\nentry      ${id}\nstatus     not registered`);
    return RegistryExit.noEntry;
  }
  return RegistryExit.ok;
}

async function unbond(chain: RegistryChain, id: Hex, entry: RegistryEntry, io: RegistryCommandIo) {
  if (entry.unbondingEndsAt > 0) {
    throw fail(
      `already unbonding: it ends ${isoOf(entry.unbondingEndsAt)}; then run \`registry withdraw\``,
      ErrorCode.registry_refused,
    );
  }
  const hash = await chain.startUnbonding(id);
  const after = await chain.entry(id);
  const endsAt = after?.unbondingEndsAt ?? 0;
  io.out(`unbonding started (tx ${hash}): the entry is listed as leaving; withdraw after ${isoOf(endsAt)}`);
  return RegistryExit.ok;
}

async function withdraw(chain: RegistryChain, id: Hex, entry: RegistryEntry, io: RegistryCommandIo) {
  if (entry.unbondingEndsAt === 0) {
    throw fail(
      "the entry is not unbonding: run `registry unbond` first, then withdraw after the delay",
      ErrorCode.registry_refused,
    );
  }
  const now = await chain.chainTime();
  if (now < entry.unbondingEndsAt) {
    throw fail(
      `the unbonding delay ends ${isoOf(entry.unbondingEndsAt)} (${inAbout(entry.unbondingEndsAt - now)}): withdraw then`,
      ErrorCode.registry_unbonding_not_over,
    );
  }
  const hash = await chain.withdraw(id);
  io.out(`withdrew ${entry.stake} base units of stake to ${chain.operator} (tx ${hash}); the entry is removed`);
  return RegistryExit.ok;
}

async function addStake(
  chain: RegistryChain,
  id: Hex,
  entry: RegistryEntry,
  raw: string | undefined,
  io: RegistryCommandIo,
) {
  if (!raw || !/^\d+$/.test(raw) || BigInt(raw) === 0n) {
    throw fail("add-stake needs a positive amount in base units of the stake token", ErrorCode.invalid_argument);
  }
  const amount = BigInt(raw);
  if (entry.unbondingEndsAt > 0)
    throw fail("the entry is unbonding: stake cannot be added", ErrorCode.registry_refused);
  const balance = await chain.stakeBalance();
  if (balance < amount) {
    throw fail(
      `the operator holds ${balance} base units of the stake token, less than ${amount}`,
      ErrorCode.insufficient_balance,
    );
  }
  const hashes = await chain.addStake(id, amount);
  const after = await chain.entry(id);
  io.out(`added ${amount} base units of stake (tx ${hashes.join(", ")}); the stake is now ${after?.stake ?? "?"}`);
  return RegistryExit.ok;
}
