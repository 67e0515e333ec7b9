/**
 * `npm run bench` runs every suite in bench/suites/; `npm run bench -- kb
 * [--quick]` runs one. Each suite writes bench/results/<suite>.json in the
 * shape of BENCH.md and prints a short table.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, printTable, writeResult, type Suite } from './lib';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => !a.startsWith('--'));
const available = readdirSync(join(BENCH_DIR, 'suites'))
  .filter((f) => /^[a-z0-9-]+\.ts$/.test(f) && !f.includes('.child.'))
  .map((f) => f.replace(/\.ts$/, ''));

const unknown = named.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

for (const name of named.length ? named : available) {
  const mod = (await import(pathToFileURL(join(BENCH_DIR, 'suites', `${name}.ts`)).href)) as { default: Suite };
  const result = await mod.default({ quick, args });
  const path = writeResult(result);
  printTable(result);
  console.log(`  → ${path}`);
}
