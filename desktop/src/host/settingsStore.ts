import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ClientError, createSerialQueue, normalizeNodeUrl, writeSecretFile } from "@wg402/client";
import { ErrorCode } from "@wg402/shared";
import { z } from "zod";
import { PurchasePlan, type SettingsPatch } from "../api/inputs.ts";
import type { SettingsView } from "../api/views.ts";

/** The user's choices, kept in `$WG402_HOME/desktop-settings.json`. No secret lives here. */
export const DesktopSettings = z.object({
  version: z.literal(1),
  minutes: z.number().int().positive(),
  autoRenew: z.boolean(),
  renewMinutes: z.number().int().positive(),
  /** Files from before data leases have neither: they load as time plans. */
  plan: PurchasePlan,
  megabytes: z.number().int().positive(),
  /** A figure, "none" (chosen), or null: the default cap of one hour at the node's price. */
  spendCap: z.string().nullable(),
  capWarningMinutes: z.number().int().nonnegative(),
  lowBalanceMinutes: z.number().int().nonnegative(),
  driver: z.enum(["wg-quick", "userspace", "export"]).nullable(),
  nodes: z.array(z.string()),
  explorerTxUrls: z.record(z.string(), z.string()),
});
export type DesktopSettings = z.infer<typeof DesktopSettings>;

/** The cap-countdown banner's lead time unless the user sets another. */
export const DEFAULT_CAP_WARNING_MINUTES = 2;
/** A data plan's first purchase unless the user sets another. */
export const DEFAULT_MEGABYTES = 100;

export class SettingsStore {
  readonly path: string;
  private value: DesktopSettings;
  private readonly serial = createSerialQueue();

  private constructor(path: string, value: DesktopSettings) {
    this.path = path;
    this.value = value;
  }

  /** Reads the file, filling in what it lacks from the defaults. A damaged file is an error, not a reset. */
  static async open(home: string, defaults: { lowBalanceMinutes: number }): Promise<SettingsStore> {
    const path = join(home, "desktop-settings.json");
    const base: DesktopSettings = {
      version: 1,
      minutes: 10,
      autoRenew: true,
      renewMinutes: 10,
      plan: "time",
      megabytes: DEFAULT_MEGABYTES,
      // Never "no cap" by default: null is one hour at the chosen node's price, and "none" a choice.
      spendCap: null,
      capWarningMinutes: DEFAULT_CAP_WARNING_MINUTES,
      lowBalanceMinutes: defaults.lowBalanceMinutes,
      driver: null,
      nodes: [],
      explorerTxUrls: {},
    };
    let stored: unknown = {};
    try {
      stored = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new ClientError(`the settings file ${path} cannot be read; fix or delete it`, {
          code: ErrorCode.invalid_argument,
          cause: error,
        });
      }
    }
    const parsed = DesktopSettings.safeParse({ ...base, ...(stored as object) });
    if (!parsed.success) {
      throw new ClientError(`the settings file ${path} is not valid; fix or delete it`, {
        code: ErrorCode.invalid_argument,
        cause: parsed.error,
      });
    }
    return new SettingsStore(path, parsed.data);
  }

  get current(): SettingsView {
    const { version: _version, ...view } = this.value;
    return structuredClone(view);
  }

  async update(patch: SettingsPatch): Promise<SettingsView> {
    const next: DesktopSettings = { ...this.value };
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (next as Record<string, unknown>)[key] = value;
    }
    if (patch.nodes) next.nodes = [...new Set(patch.nodes.map((url) => normalizeNodeUrl(url)))];
    this.value = DesktopSettings.parse(next);
    const text = `${JSON.stringify(this.value, null, 2)}\n`;
    await this.serial(() => writeSecretFile(this.path, text));
    return this.current;
  }
}
