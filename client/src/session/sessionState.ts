import { rm } from "node:fs/promises";
import { ErrorCode, type Lease, LeaseId, WireguardPublicKey } from "@wg402/shared";
import { z } from "zod";
import { ClientError } from "../errors.ts";
import { readIfPresent } from "../files/readIfPresent.ts";
import { writeSecretFile } from "../files/secretFile.ts";
import type { LeaseClient } from "../node/leaseClient.ts";
import { TunnelHandle } from "../tunnel/types.ts";

/**
 * The current lease, remembered between commands (`status`, `renew`, `disconnect`). The only secret is the
 * lease's bearer token, which reads its status (the file is 0600); the WireGuard private key is only in
 * the tunnel's config or device, the wallet key only in the keystore.
 */
export const SessionState = z.object({
  version: z.literal(1),
  nodeUrl: z.string(),
  leaseId: LeaseId,
  network: z.string(),
  publicKey: WireguardPublicKey,
  /** The process running `wg402 connect`, if any. */
  pid: z.number().int().nullable(),
  startedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  tunnel: TunnelHandle.nullable(),
  /** Opens `GET /lease/:id` in full without the wallet. */
  leaseToken: z.string().optional(),
  /** How the lease is paid: `wg402 renew` must pay the same way (a channel lease renews by its channel). */
  scheme: z.enum(["exact", "channel"]).optional(),
  /** Set by `wg402 disconnect` before it closes the lease: a running connect that sees it end knows why. */
  disconnectingAt: z.iso.datetime().optional(),
});
export type SessionState = z.infer<typeof SessionState>;

export async function readSessionState(path: string): Promise<SessionState | null> {
  const text = await readIfPresent(path);
  if (text === null) return null;
  const parsed = SessionState.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ClientError(`${path} is not a wg402 state file; delete it if no tunnel is up`, {
      code: ErrorCode.invalid_argument,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** As `readSessionState`, but `no_active_lease` when there is none. */
export async function requireSessionState(path: string): Promise<SessionState> {
  const state = await readSessionState(path);
  if (!state) {
    throw new ClientError("no current lease: connect first with `wg402 connect <url> --minutes N`", {
      code: ErrorCode.no_active_lease,
    });
  }
  return state;
}

/** What a running session records: its lease, its tunnel's handle and this process. */
export function sessionStateOf(p: {
  client: Pick<LeaseClient, "nodeUrl" | "paymentKind">;
  held: { lease: Lease; expiresAt: number };
  handle: TunnelHandle | null;
  leaseToken: string | null;
  startedAt: string;
}): SessionState {
  return {
    version: 1,
    nodeUrl: p.client.nodeUrl,
    leaseId: p.held.lease.id,
    network: p.client.paymentKind.network,
    publicKey: p.held.lease.publicKey,
    pid: process.pid,
    startedAt: p.startedAt,
    expiresAt: new Date(p.held.expiresAt).toISOString(),
    tunnel: p.handle,
    ...(p.leaseToken ? { leaseToken: p.leaseToken } : {}),
    scheme: p.client.paymentKind.scheme === "exact" ? "exact" : "channel",
  };
}

export async function writeSessionState(path: string, state: SessionState): Promise<void> {
  await writeSecretFile(path, `${JSON.stringify(SessionState.parse(state), null, 2)}\n`);
}

export async function clearSessionState(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Clears the state file only while it still names `leaseId`: another run may have recorded its own since. */
export async function clearSessionStateOf(path: string, leaseId: string): Promise<void> {
  const state = await readSessionState(path).catch(() => null);
  if (state?.leaseId === leaseId) await clearSessionState(path);
}
