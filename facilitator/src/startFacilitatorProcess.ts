import { fileURLToPath } from "node:url";
import { type ForkedService, forkService } from "@wg402/shared/node";

export type FacilitatorProcess = ForkedService;

/** Runs the real facilitator process (`main.ts`) with `env`, as `npm start`, benches and e2e tests need it. */
export function startFacilitatorProcess(
  env: Record<string, string>,
  options: { onOutput?: (line: string) => void; timeoutMs?: number } = {},
): Promise<FacilitatorProcess> {
  return forkService("facilitator", fileURLToPath(new URL("./main.ts", import.meta.url)), env, options);
}
