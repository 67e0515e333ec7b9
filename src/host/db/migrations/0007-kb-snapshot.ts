import type { Migration } from '../migrate';

/**
 * The knowledge-base snapshot this console started from (see
 * src/host/kb/snapshot.ts): it holds every article up to `version` of the
 * server's change log, so pulls leave those out (`kbAfter`).
 */
export const m0007_kb_snapshot: Migration = {
  version: 7,
  name: 'kb-snapshot',
  up(db) {
    db.exec(`
      CREATE TABLE kb_snapshot (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        version    INTEGER NOT NULL,
        articles   INTEGER NOT NULL,
        adopted_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
