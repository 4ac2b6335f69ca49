// The client API over Electron's preload bridge (`window.wg402`). Main does the work; this only forwards.
import type { ClientApi, PreloadBridge } from "../../api/clientApi.ts";
import type { CommandEnvelope } from "../../api/envelope.ts";
import type { ApiEvent } from "../../api/events.ts";

export function ipcTransport(bridge: PreloadBridge): ClientApi {
  return {
    async call(name, input) {
      return (await bridge.invoke(name, input ?? null)) as CommandEnvelope<typeof name>;
    },
    subscribe(listener, onLink) {
      const off = bridge.onEvent((event) => listener(event as ApiEvent));
      // IPC does not drop: the link is open for as long as the window lives.
      onLink?.("open");
      return off;
    },
  };
}
