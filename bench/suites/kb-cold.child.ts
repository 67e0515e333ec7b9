/**
 * Run by the kb suite in a fresh process: open the database file as the
 * console does at start-up, run a first search, report the time; then run
 * the whole query mix and report resident memory.
 * Usage: kb-cold.child.ts <db> <first query> <JSON array of queries>
 */
import { openConsoleDb } from '../../src/host/db/open';
import { KnowledgeBase } from '../../src/host/kb/index';

const [dbPath, first, mixJson] = process.argv.slice(2);
const t0 = performance.now();
const db = openConsoleDb(dbPath!);
const kb = new KnowledgeBase(db);
const t1 = performance.now();
kb.search(first!, { limit: 10 });
const t2 = performance.now();
for (const q of JSON.parse(mixJson ?? '[]') as string[]) kb.search(q, { limit: 10 });
const rssMb = process.memoryUsage().rss / 1024 ** 2;
db.close();
console.log(JSON.stringify({ totalMs: t2 - t0, openMs: t1 - t0, firstQueryMs: t2 - t1, rssMb }));
