import { createContext, useContext } from "react";
import type { AppState } from "./state/appState.ts";
import { type AppStore, useAppState } from "./state/appStore.ts";

export const StoreContext = createContext<AppStore | null>(null);

export function useStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useStore outside <StoreContext>");
  return store;
}

/** One slice of the app state; the selector must return a value already in the state (no new objects). */
export function useSelect<T>(select: (state: AppState) => T): T {
  return useAppState(useStore(), select);
}
