import type { ApiEvent } from "../api/events.ts";

export type ApiEventListener = (event: ApiEvent) => void;

/** The host's event stream: every transport subscribes here. A listener that throws never stops the others. */
export class EventBus {
  private readonly listeners = new Set<ApiEventListener>();

  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(event: ApiEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error(`wg402-desktop: a listener for "${event.type}" threw:`, error);
      }
    }
  }
}
