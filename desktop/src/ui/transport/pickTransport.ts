// Electron's preload bridge when present; otherwise the UI daemon that served this page, with the token
// from the URL's fragment (kept for this tab only, and removed from the address bar).
import type { ClientApi, PreloadBridge } from "../../api/clientApi.ts";
import { httpTransport } from "./httpTransport.ts";
import { ipcTransport } from "./ipcTransport.ts";

const TOKEN_KEY = "wg402.token";

export function pickTransport(): ClientApi | { missingToken: true } {
  const bridge = (window as unknown as { wg402?: PreloadBridge }).wg402;
  if (bridge) return ipcTransport(bridge);
  const fromHash = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash)?.[1];
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  const token = fromHash ?? sessionStorage.getItem(TOKEN_KEY);
  if (!token) return { missingToken: true };
  return httpTransport({ baseUrl: window.location.origin, token });
}
