import type { Migration } from '../migrate';

/** Settings, the operator's session, call records and the outbox of mutations. */
export const m0001_core: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE call_records (
        id            TEXT PRIMARY KEY,
        direction     TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
        caller_number TEXT NOT NULL,
        callee_number TEXT NOT NULL DEFAULT '',
        operator_id   TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        answered_at   TEXT,
        ended_at      TEXT NOT NULL,
        outcome       TEXT NOT NULL,
        sip_call_id   TEXT
      ) STRICT;
      CREATE INDEX call_records_started ON call_records (started_at DESC);
      CREATE INDEX call_records_caller ON call_records (caller_number, started_at DESC);

      -- Intent mutations waiting to reach the server (see src/shared/sync.ts).
      CREATE TABLE outbox (
        id          TEXT PRIMARY KEY,           -- UUIDv7, also the mutation id on the server
        name        TEXT NOT NULL,
        args        TEXT NOT NULL,              -- JSON
        created_at  TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','rejected')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        sent_at     TEXT
      ) STRICT;
      CREATE INDEX outbox_pending ON outbox (status, id);
    `);
  },
};
