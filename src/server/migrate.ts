import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db, Queryable } from './db';

/** One numbered SQL file from src/server/migrations: `0001_core.sql` → version 1, name `core`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Key of the advisory lock every migration transaction takes first, so two
 * server instances starting at once on one PostgreSQL apply each migration once.
 * (The digits spell "qingyu" on a phone keypad.)
 */
export const MIGRATION_LOCK_KEY = 7_464_498;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The migrations shipped with the server, in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE_NAME.exec(file);
      if (!m) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
      return { version: Number(m[1]), name: m[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 0; i < migrations.length; i++) {
    if (migrations[i]!.version !== i + 1) throw new Error(`migrations must be numbered 0001, 0002, … without gaps; found ${migrations[i]!.version} at position ${i + 1}`);
  }
  return migrations;
}

/** Line endings normalised, so a checkout with CRLF does not look like an edited migration. */
function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

async function lockAndEnsureTable(tx: Queryable): Promise<Map<number, { name: string; checksum: string }>> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
  await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await tx.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations');
  return new Map(rows.map((r) => [r.version, r]));
}

export interface MigrateResult {
  /** Versions this call applied (empty when the schema was already current). */
  applied: number[];
  /** Schema version after the call. */
  version: number;
}

/**
 * Bring the schema up to date. Each migration runs in its own transaction,
 * together with its row in schema_migrations, after taking the advisory
 * lock; an instance that waited for the lock re-reads what is applied and
 * skips what the other instance did. An applied migration whose file has
 * since changed is an error: edit the schema with a new migration instead.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): Promise<MigrateResult> {
  const newest = migrations.at(-1)?.version ?? 0;
  const applied: number[] = [];
  for (const m of migrations) {
    const did = await db.transaction(async (tx) => {
      const done = await lockAndEnsureTable(tx);
      const newer = [...done.keys()].filter((v) => v > newest);
      if (newer.length) throw new Error(`database schema version ${Math.max(...newer)} is newer than this server (${newest}); update the server`);
      const prior = done.get(m.version);
      if (prior) {
        if (prior.checksum !== checksum(m.sql)) {
          throw new Error(`migration ${m.version} (${m.name}) was changed after it was applied; add a new migration instead`);
        }
        return false;
      }
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, checksum(m.sql)]);
      return true;
    });
    if (did) applied.push(m.version);
  }
  if (migrations.length === 0) await db.transaction(lockAndEnsureTable);
  return { applied, version: newest };
}
