// The sandboxed preload: exposes exactly two functions as `window.wg402`, never ipcRenderer itself. A
// command name outside the list is refused here, and main checks the sender again.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from "electron";
import type { PreloadBridge } from "../api/clientApi.ts";
import type { CommandName } from "../api/commands.ts";
import { commandChannels, eventChannel } from "./ipcChannels.ts";

const bridge: PreloadBridge = {
  invoke(name, input) {
    const channel = Object.hasOwn(commandChannels, name) ? commandChannels[name as CommandName] : undefined;
    if (!channel) {
      return Promise.resolve({
        ok: false,
        error: { error: "not_found", message: `there is no command called ${name}` },
      });
    }
    return ipcRenderer.invoke(channel, input);
  },
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(eventChannel, handler);
    return () => {
      ipcRenderer.removeListener(eventChannel, handler);
    };
  },
};

contextBridge.exposeInMainWorld("wg402", bridge);
