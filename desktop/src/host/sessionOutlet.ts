import type { WireError } from "@wg402/shared";
import type { ApiEvents, ApiEventType } from "../api/events.ts";

/** Where the session's parts send what the UI should hear: API events, a fresh snapshot, a background warning. */
export type SessionOutlet = {
  publish<K extends ApiEventType>(type: K, payload: ApiEvents[K]): void;
  /** The session changed: publish a new snapshot at the next revision. */
  publishSession(): void;
  warn(error: WireError): void;
  /** The explorer link for a transaction on `network`, with the user's templates. */
  txUrl(network: string, hash: string | null): string | null;
};
