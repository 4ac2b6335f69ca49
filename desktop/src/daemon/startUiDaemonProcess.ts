import { fileURLToPath } from "node:url";
import { type ForkedService, forkService } from "@wg402/shared/node";

export type UiDaemonProcess = ForkedService & { token: string };

/**
 * Runs the real UI daemon (`main.ts`) with `env` and resolves once it listens; `url` carries the access
 * token in its fragment (`http://127.0.0.1:PORT/#token=…`), which is what `npm start` prints.
 */
export async function startUiDaemonProcess(
  env: Record<string, string>,
  options: { onOutput?: (line: string) => void; timeoutMs?: number } = {},
): Promise<UiDaemonProcess> {
  const service = await forkService("ui", fileURLToPath(new URL("./main.ts", import.meta.url)), env, options);
  return { ...service, token: new URL(service.url).hash.replace(/^#token=/, "") };
}
