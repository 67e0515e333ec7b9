import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** What both engines offer: parameterised queries ($1, $2…) and multi-statement scripts. */
export interface Queryable {
  /**
   * `prepare`: a name for a statement run very often, so that PostgreSQL
   * parses and plans it once per connection rather than at every call (one
   * name, one SQL text). PGlite ignores it.
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], prepare?: string): Promise<{ rows: T[] }>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** The same object for a database and every transaction on it: what per-database caches are keyed on. */
  readonly cacheKey?: object;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Run `fn` in one transaction: COMMIT if it resolves, ROLLBACK if it throws (and rethrow). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Call `onNotify` for every NOTIFY on `channel` (sent by any instance on
   * this database), and with '' after a lost listening connection came back,
   * since notifications sent meanwhile are gone. Resolves to a stop function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

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
    cacheKey: lite,
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
          cacheKey: lite,
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
    async listen(channel, onNotify) {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`bad channel name ${channel}`);
      const unlisten = await lite.listen(channel, onNotify);
      return () => unlisten();
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
    cacheKey: pool,
    async query<T>(sql: string, params?: readonly unknown[], prepare?: string) {
      const res = prepare ? await c.query({ name: prepare, text: sql, values: params ? [...params] : [] }) : await c.query(sql, params ? [...params] : undefined);
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
    async listen(channel, onNotify) {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`bad channel name ${channel}`);
      // LISTEN needs a connection of its own, kept open and re-opened when lost.
      let client: pg.Client | null = null;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url });
        c.on('notification', (msg) => onNotify(msg.payload ?? ''));
        c.on('error', () => lost(c));
        c.on('end', () => lost(c));
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        if (stopped) return void (await c.end().catch(() => {}));
        client = c;
      };
      const lost = (c: pg.Client) => {
        if (client !== c || stopped) return;
        client = null;
        c.end().catch(() => {});
        const again = () => {
          retry = undefined;
          if (stopped) return;
          connect().then(
            () => onNotify(''),
            () => (retry = setTimeout(again, 1000)),
          );
        };
        retry = setTimeout(again, 200);
      };
      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const c = client;
        client = null;
        await c?.end().catch(() => {});
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
