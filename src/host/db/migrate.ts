import type Database from 'better-sqlite3';

/** One numbered, single-purpose change to the console's SQLite schema. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/**
 * Apply every migration newer than the file's `user_version`, each in its own
 * transaction together with the version bump, so a crash mid-way leaves the
 * file at the last whole migration.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.version === sorted[i - 1]!.version) throw new Error(`duplicate migration version ${sorted[i]!.version}`);
  }
  let current = db.pragma('user_version', { simple: true }) as number;
  const newest = sorted.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(`database schema version ${current} is newer than this console (${newest}); update the console`);
  }
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    current = m.version;
  }
  return current;
}
