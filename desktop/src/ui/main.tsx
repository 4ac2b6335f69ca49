import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { AppStore } from "./state/appStore.ts";
import { StoreContext } from "./storeContext.ts";
import "./styles.css";
import { watchTheme } from "./theme.ts";
import { pickTransport } from "./transport/pickTransport.ts";

watchTheme();
const root = createRoot(document.getElementById("root") as HTMLElement);
const transport = pickTransport();
if ("missingToken" in transport) {
  root.render(
    <main className="mx-auto max-w-xl p-6">
      <h1 className="mb-2 text-xl font-bold">wg402</h1>
      <p role="alert">
        This page needs the access token the wg402 service printed when it started. Open the full URL it printed (it
        ends in #token=…).
      </p>
      <p className="mt-2 font-mono text-[11px] opacity-70">code: unauthorized</p>
    </main>,
  );
} else {
  const store = new AppStore(transport);
  store.start();
  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
}
