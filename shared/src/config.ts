import type { z } from "zod";
import { BaseError, ErrorCode } from "./errors.ts";

// A bad private key or passphrase must not reach the logs: for these names the message omits the value.
const SECRET_NAME = /KEY|SECRET|PASSPHRASE|PASSWORD|TOKEN|MNEMONIC/i;

export type ConfigErrorType = BaseError & { code: typeof ErrorCode.invalid_config };

/**
 * Parses `env` with `schema` once, at start-up, and fails fast with one line per bad variable, each naming
 * the variable, so that an operator can fix the deployment without reading code.
 */
export function parseConfig<TSchema extends z.ZodType>(
  schema: TSchema,
  env: Record<string, string | undefined> = process.env,
): z.infer<TSchema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const given = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return given === undefined || SECRET_NAME.test(name)
      ? `${name}: ${issue.message}`
      : `${name}=${JSON.stringify(given)}: ${issue.message}`;
  });
  throw new BaseError("invalid configuration", {
    code: ErrorCode.invalid_config,
    metaMessages: problems,
    details: problems,
  });
}
