import type { ServerResponse } from "node:http";
import type { ApiEvent } from "../api/events.ts";

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events: one `event: <type>` / `data: <json>` block per API event, and a comment every 15 s so
 * proxies and the browser keep the connection open. Ends when the client goes away.
 */
export function openEventStream(
  response: ServerResponse,
  subscribe: (listener: (event: ApiEvent) => void) => () => void,
): void {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let id = 0;
  response.write(": wg402 events\n\n");
  const unsubscribe = subscribe((event) => {
    id++;
    response.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => response.write(": ping\n\n"), HEARTBEAT_MS);
  response.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
