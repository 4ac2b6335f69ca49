/** Forward-only schema migrations; `PRAGMA user_version` records how many ran. */
export const migrations: string[] = [
  `CREATE TABLE leases (
     id TEXT PRIMARY KEY,
     public_key TEXT NOT NULL,
     payer TEXT,
     state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'expired', 'closed')),
     address TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     ended_at INTEGER,
     bytes_up INTEGER NOT NULL DEFAULT 0,
     bytes_down INTEGER NOT NULL DEFAULT 0,
     last_handshake_at INTEGER
   );
   -- One live lease per WireGuard key: the database refuses a second one.
   CREATE UNIQUE INDEX leases_one_live_per_key ON leases (public_key) WHERE state IN ('pending', 'active');
   CREATE INDEX leases_state_expiry ON leases (state, expires_at);

   CREATE TABLE payments (
     payment_key TEXT PRIMARY KEY,
     lease_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('create', 'renew')),
     status TEXT NOT NULL CHECK (status IN ('pending', 'settled', 'failed')),
     scheme TEXT NOT NULL,
     network TEXT NOT NULL,
     asset TEXT NOT NULL,
     payer TEXT NOT NULL,
     amount TEXT NOT NULL,
     minutes INTEGER NOT NULL,
     tx_hash TEXT,
     failure_reason TEXT,
     created_at INTEGER NOT NULL,
     settled_at INTEGER
   );
   CREATE INDEX payments_lease ON payments (lease_id, created_at);
   CREATE INDEX payments_pending ON payments (status, created_at);

   -- An address is held by at most one lease, and a lease holds at most one address.
   CREATE TABLE allocations (
     address TEXT PRIMARY KEY,
     lease_id TEXT UNIQUE,
     released_at INTEGER
   );`,
  // The byte meter across peer generations (see metering/readMeter.ts); bytes_up/down stay the totals.
  `ALTER TABLE leases ADD COLUMN carried_up INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE leases ADD COLUMN carried_down INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE leases ADD COLUMN seen_up INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE leases ADD COLUMN seen_down INTEGER NOT NULL DEFAULT 0;`,
];
