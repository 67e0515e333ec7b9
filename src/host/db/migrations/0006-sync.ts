import type { Migration } from '../migrate';

/**
 * Pull sync: each operator's cursor in the server's change log, and the
 * server's last snapshot of each ticket, which local changes still waiting
 * in the outbox are replayed on (see src/host/sync/apply.ts).
 */
export const m0006_sync: Migration = {
  version: 6,
  name: 'sync',
  up(db) {
    db.exec(`
      CREATE TABLE sync_cursor (
        user_id   TEXT PRIMARY KEY,
        version   INTEGER NOT NULL,            -- the server's change-log version applied up to
        pulled_at TEXT NOT NULL
      ) STRICT;
      ALTER TABLE tickets ADD COLUMN server_snapshot TEXT;   -- JSON TicketSnapshot, NULL until pulled
      ALTER TABLE tickets ADD COLUMN server_version INTEGER; -- change-log version of that snapshot
    `);
  },
};
