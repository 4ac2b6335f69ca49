// Every command's input, checked where it enters the host: the renderer is not trusted, whichever transport
// it used. The map must cover every command with a schema of exactly its declared input type.
import { z } from "zod";
import type { CommandInput, CommandName } from "../api/commands.ts";

const Nothing = z.undefined().or(z.null().transform(() => undefined));
const Passphrase = z.string().min(1, "the passphrase must not be empty").max(1024);
const Url = z.string().min(1).max(2048);
const Network = z.string().regex(/^eip155:[0-9]+$/, "must be a CAIP-2 network such as eip155:8453");
const Minutes = z.number().int("must be a whole number of minutes").positive().max(100_000);
const Decimal = z.string().regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, "must be a plain decimal number such as 0.5");
const DriverKind = z.enum(["wg-quick", "userspace", "export"]);

export const SettingsPatch = z.strictObject({
  minutes: Minutes.optional(),
  autoRenew: z.boolean().optional(),
  renewMinutes: Minutes.optional(),
  spendCap: Decimal.nullable().optional(),
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

const OptionalNetwork = z
  .strictObject({ network: Network.optional() })
  .optional()
  .or(z.null().transform(() => undefined));

export const commandInputs = {
  "app.info": Nothing,
  "wallet.status": Nothing,
  "wallet.create": z.strictObject({ passphrase: Passphrase }),
  "wallet.import": z.strictObject({ privateKey: z.string().max(200), passphrase: Passphrase }),
  "wallet.unlock": z.strictObject({ passphrase: Passphrase }),
  "wallet.lock": Nothing,
  "wallet.balances": OptionalNetwork,
  "wallet.faucet": OptionalNetwork,
  "nodes.list": z
    .strictObject({ refresh: z.boolean().optional() })
    .optional()
    .or(z.null().transform(() => undefined)),
  "nodes.add": z.strictObject({ url: Url }),
  "nodes.remove": z.strictObject({ url: Url }),
  "nodes.quote": z.strictObject({ url: Url, minutes: Minutes }),
  "session.status": Nothing,
  "session.connect": z.strictObject({ nodeUrl: Url, minutes: Minutes.optional() }),
  "session.disconnect": Nothing,
  "session.resume": Nothing,
  "session.closeRecorded": Nothing,
  "settings.get": Nothing,
  "settings.update": SettingsPatch,
  "history.list": Nothing,
} satisfies { [K in CommandName]: z.ZodType<CommandInput<K>, unknown> };
