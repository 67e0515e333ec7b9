import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/server/db';
import { openDatabase } from '../../src/server/db';
import { loadMigrations, migrate, type Migration } from '../../src/server/migrate';
import { ENGINES } from './engines';

async function tables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

describe.each(ENGINES)('the server schema on $name', (engine) => {
  const open: Db[] = [];
  const fresh = async () => {
    const db = await engine.freshDb();
    open.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.close()));
  });

  it('an empty database gets every table at first start, and a second start changes nothing', async () => {
    const db = await fresh();
    const shipped = loadMigrations();
    const first = await migrate(db);
    expect(first.applied).toEqual(shipped.map((m) => m.version));
    expect(await tables(db)).toEqual(
      expect.arrayContaining(['users', 'call_records', 'applied_mutations', 'audit_log', 'schema_migrations', 'server_secrets']),
    );

    const second = await migrate(db);
    expect(second).toEqual({ applied: [], version: shipped.at(-1)!.version });
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(shipped.map((m) => m.version));
  });

  it('a migration that fails leaves the database at the last whole migration', async () => {
    const db = await fresh();
    const migrations: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (id int);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE two (id int); SELECT no_such_function();' },
    ];
    await expect(migrate(db, migrations)).rejects.toThrow();
    expect(await tables(db)).toContain('one');
    expect(await tables(db)).not.toContain('two');
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => r.version)).toEqual([1]);
  });

  it('a migration edited after it was applied is refused rather than silently skipped', async () => {
    const db = await fresh();
    await migrate(db, [{ version: 1, name: 'one', sql: 'CREATE TABLE one (id int);' }]);
    await expect(migrate(db, [{ version: 1, name: 'one', sql: 'CREATE TABLE one (id bigint);' }])).rejects.toThrow(/changed after it was applied/);
  });

  it('an older server refuses a database a newer server has migrated', async () => {
    const db = await fresh();
    await migrate(db, [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (id int);' },
      { version: 2, name: 'two', sql: 'CREATE TABLE two (id int);' },
    ]);
    await expect(migrate(db, [{ version: 1, name: 'one', sql: 'CREATE TABLE one (id int);' }])).rejects.toThrow(/newer than this server/);
  });

  it('several runners migrating at once apply each migration exactly once', async () => {
    // On PostgreSQL: four server instances, each with its own connection pool, on one database.
    // On PGlite there is one connection per database, so the runners share it.
    const url = engine.kind === 'postgres' ? await engine.freshUrl() : null;
    const shared = url ? null : await fresh();
    const runners: Db[] = [];
    for (let i = 0; i < 4; i++) {
      const db = url ? await openDatabase({ url }) : shared!;
      if (url) open.push(db);
      runners.push(db);
    }
    const results = await Promise.all(runners.map((db) => migrate(db)));
    const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
    expect(applied).toEqual(loadMigrations().map((m) => m.version));
    const { rows } = await runners[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]!.n).toBe(loadMigrations().length);
  });
});
