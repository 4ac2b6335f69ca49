import type { WireError } from "@wg402/shared";
import { useState } from "react";
import type { CommandInput } from "../api/commands.ts";
import { wireErrorOf } from "../api/envelope.ts";
import { useStore } from "./storeContext.ts";

/** Saves a change to the settings and says how it went, for a form to show next to itself. */
export function useSaveSettings() {
  const store = useStore();
  const [error, setError] = useState<WireError | null>(null);
  const [saved, setSaved] = useState(false);
  const save = async (patch: CommandInput<"settings.update">) => {
    setError(null);
    setSaved(false);
    try {
      await store.call("settings.update", patch);
      setSaved(true);
    } catch (e) {
      setError(wireErrorOf(e));
    }
  };
  return { save, error, saved };
}
