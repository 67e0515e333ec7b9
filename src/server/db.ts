import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** What both engines offer: parameterised queries ($1, $2…) and multi-statement scripts. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Run `fn` in one transaction: COMMIT if it resolves, ROLLBACK if it throws (and rethrow). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// — a real PostgreSQL through a `pg` pool. */
  url?: string;
  /** Folder for embedded PGlite, created if missing. */
  dataDir?: string;
  /** Embedded PGlite in memory (tests). */
  memory?: boolean;
}

/**
 * One SQL dialect, two engines: a real PostgreSQL when given a URL, else
 * PGlite (PostgreSQL compiled to WASM) in a folder or in memory.
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Db> {
  if (opts.url) {
    if (!/^postgres(ql)?:\/\//.test(opts.url)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
    return openPostgres(opts.url);
  }
  if (opts.memory) return openPglite(undefined);
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    return openPglite(opts.dataDir);
  }
  throw new Error('openDatabase: give a postgres:// url, a dataDir or memory: true');
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const lite = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  let closed = false;
  return {
    kind: 'pglite',
    async query<T>(sql: string, params?: readonly unknown[]) {
      const res = await lite.query<T>(sql, params ? [...params] : undefined);
      return { rows: res.rows };
    },
    async exec(sql) {
      await lite.exec(sql);
    },
    // PGlite is one connection: its transaction() holds a mutex, so statements
    // from outside the transaction wait instead of interleaving with it.
    transaction(fn) {
      return lite.transaction((tx) =>
        fn({
          async query<T>(sql: string, params?: readonly unknown[]) {
            const res = await tx.query<T>(sql, params ? [...params] : undefined);
            return { rows: res.rows };
          },
          async exec(sql) {
            await tx.exec(sql);
          },
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await lite.close();
    },
  };
}

async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  const client = await pool.connect(); // fail fast on a wrong URL
  client.release();
  let closed = false;

  const on = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const res = await c.query(sql, params ? [...params] : undefined);
      return { rows: res.rows as T[] };
    },
    async exec(sql) {
      // Without parameters pg uses the simple query protocol, which allows several statements.
      await c.query(sql);
    },
  });

  return {
    kind: 'postgres',
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const c = await pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const result = await fn(on(c));
        await c.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await c.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // do not return a connection in an unknown state to the pool
        }
        throw err;
      } finally {
        c.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
