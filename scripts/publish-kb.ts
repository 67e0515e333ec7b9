/**
 * Publish a knowledge-base file (the FAQ's XML, JSON or CSV) to the central
 * server as a lead or admin, through the same route an admin tool would use;
 * every console then receives the articles at its next pull.
 *
 *   node --import tsx scripts/publish-kb.ts <file> [--server http://127.0.0.1:8787] [--user lead01] [--password qingyu-1901]
 *
 * Exit codes: 0 published, 2 bad arguments or file, 1 the server refused.
 */
import { parseArgs } from 'node:util';
import { KbImportError, readArticlesFile } from '../src/host/kb/import';

const BATCH = 200; // keeps each request well under the server's 1 MiB body limit

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { server: { type: 'string', default: 'http://127.0.0.1:8787' }, user: { type: 'string', default: 'lead01' }, password: { type: 'string', default: 'qingyu-1901' } },
    });
  } catch (e) {
    console.error(`参数错误：${(e as Error).message}`);
    return 2;
  }
  const file = args.positionals[0];
  if (!file) {
    console.error('用法：publish-kb.ts <文件> [--server URL] [--user 账号] [--password 密码]');
    return 2;
  }
  let articles;
  try {
    articles = readArticlesFile(file);
  } catch (e) {
    console.error(e instanceof KbImportError ? `文件无法导入：${e.message}` : `无法读取 ${file}：${(e as Error).message}`);
    return 2;
  }
  const base = args.values.server!;
  const login = await fetch(new URL('/api/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: args.values.user, password: args.values.password }),
  });
  if (!login.ok) {
    console.error(`登录失败（HTTP ${login.status}）：${((await login.json().catch(() => ({}))) as { message?: string }).message ?? ''}`);
    return 1;
  }
  const { token } = (await login.json()) as { token: string };
  let changed = 0;
  for (let i = 0; i < articles.length; i += BATCH) {
    const res = await fetch(new URL('/api/admin/kb/articles', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ articles: articles.slice(i, i + BATCH) }),
    });
    if (!res.ok) {
      console.error(`发布失败（第 ${i + 1} 条起，HTTP ${res.status}）：${((await res.json().catch(() => ({}))) as { message?: string }).message ?? ''}`);
      return 1;
    }
    changed += ((await res.json()) as { changed: unknown[] }).changed.length;
  }
  console.log(`已发布 ${articles.length} 条知识（${changed} 条新增或有改动）`);
  return 0;
}

process.exitCode = await main();
