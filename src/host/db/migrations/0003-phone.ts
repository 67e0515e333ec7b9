import type { Migration } from '../migrate';

/** Call quality on the call record, and the operator's state changes (both go to the server through the outbox). */
export const m0003_phone: Migration = {
  version: 3,
  name: 'phone',
  up(db) {
    db.exec(`
      ALTER TABLE call_records ADD COLUMN quality TEXT; -- JSON CallQuality, or NULL

      CREATE TABLE agent_state_events (
        id             TEXT PRIMARY KEY,          -- UUIDv7, also the outbox mutation id
        operator_id    TEXT NOT NULL,
        state          TEXT NOT NULL,
        reason         TEXT,
        at             TEXT NOT NULL,
        previous_state TEXT,
        previous_ms    INTEGER
      ) STRICT;
      CREATE INDEX agent_state_events_operator ON agent_state_events (operator_id, at DESC);
    `);
  },
};
