import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { openConsoleDb as openHostDb } from '../../../src/host/db/open';
import { KnowledgeBase } from '../../../src/host/kb/index';

/** The Taipei FAQ: shared/ sits beside the repository (CI) or at /work/shared (workstations). */
export const FAQ_XML = [resolve(import.meta.dirname, '../../../../shared/data/taipei-faq.xml'), '/work/shared/data/taipei-faq.xml'].find(existsSync)!;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qingyu-kb-'));
}

/** A console database file as the host opens it: WAL, migrated. */
export function openConsoleDb(path = join(tempDir(), 'console.db')): { db: Database.Database; kb: KnowledgeBase; path: string } {
  const db = openHostDb(path);
  return { db, kb: new KnowledgeBase(db), path };
}
