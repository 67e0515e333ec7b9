/**
 * The console host killed with SIGKILL in the middle of applying a pull: a
 * real host process bootstrapping a knowledge base of thousands of articles
 * is killed while pages are being applied; after a restart it resumes from
 * its cursor and ends with every article exactly once.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src/server/main';
import { kbArticle } from '../support/sync-fixtures';
import { REPO_ROOT } from '../support/rig';
import { tempDir } from '../support/tmp';

const ARTICLES = Number(process.env.QINGYU_HOST_KILL_ARTICLES ?? 4000);
const TOKEN = 'host-kill-test-token';

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
let rendererDir: string;
let dbPath: string;

beforeAll(async () => {
  tmp = tempDir('qingyu-host-kill-');
  rendererDir = path.join(tmp.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>晴雨</title>');
  dbPath = path.join(tmp.dir, 'console.db');
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), print: () => {} });
  const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lead01', password: 'qingyu-1901' }) });
  const { token } = (await login.json()) as { token: string };
  for (let i = 0; i < ARTICLES; i += 200) {
    const batch = Array.from({ length: Math.min(200, ARTICLES - i) }, (_, k) => kbArticle(`HK-${i + k}`, `第${i + k}号办事指南：居住证办理`));
    const res = await fetch(`${server.url}/api/admin/kb/articles`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ articles: batch }) });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}, 300_000);

afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

/** The console host as its own process, as `npm start` runs it in browser mode. */
async function startHost(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/host/browser/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, QINGYU_SERVER_URL: server.url, QINGYU_CONSOLE_DB: dbPath, QINGYU_CONSOLE_PORT: '0', QINGYU_RENDERER_DIR: rendererDir, QINGYU_CONSOLE_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ready: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`host exited (${code}) before it was ready:\n${out}`)));
  });
  return { child, port };
}

async function call(port: number, method: string, params: unknown): Promise<any> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/host?token=${TOKEN}`);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.send(JSON.stringify({ id: 1, method, params }));
  const reply = await new Promise<any>((r) => ws.on('message', (d) => { const m = JSON.parse(String(d)); if (m.id === 1) r(m); }));
  ws.close();
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result;
}

function articlesInConsole(): number {
  if (!fs.existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM kb_articles').get() as { n: number }).n;
  } catch {
    return 0; // not migrated yet
  } finally {
    db.close();
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a console host killed while it applies a pull', () => {
  it('resumes after a restart and ends with every article exactly once', async () => {
    const first = await startHost();
    await call(first.port, 'session.login', { username: 'op1001', password: 'qingyu-1001' });
    // Kill it once some pages are in but not all.
    const seen = await waitFor('the first pulled page', () => {
      const n = articlesInConsole();
      return n > 0 && n < ARTICLES ? n : undefined;
    }, 120_000);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const afterKill = articlesInConsole();
    expect(afterKill).toBeGreaterThanOrEqual(seen);
    expect(afterKill).toBeLessThan(ARTICLES);

    const second = await startHost();
    try {
      // The session was kept; the pull resumes from the cursor of the last whole page.
      await waitFor('every article', () => articlesInConsole() === ARTICLES, 240_000);
      const db = new Database(dbPath, { readonly: true });
      try {
        const distinct = db.prepare('SELECT count(DISTINCT source_id) AS n FROM kb_articles').get() as { n: number };
        expect(distinct.n).toBe(ARTICLES);
        const fts = db.prepare(`SELECT count(*) AS n FROM kb_fts`).get() as { n: number };
        expect(fts.n).toBe(ARTICLES);
      } finally {
        db.close();
      }
      const hits = await call(second.port, 'kb.search', { query: `第${ARTICLES - 1}号 居住证`, limit: 3 });
      expect(hits[0].sourceId).toBe(`HK-${ARTICLES - 1}`);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  }, 420_000);
});
