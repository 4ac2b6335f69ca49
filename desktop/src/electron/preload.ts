// The sandboxed preload: exposes exactly two functions as `window.wg402`, never ipcRenderer itself. A
// command name outside the list is refused here, and main checks the sender again.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from "electron";
import type { PreloadBridge } from "../api/clientApi.ts";
import type { CommandName } from "../api/commands.ts";
import { commandChannel, eventChannel } from "./ipcChannels.ts";

// Exhaustive against the registry (a missing or unknown name fails to compile). Not imported from it: that
// would bundle the input schemas, and zod, into every window's sandbox.
const commands: Record<CommandName, true> = {
  "app.info": true,
  "wallet.status": true,
  "wallet.create": true,
  "wallet.import": true,
  "wallet.export": true,
  "wallet.qr": true,
  "wallet.unlock": true,
  "wallet.lock": true,
  "wallet.balances": true,
  "wallet.faucet": true,
  "nodes.list": true,
  "nodes.add": true,
  "nodes.remove": true,
  "nodes.quote": true,
  "session.status": true,
  "session.connect": true,
  "session.disconnect": true,
  "session.resume": true,
  "session.closeRecorded": true,
  "settings.get": true,
  "settings.update": true,
  "history.list": true,
  "receipts.export": true,
  "channels.list": true,
  "channels.withdraw": true,
  "channels.finalize": true,
};

const bridge: PreloadBridge = {
  invoke(name, input) {
    if (!Object.hasOwn(commands, name)) {
      return Promise.resolve({
        ok: false,
        error: { error: "not_found", message: `there is no command called ${name}` },
      });
    }
    return ipcRenderer.invoke(commandChannel(name as CommandName), input);
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
