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
  // A payment's outcome can be unknown (the facilitator died mid-settle); the identity's parts are columns;
  // the signed payload is kept so the agent can finish settling it; a paid answer is kept for replays.
  `CREATE TABLE payments_v3 (
     payment_key TEXT PRIMARY KEY,
     lease_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('create', 'renew')),
     status TEXT NOT NULL CHECK (status IN ('pending', 'unknown', 'settled', 'failed')),
     scheme TEXT NOT NULL,
     network TEXT NOT NULL,
     asset TEXT NOT NULL,
     payer TEXT NOT NULL,
     nonce TEXT NOT NULL,
     valid_before INTEGER NOT NULL,
     digest TEXT NOT NULL,
     target TEXT NOT NULL,
     amount TEXT NOT NULL,
     minutes INTEGER NOT NULL,
     payload TEXT,
     requirements TEXT,
     answer TEXT,
     tx_hash TEXT,
     failure_reason TEXT,
     created_at INTEGER NOT NULL,
     settled_at INTEGER
   );
   INSERT INTO payments_v3 (payment_key, lease_id, kind, status, scheme, network, asset, payer, nonce, valid_before,
       digest, target, amount, minutes, tx_hash, failure_reason, created_at, settled_at)
     SELECT payment_key, lease_id, kind, status, scheme, network, asset, payer, substr(payment_key, -66),
       created_at / 1000 + 3600, '', '', amount, minutes, tx_hash, failure_reason, created_at, settled_at
     FROM payments;
   DROP TABLE payments;
   ALTER TABLE payments_v3 RENAME TO payments;
   CREATE INDEX payments_lease ON payments (lease_id, created_at);
   CREATE INDEX payments_open ON payments (status, created_at);
   -- A bearer token for the payer's view of the lease: stored hashed; the plain one only until first sent.
   ALTER TABLE leases ADD COLUMN token_hash TEXT;
   ALTER TABLE leases ADD COLUMN token_unsent TEXT;`,
  // batch-settlement channels (the SDK's ChannelStorage): the config's parts are columns, amounts are decimal
  // strings of base units (they exceed 2^53), and a pending voucher reservation lives on its channel's row.
  `CREATE TABLE channels (
     channel_id TEXT PRIMARY KEY,
     payer TEXT NOT NULL,
     payer_authorizer TEXT NOT NULL,
     receiver TEXT NOT NULL,
     receiver_authorizer TEXT NOT NULL,
     token TEXT NOT NULL,
     withdraw_delay INTEGER NOT NULL,
     salt TEXT NOT NULL,
     charged_cumulative TEXT NOT NULL,
     signed_max_claimable TEXT NOT NULL,
     signature TEXT NOT NULL,
     balance TEXT NOT NULL,
     total_claimed TEXT NOT NULL,
     withdraw_requested_at INTEGER NOT NULL,
     refund_nonce INTEGER NOT NULL,
     onchain_synced_at INTEGER,
     last_request_at INTEGER NOT NULL,
     pending_id TEXT,
     pending_max_claimable TEXT,
     pending_expires_at INTEGER,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX channels_payer ON channels (payer);`,
  // A lease paid by a channel: which one, and the channel's charge and the time its bill counts from (the
  // basis of billing to the second, see channels/channelBilling.ts). Null for a lease paid by `exact`.
  `ALTER TABLE leases ADD COLUMN channel_id TEXT;
   ALTER TABLE leases ADD COLUMN channel_t0 INTEGER;
   ALTER TABLE leases ADD COLUMN channel_c0 TEXT;
   -- Set once the channel was charged the lease's final seconds (at its close or expiry).
   ALTER TABLE leases ADD COLUMN channel_billed_at INTEGER;`,
  // The channel's charge when it began paying for the lease: `channel_c0` moves on when a lapsed lease's bill
  // starts again, this does not, so the receipt can say what the whole lease cost.
  `ALTER TABLE leases ADD COLUMN channel_opening_c0 TEXT;`,
  // Data leases (issue 15): what limits the lease, its allowance in bytes (null: no data limit), the bytes it
  // had moved when its channel bill basis was set, and the megabytes each payment bought.
  `ALTER TABLE leases ADD COLUMN plan TEXT NOT NULL DEFAULT 'time';
   ALTER TABLE leases ADD COLUMN bytes_allowed INTEGER;
   ALTER TABLE leases ADD COLUMN channel_b0 INTEGER;
   ALTER TABLE payments ADD COLUMN megabytes INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX leases_data ON leases (state, expires_at) WHERE bytes_allowed IS NOT NULL;`,
];
