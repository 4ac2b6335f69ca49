// The client API over the UI daemon: commands are POSTs, events an SSE stream read with fetch, so the
// access token travels in a header (EventSource cannot send one) and never lands in a URL or a log.

import { backoffDelay } from "@wg402/client/runtime";
import type { ClientApi, EventListener, LinkState } from "../../api/clientApi.ts";
import type { CommandEnvelope } from "../../api/envelope.ts";
import { type ApiEvent, isApiEventType } from "../../api/events.ts";
import { sseMessages } from "./sseMessages.ts";

const RECONNECT = { initialMs: 500, factor: 2, maxMs: 5_000 };

export function httpTransport(options: { baseUrl: string; token: string }): ClientApi {
  const auth = { authorization: `Bearer ${options.token}` };
  return {
    async call(name, input) {
      const response = await fetch(`${options.baseUrl}/api/commands/${name}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(input ?? null),
      });
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new Error(`HTTP ${response.status} without a JSON answer`);
      }
      return body as CommandEnvelope<typeof name>;
    },

    subscribe(listener: EventListener, onLink?: (state: LinkState) => void) {
      let stopped = false;
      let controller: AbortController | null = null;
      let attempt = 0;
      const run = async () => {
        while (!stopped) {
          controller = new AbortController();
          try {
            const response = await fetch(`${options.baseUrl}/api/events`, { headers: auth, signal: controller.signal });
            if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
            attempt = 0;
            onLink?.("open");
            const reader = sseMessages(response.body.pipeThrough(new TextDecoderStream())).getReader();
            for (;;) {
              const { value: message, done } = await reader.read();
              if (done) break;
              if (isApiEventType(message.event)) listener(JSON.parse(message.data) as ApiEvent);
            }
          } catch {
            // Reported through onLink below; the loop tries again.
          }
          if (stopped) return;
          onLink?.("lost");
          await new Promise((resolve) => setTimeout(resolve, backoffDelay(++attempt, RECONNECT)));
        }
      };
      void run();
      return () => {
        stopped = true;
        controller?.abort();
      };
    },
  };
}
