import type { Migration } from '../migrate';
import seed from '../../kb/synonyms.zh.json';

/**
 * The knowledge base: articles as published, the full-text index over their
 * folded and segmented text (see src/host/kb), the vocabulary the query
 * segmenter is built from, the editable synonym groups (seeded with the
 * default vocabulary) and the log of searches that found nothing.
 */
export const m0002_knowledge_base: Migration = {
  version: 2,
  name: 'knowledge-base',
  up(db) {
    db.exec(`
      -- Small columns first: search filters read them without touching the
      -- long text columns, which SQLite keeps on overflow pages.
      CREATE TABLE kb_articles (
        id              INTEGER PRIMARY KEY,
        source_id       TEXT NOT NULL UNIQUE,
        status          TEXT NOT NULL CHECK (status IN ('draft','published','retired')),
        version         INTEGER NOT NULL DEFAULT 1,
        valid_from      TEXT,                             -- YYYY-MM-DD
        valid_to        TEXT,
        category        TEXT NOT NULL DEFAULT '',
        unit            TEXT NOT NULL DEFAULT '',
        contact_phone   TEXT NOT NULL DEFAULT '',
        updated_at      TEXT NOT NULL,
        -- Folded (Simplified, NFKC, lower-case) forms for filters, coverage and snippets.
        category_folded TEXT NOT NULL,
        unit_folded     TEXT NOT NULL,
        title           TEXT NOT NULL,
        title_folded    TEXT NOT NULL,
        title_initials  TEXT NOT NULL,                    -- the pinyin-initial tokens of title and keywords
        keywords        TEXT NOT NULL DEFAULT '[]',       -- JSON array
        keywords_folded TEXT NOT NULL,
        body_folded     TEXT NOT NULL,
        answer_html     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX kb_articles_category ON kb_articles (category_folded);
      -- Small: lets a search learn in microseconds whether any article is not published.
      CREATE INDEX kb_articles_status ON kb_articles (status);

      -- Tokens are produced by src/host/kb/text.ts and joined by spaces, so the
      -- tokenizer only splits on them. Contentless: the text lives in kb_articles.
      -- grams: character bigrams of title and keywords, for type-ahead on a
      -- half-typed word that jieba would cut differently from the whole one.
      CREATE VIRTUAL TABLE kb_fts USING fts5(
        title, keywords, body, initials, grams,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 0'
      );
      CREATE VIRTUAL TABLE kb_fts_terms USING fts5vocab(kb_fts, 'row');

      -- Words of the index with jieba's dictionary frequency: the query segmenter's dictionary.
      CREATE TABLE kb_lexicon (
        word TEXT PRIMARY KEY,
        freq INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE kb_synonym_groups (
        id         INTEGER PRIMARY KEY,
        terms      TEXT NOT NULL,                         -- JSON array, as the operator wrote them
        note       TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
      ) STRICT;

      -- What operators searched for and did not find: the synonym vocabulary grows from here.
      CREATE TABLE kb_search_misses (
        query      TEXT PRIMARY KEY,
        count      INTEGER NOT NULL DEFAULT 1,
        last_at    TEXT NOT NULL
      ) STRICT;
    `);
    const now = new Date().toISOString();
    const insert = db.prepare('INSERT INTO kb_synonym_groups (terms, note, updated_at) VALUES (?, ?, ?)');
    for (const g of seed.groups) insert.run(JSON.stringify(g.terms), g.note ?? '', now);
  },
};
