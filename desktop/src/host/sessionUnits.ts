import type { SettingsView } from "../api/views.ts";

/** What one connection buys up front and per renewal. */
export type SessionUnits = {
  minutes: number;
  megabytes: number;
  renewMinutes: number;
  renewMegabytes: number;
};

/**
 * The units of a connection: exactly what the command asked for when it names any (minutes alone is a time
 * lease, as before data leases; megabytes alone a data lease), else the settings' plan. A data renewal buys
 * what the first purchase bought; a time renewal the settings' renewal minutes, as it always has.
 */
export function sessionUnits(
  wanted: { minutes?: number | undefined; megabytes?: number | undefined },
  settings: Pick<SettingsView, "plan" | "minutes" | "megabytes" | "autoRenew" | "renewMinutes">,
): SessionUnits {
  const named = wanted.minutes !== undefined || wanted.megabytes !== undefined;
  const minutes = named ? (wanted.minutes ?? 0) : settings.plan === "data" ? 0 : settings.minutes;
  const megabytes = named ? (wanted.megabytes ?? 0) : settings.plan === "time" ? 0 : settings.megabytes;
  return {
    minutes,
    megabytes,
    renewMinutes: settings.autoRenew && minutes > 0 ? settings.renewMinutes : minutes,
    renewMegabytes: megabytes,
  };
}
