import Database from 'better-sqlite3';
import { knowledgeBaseReplaced } from './index';

/** The tables of the knowledge base's content: articles, the FTS5 index's own tables, the query segmenter's lexicon. */
const TABLES = ['kb_articles', 'kb_fts_data', 'kb_fts_idx', 'kb_fts_docsize', 'kb_fts_config', 'kb_lexicon'] as const;

export class KbSnapshotRefused extends Error {}

/**
 * Take a knowledge-base snapshot built by the server with this console's own
 * indexer (src/server/kb-snapshot.ts) as this console's knowledge base:
 * copying the built index takes seconds where indexing 100,000 articles
 * takes over a minute. Only into an empty knowledge base, and only from a
 * database of the same schema version; checked before anything is written.
 *
 * The copy runs on a second connection to the same file, in one
 * transaction with the `kb_snapshot` row: all or nothing if the console is
 * killed meanwhile. A second connection because FTS5's shadow tables may
 * only be written with SQLite's defensive mode off (better-sqlite3's
 * unsafeMode), and because FTS5 on `db` then sees the index as changed by
 * another connection and rereads it rather than trusting what it cached.
 */
export function adoptKbSnapshot(db: Database.Database, file: string, version: number): { articles: number } {
  if (db.memory || !db.name) throw new KbSnapshotRefused('an in-memory console database cannot adopt a snapshot');
  const ours = db.pragma('user_version', { simple: true }) as number;
  const schema = (d: Database.Database, prefix = '') =>
    d.prepare(`SELECT name, sql FROM ${prefix}sqlite_master WHERE name IN (${TABLES.map(() => '?').join(', ')}, 'kb_fts') ORDER BY name`).all(...TABLES) as { name: string; sql: string }[];

  const snap = new Database(file, { readonly: true, fileMustExist: true });
  let articles: number;
  try {
    const theirs = snap.pragma('user_version', { simple: true }) as number;
    if (theirs !== ours) throw new KbSnapshotRefused(`snapshot schema ${theirs}, console schema ${ours}`);
    if (JSON.stringify(schema(snap)) !== JSON.stringify(schema(db))) throw new KbSnapshotRefused('the snapshot’s knowledge-base tables differ from ours');
    const check = snap.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new KbSnapshotRefused(`snapshot damaged: ${String(check)}`);
    articles = snap.prepare('SELECT count(*) FROM kb_articles').pluck().get() as number;
  } finally {
    snap.close();
  }

  const writer = new Database(db.name, { fileMustExist: true });
  try {
    writer.unsafeMode(true);
    writer.pragma('busy_timeout = 10000');
    writer.prepare('ATTACH ? AS snap').run(file);
    try {
      writer.transaction(() => {
        if (writer.prepare('SELECT count(*) FROM main.kb_articles').pluck().get() !== 0) throw new KbSnapshotRefused('the console already has articles');
        for (const t of TABLES) {
          writer.exec(`DELETE FROM main.${t}; INSERT INTO main.${t} SELECT * FROM snap.${t};`);
        }
        writer
          .prepare(`INSERT INTO kb_snapshot (id, version, articles, adopted_at) VALUES (1, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, articles = excluded.articles, adopted_at = excluded.adopted_at`)
          .run(version, articles, new Date().toISOString());
      })();
    } finally {
      writer.exec('DETACH snap');
    }
  } finally {
    writer.close();
  }
  knowledgeBaseReplaced(db);
  return { articles };
}

/** The snapshot version this console's knowledge base started from (0: none). */
export function kbSnapshotVersion(db: Database.Database): number {
  return (db.prepare('SELECT version FROM kb_snapshot WHERE id = 1').pluck().get() as number | undefined) ?? 0;
}
