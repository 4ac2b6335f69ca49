// The daemon's event stream as messages, parsed by eventsource-parser. EventSource itself cannot be used:
// it sends no Authorization header, and the token must never go into a URL.
import { EventSourceParserStream } from "eventsource-parser/stream";

/** One text/event-stream message, with the defaults EventSource gives: type "message", no id. */
export type SseMessage = { event: string; data: string; id: string | null };

/** The messages of a decoded event stream, each as soon as its block is complete. */
export function sseMessages(text: ReadableStream<string>): ReadableStream<SseMessage> {
  return text.pipeThrough(new EventSourceParserStream()).pipeThrough(
    new TransformStream({
      transform(message, controller) {
        controller.enqueue({ event: message.event ?? "message", data: message.data, id: message.id ?? null });
      },
    }),
  );
}
