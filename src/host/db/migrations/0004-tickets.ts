import type { Migration } from '../migrate';

/**
 * Tickets on the console: the reference bundle it files against, tickets
 * (filed here, or seen in a caller's history from the server) with their
 * events, the calls the server reported for a caller, and form drafts.
 */
export const m0004_tickets: Migration = {
  version: 4,
  name: 'tickets',
  up(db) {
    db.exec(`
      -- The last reference bundle from the server (one row); none until the first sync.
      CREATE TABLE reference_cache (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        version    INTEGER NOT NULL,
        bundle     TEXT NOT NULL,              -- JSON ReferenceBundle
        synced_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE tickets (
        id               TEXT PRIMARY KEY,     -- UUIDv7, also the createTicket mutation id
        number           TEXT,                 -- issued by the server; NULL until the first sync
        status           TEXT NOT NULL,
        accepted_at      TEXT NOT NULL,
        accepted_by      TEXT NOT NULL,
        caller_number    TEXT,                 -- normalized ANI of the call it came from
        callback_phone   TEXT,                 -- normalized
        request_type     TEXT NOT NULL,
        category_id      TEXT NOT NULL,
        division_code    TEXT NOT NULL,
        address          TEXT,
        description      TEXT NOT NULL,
        urgency          TEXT,
        assigned_unit_id TEXT,
        due_at           TEXT,
        due_provisional  INTEGER NOT NULL DEFAULT 0,
        origin           TEXT NOT NULL CHECK (origin IN ('local','server')),
        data             TEXT,                 -- JSON Ticket as filed here; NULL for tickets seen from the server
        updated_at       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX tickets_caller_number ON tickets (caller_number, accepted_at DESC) WHERE caller_number IS NOT NULL;
      CREATE INDEX tickets_callback_phone ON tickets (callback_phone, accepted_at DESC) WHERE callback_phone IS NOT NULL;
      CREATE INDEX tickets_number ON tickets (number) WHERE number IS NOT NULL;
      CREATE INDEX tickets_accepted_by ON tickets (accepted_by, accepted_at DESC);
      CREATE INDEX tickets_place ON tickets (category_id, division_code, accepted_at DESC);

      CREATE TABLE ticket_events (
        seq         INTEGER PRIMARY KEY,
        ticket_id   TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        at          TEXT NOT NULL,
        actor_id    TEXT NOT NULL,
        type        TEXT NOT NULL,
        from_status TEXT,
        to_status   TEXT,
        detail      TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, seq);

      -- Calls of a caller as the server reported them (other workstations' too).
      CREATE TABLE caller_calls (
        id          TEXT PRIMARY KEY,
        phone       TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        operator_id TEXT NOT NULL
      ) STRICT;
      CREATE INDEX caller_calls_phone ON caller_calls (phone, started_at DESC);

      -- The ticket form as typed, saved continuously; removed when the ticket is filed.
      CREATE TABLE ticket_drafts (
        id            TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL,
        call_id       TEXT,
        caller_number TEXT,
        data          TEXT NOT NULL,           -- JSON, partial
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX ticket_drafts_user ON ticket_drafts (user_id, updated_at DESC);
    `);
  },
};
