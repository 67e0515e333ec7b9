/**
 * The out-of-order commit case, on a real PostgreSQL with two real
 * concurrent transactions. Versions are taken from the single sync_head row
 * as the last step of a writing transaction, so the second writer waits on
 * the first's row lock: it cannot take a version before the first commits,
 * and it cannot commit before it either. A console pulling between the two
 * commits gets the first change, and the second one at its next pull: none
 * is skipped. (With versions from a plain sequence, the second transaction
 * could commit first with the higher version, and a pull in between would
 * move the cursor past the first one for good.)
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendChanges } from '../../src/server/changes';
import { openDatabase, type Db, type Queryable } from '../../src/server/db';
import { migrate } from '../../src/server/migrate';
import { pullPage } from '../../src/server/pull';
import { seedDemo } from '../../src/server/seed';
import { PullResponse } from '../../src/shared/sync-changes';
import { ENGINES } from './engines';

const postgres = ENGINES.find((e) => e.kind === 'postgres')!;
let url: string;
let db: Db;
const lead = { id: '', role: 'lead' as const };

const on = (c: pg.Client): Queryable => ({
  query: async (sql, params) => ({ rows: (await c.query(sql, params ? [...params] : undefined)).rows }),
  exec: async (sql) => void (await c.query(sql)),
});

async function pull(since: number) {
  return PullResponse.parse(JSON.parse(await pullPage(db, lead, since, 100)));
}

const article = (sourceId: string) => ({
  scope: 'all' as const,
  entity: 'kb_article' as const,
  entityId: sourceId,
  op: 'put' as const,
  payload: { sourceId, version: 1, article: { sourceId, title: sourceId } },
});

beforeAll(async () => {
  url = await postgres.freshUrl();
  db = await openDatabase({ url });
  await migrate(db);
  await seedDemo(db);
  const { rows } = await db.query<{ id: string }>("SELECT id FROM users WHERE username = 'lead01'");
  lead.id = rows[0]!.id;
});
afterAll(() => db?.close());

describe('two writers committing in the opposite order of their start, on PostgreSQL', () => {
  it('the later writer waits for the earlier one’s version to commit; a pull between the commits misses nothing', async () => {
    const first = new pg.Client({ connectionString: url });
    const second = new pg.Client({ connectionString: url });
    await first.connect();
    await second.connect();
    try {
      const base = (await pull(0)).nextVersion;
      // The second transaction starts first and does its work first…
      await second.query('BEGIN');
      await second.query("INSERT INTO audit_log (action) VALUES ('test.second')");
      await first.query('BEGIN');
      // …but the first one logs its change first and holds version base+1.
      expect(await appendChanges(on(first), [article('FIRST')])).toBe(base + 1);
      const secondLogs = appendChanges(on(second), [article('SECOND')]);
      // The second is now blocked on the sync_head row, inside PostgreSQL.
      for (;;) {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE sync_head%'",
        );
        if (rows[0]!.n === 1) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      // Nothing committed yet: a console pulling now gets nothing and stays where it was.
      expect(await pull(base)).toEqual({ changes: [], nextVersion: base, more: false });

      await first.query('COMMIT');
      const between = await pull(base);
      expect(between.changes.map((c) => [c.version, c.entityId])).toEqual([[base + 1, 'FIRST']]);

      expect(await secondLogs).toBe(base + 2);
      // Not committed yet: still invisible, and the cursor does not move past it.
      expect(await pull(between.nextVersion)).toEqual({ changes: [], nextVersion: base + 1, more: false });
      await second.query('COMMIT');
      const after = await pull(between.nextVersion);
      expect(after.changes.map((c) => [c.version, c.entityId])).toEqual([[base + 2, 'SECOND']]);
    } finally {
      await first.end();
      await second.end();
    }
  });

  it('a writer that rolls back leaves no hole a pull could stop at', async () => {
    const base = (await pull(0)).nextVersion;
    await expect(
      db.transaction(async (tx) => {
        await appendChanges(tx, [article('ROLLED-BACK')]);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await db.transaction((tx) => appendChanges(tx, [article('KEPT')]));
    const p = await pull(base);
    expect(p.changes.map((c) => [c.version, c.entityId])).toEqual([[base + 1, 'KEPT']]);
  });
});
