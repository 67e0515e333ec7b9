/**
 * Knowledge-base command line, for importing, checking and benchmarking
 * without the console:
 *
 *   npm run --silent kb -- import <file> --db <path> [--format xml|json|csv]
 *   npm run --silent kb -- search "<query>" --db <path> [--json] [--limit N]
 *        [--category C] [--unit U] [--valid-at YYYY-MM-DD] [--status S]
 *   npm run --silent kb -- suggest "<free text>" --db <path> [--json] [--limit N]
 *   npm run --silent kb -- typeahead "<prefix>" --db <path> [--limit N]
 *
 * `import` creates the database file if needed; the other commands need an
 * existing one. Exit code 2 on a bad file, a missing database or bad
 * arguments, with the reason on stderr.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openConsoleDb } from '../db/open';
import { KnowledgeBase, KbImportError, type ImportFormat } from './index';
import { decodeEntities } from '../../shared/kb';

class UsageError extends Error {}

/** A snippet for a terminal: marks as 【】, entities decoded. */
function plain(html: string): string {
  return decodeEntities(html.replace(/<mark>/g, '【').replace(/<\/mark>/g, '】'));
}

const USAGE = `用法:
  kb import <文件> --db <数据库> [--format xml|json|csv]
  kb search "<查询>" --db <数据库> [--json] [--limit N] [--category 分类] [--unit 单位] [--valid-at YYYY-MM-DD] [--status published|draft|retired]
  kb suggest "<工单描述>" --db <数据库> [--json] [--limit N]
  kb typeahead "<前缀>" --db <数据库> [--limit N]`;

const VALUE_FLAGS = new Set(['--db', '--limit', '--format', '--category', '--unit', '--valid-at', '--status']);
const BOOL_FLAGS = new Set(['--json']);

function parseArgs(argv: string[]) {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (VALUE_FLAGS.has(a)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`参数 ${a} 缺少取值`);
      flags.set(a, v);
    } else if (BOOL_FLAGS.has(a)) {
      flags.set(a, 'true');
    } else if (a.startsWith('--') && a.length > 2) {
      throw new UsageError(`未知参数 ${a}`);
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function limitOf(flags: Map<string, string>, fallback: number): number {
  const raw = flags.get('--limit');
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 200) throw new UsageError(`--limit 应为 1 到 200 的整数，收到“${raw}”`);
  return Number(raw);
}

function openDb(path: string, create: boolean): Database.Database {
  if (!create && !existsSync(path)) throw new UsageError(`数据库文件不存在：${path}（先用 kb import 导入）`);
  let db: Database.Database;
  try {
    db = openConsoleDb(path);
  } catch (e) {
    throw new UsageError(`无法打开数据库 ${path}：${(e as Error).message}`);
  }
  return db;
}

function main(argv: string[]): number {
  const { positional, flags } = parseArgs(argv);
  const [command, arg, ...extra] = positional;
  if (!command) throw new UsageError('缺少命令');
  if (extra.length) throw new UsageError(`多余的参数：${extra.join(' ')}`);
  const dbPath = flags.get('--db');
  if (!dbPath) throw new UsageError('缺少 --db <数据库文件>');

  switch (command) {
    case 'import': {
      if (!arg) throw new UsageError('缺少要导入的文件');
      const format = flags.get('--format') as ImportFormat | undefined;
      if (format && !['xml', 'json', 'csv'].includes(format)) throw new UsageError(`--format 只能是 xml、json 或 csv`);
      if (!existsSync(arg)) throw new KbImportError(`文件不存在：${arg}`);
      const db = openDb(dbPath, true);
      try {
        const kb = new KnowledgeBase(db);
        const t0 = performance.now();
        const r = kb.importFile(arg, format);
        const s = ((performance.now() - t0) / 1000).toFixed(1);
        if (flags.has('--json')) process.stdout.write(JSON.stringify(r) + '\n');
        else process.stdout.write(`导入完成：新增 ${r.inserted}，更新 ${r.updated}，未变 ${r.unchanged}（${s} 秒）\n`);
      } finally {
        db.close();
      }
      return 0;
    }
    case 'search':
    case 'suggest':
    case 'typeahead': {
      if (arg === undefined) throw new UsageError('缺少查询文本');
      const db = openDb(dbPath, false);
      try {
        const kb = new KnowledgeBase(db);
        if (command === 'typeahead') {
          const hits = kb.typeahead(arg, limitOf(flags, 8));
          process.stdout.write(JSON.stringify(hits) + '\n');
          return 0;
        }
        const limit = limitOf(flags, 10);
        const status = flags.get('--status');
        if (status && !['draft', 'published', 'retired'].includes(status)) throw new UsageError('--status 只能是 published、draft 或 retired');
        const validAt = flags.get('--valid-at');
        if (validAt && !/^\d{4}-\d{2}-\d{2}$/.test(validAt)) throw new UsageError('--valid-at 应为 YYYY-MM-DD');
        const hits =
          command === 'suggest'
            ? kb.suggest(arg, limit)
            : kb.search(arg, {
                limit,
                category: flags.get('--category'),
                unit: flags.get('--unit'),
                validAt,
                status: status as 'published' | undefined,
              });
        if (flags.has('--json')) {
          process.stdout.write(JSON.stringify(hits.map((h) => ({ sourceId: h.sourceId, id: h.id, title: h.title, score: h.score, snippet: h.snippet }))) + '\n');
        } else {
          if (!hits.length) process.stdout.write('没有找到相关文章\n');
          hits.forEach((h, k) => {
            process.stdout.write(`${k + 1}. [${h.sourceId}] ${h.title}  (${h.score})\n   ${plain(h.snippet)}\n`);
          });
        }
      } finally {
        db.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`未知命令“${command}”`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`错误：${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (e instanceof KbImportError) {
    process.stderr.write(`导入失败，文件未导入任何内容：${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`错误：${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
