import pg from 'pg';
import { afterAll } from 'vitest';
import { openDatabase, type Db, type DbKind } from '../../src/server/db';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * The two engines every server suite runs on. Each `freshDb()` is an empty
 * database of its own: a new in-memory PGlite, or a new database on one
 * throwaway PostgreSQL cluster started for the test file.
 */
export interface Engine {
  name: string;
  kind: DbKind;
  freshDb(): Promise<Db>;
  /** A new empty database as a URL (PostgreSQL only): for several servers on one database. */
  freshUrl(): Promise<string>;
}

let cluster: Promise<TestPostgres> | undefined;
let counter = 0;

afterAll(async () => {
  const started = cluster;
  cluster = undefined;
  if (started) await (await started).stop();
});

async function newPostgresDatabase(): Promise<string> {
  cluster ??= startPostgres();
  const { url } = await cluster;
  const name = `qingyu_test_${process.pid}_${++counter}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export const ENGINES: Engine[] = [
  {
    name: 'PGlite',
    kind: 'pglite',
    freshDb: () => openDatabase({ memory: true }),
    freshUrl: () => Promise.reject(new Error('PGlite has no URL')),
  },
  {
    name: 'PostgreSQL',
    kind: 'postgres',
    freshDb: async () => openDatabase({ url: await newPostgresDatabase() }),
    freshUrl: newPostgresDatabase,
  },
];
