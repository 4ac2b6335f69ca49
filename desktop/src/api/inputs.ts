// The pieces command inputs are made of, checked where they enter the host: the renderer is not trusted,
// whichever transport it used.
import { z } from "zod";

/** No input: `undefined`, or the `null` a JSON body or IPC carries for it. */
export const Nothing = z.undefined().or(z.null().transform(() => undefined));
export const Passphrase = z.string().min(1, "the passphrase must not be empty").max(1024);
export const Url = z.string().min(1).max(2048);
export const Network = z.string().regex(/^eip155:[0-9]+$/, "must be a CAIP-2 network such as eip155:8453");
/** An escrow channel's id: 32 bytes of hex. */
export const ChannelId = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a channel id (0x and 64 hex digits)");
/** A lease's id, as the node names it (`lease_` and 32 hex digits). */
export const LeaseId = z.string().regex(/^lease_[0-9a-f]{32}$/, "must be a lease id (lease_ and 32 hex digits)");
export const Minutes = z.number().int("must be a whole number of minutes").positive().max(100_000);
/** Megabytes of data (10^6 bytes up + down); the node's own bounds are checked by the core. */
export const Megabytes = z.number().int("must be a whole number of megabytes").positive().max(100_000_000);
/** What a connection buys: minutes (`time`), megabytes (`data`), or both (`hybrid`, ends at whichever runs out). */
export const PurchasePlan = z.enum(["time", "data", "hybrid"]);
export type PurchasePlan = z.infer<typeof PurchasePlan>;
const Decimal = z.string().regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, "must be a plain decimal number such as 0.5");
const DriverKind = z.enum(["wg-quick", "userspace", "export"]);
/** A new passphrase and its repetition: the host, not only the form, says when the two differ. */
export const NewPassphrase = { passphrase: Passphrase, confirmation: z.string().max(1024) };
/** A BIP-44 account index (m/44'/60'/0'/0/<index>), as wallets number their accounts. */
export const AccountIndex = z
  .number()
  .int("must be a whole number")
  .min(0)
  .max(2 ** 31 - 1);

/** An input object that may also be left out altogether. */
export const optional = <T extends z.ZodRawShape>(shape: T) =>
  z
    .strictObject(shape)
    .optional()
    .or(z.null().transform(() => undefined));

export const SettingsPatch = z.strictObject({
  minutes: Minutes.optional(),
  autoRenew: z.boolean().optional(),
  renewMinutes: Minutes.optional(),
  /** The plan of the next connection, and the megabytes it buys (each data renewal buys as many again). */
  plan: PurchasePlan.optional(),
  megabytes: Megabytes.optional(),
  /** A figure, "none" (no cap, chosen explicitly) or null (the default: one hour at the node's price). */
  spendCap: Decimal.or(z.literal("none")).nullable().optional(),
  /** The cap-countdown banner shows from this many minutes before the cap ends a session; 0: never. */
  capWarningMinutes: z.number().int().min(0).max(1_440).optional(),
  lowBalanceMinutes: z.number().int().min(0).max(1_000_000).optional(),
  driver: DriverKind.nullable().optional(),
  nodes: z.array(Url).max(100).optional(),
  explorerTxUrls: z
    .record(
      Network,
      z
        .string()
        .max(2048)
        .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL")
        .refine((url) => url.includes("{hash}"), "must contain {hash} where the transaction hash goes"),
    )
    .optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;
