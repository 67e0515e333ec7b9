import type { Migration } from '../migrate';

/** Which article answered which call: the panel's "recently and most used", and the ticket's record of it. */
export const m0005_kb_usage: Migration = {
  version: 5,
  name: 'kb-usage',
  up(db) {
    db.exec(`
      CREATE TABLE kb_article_uses (
        id          INTEGER PRIMARY KEY,
        article_id  INTEGER NOT NULL,
        source_id   TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        call_id     TEXT,
        used_at     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX kb_article_uses_operator ON kb_article_uses (operator_id, used_at DESC);
      CREATE INDEX kb_article_uses_article ON kb_article_uses (article_id);
    `);
  },
};
