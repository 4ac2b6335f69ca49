// What the connect options buy: the plan (time, data or both) and its amounts, checked against the chosen
// node's bounds before anything is asked of the host.
import type { LeasePlanView, ReachableNodeView } from "../../api/views.ts";
import { plural } from "./format.ts";

export type Purchase = {
  /** The plan as it will be bought: a node that sells time only gets a time plan, whatever was saved. */
  plan: LeasePlanView;
  /** 0 for the unit the plan does not buy. */
  minutes: number;
  megabytes: number;
  /** Why Connect cannot buy this, in words; null when it can. */
  invalid: string | null;
};

type NodeBounds = Pick<ReachableNodeView, "minMinutes" | "maxMinutes" | "data">;

const whole = (text: string) => (/^\s*[0-9]+\s*$/.test(text) ? Number(text) : Number.NaN);

export function purchaseOf(
  choice: { plan: LeasePlanView; minutesText: string; megabytesText: string },
  node: NodeBounds | null,
): Purchase {
  const plan = node && !node.data ? "time" : choice.plan;
  const minutes = plan === "data" ? 0 : whole(choice.minutesText);
  const megabytes = plan === "time" ? 0 : whole(choice.megabytesText);
  const minutesOk =
    plan === "data" || (minutes > 0 && (!node || (minutes >= node.minMinutes && minutes <= node.maxMinutes)));
  const data = node?.data;
  const megabytesOk =
    plan === "time" || (megabytes > 0 && (!data || (megabytes >= data.minMegabytes && megabytes <= data.maxMegabytes)));
  const invalid = !minutesOk
    ? node
      ? `Choose between ${node.minMinutes} and ${node.maxMinutes} minutes`
      : "Choose a whole number of minutes"
    : !megabytesOk
      ? data
        ? `Choose between ${data.minMegabytes} and ${data.maxMegabytes} MB`
        : "Choose a whole number of MB"
      : null;
  return { plan, minutes, megabytes, invalid };
}

/** What one purchase buys, as people read it: "10 minutes", "5 MB", "10 minutes + 50 MB". */
export function describePurchase(units: { minutes: number; megabytes: number }): string {
  const parts = [
    ...(units.minutes > 0 ? [plural(units.minutes, "minute")] : []),
    ...(units.megabytes > 0 ? [`${units.megabytes} MB`] : []),
  ];
  return parts.join(" + ") || "nothing";
}

/** The command input for a purchase: the units it buys and no others, so the host reads the plan from them. */
export function purchaseInput(p: Pick<Purchase, "minutes" | "megabytes">): { minutes?: number; megabytes?: number } {
  return { ...(p.minutes > 0 ? { minutes: p.minutes } : {}), ...(p.megabytes > 0 ? { megabytes: p.megabytes } : {}) };
}
