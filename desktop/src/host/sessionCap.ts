import { defaultSpendCap, parseTokenAmount, type SessionCapChoice } from "@wg402/client";
import type { NodeInfo } from "@wg402/shared";
import type { SettingsView } from "../api/views.ts";

type CapSetting = SettingsView["spendCap"];

/** The settings' cap as the core takes it: null is the default (one hour at the node's price), not "no cap". */
export function sessionCapChoice(spendCap: CapSetting): SessionCapChoice {
  if (spendCap === null) return "default";
  if (spendCap === "none") return "none";
  return { amount: spendCap, what: "the spend cap" };
}

/**
 * The cap a session on `node` buying `minutes` (and `megabytes`) will have, in base units, computed as `openSession` does, so
 * the plan shown before paying is the one the core enforces.
 */
export function plannedCap(
  spendCap: CapSetting,
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute" | "data">,
  minutes: number,
  decimals: number,
  megabytes = 0,
): { cap: bigint | null; capSource: "explicit" | "default" | "none" } {
  if (spendCap === null) return { cap: defaultSpendCap(node, minutes, megabytes), capSource: "default" };
  if (spendCap === "none") return { cap: null, capSource: "none" };
  return { cap: parseTokenAmount(spendCap, decimals, "the spend cap"), capSource: "explicit" };
}
