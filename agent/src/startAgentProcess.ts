import { fileURLToPath } from "node:url";
import { type ForkedService, forkService } from "@wg402/shared/node";

export type AgentProcess = ForkedService & { driver: string };

/** Runs the real agent process (`main.ts`) with `env` and resolves with its URL once it listens. */
export async function startAgentProcess(
  env: Record<string, string>,
  options: { onOutput?: (line: string) => void; timeoutMs?: number } = {},
): Promise<AgentProcess> {
  const service = await forkService("agent", fileURLToPath(new URL("./main.ts", import.meta.url)), env, options);
  return { ...service, driver: String(service.message.driver ?? "") };
}
