/**
 * A new console starts from the server's knowledge-base snapshot (built by
 * the console's own indexer in a child process) and pulls only what changed
 * after it; it ends with the same knowledge base, and the same answers, as a
 * console that pulled every article.
 */
import path from 'node:path';
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsoleDb } from '../../src/host/db/open';
import { KnowledgeBase, readArticlesFile } from '../../src/host/kb/index';
import { adoptKbSnapshot, KbSnapshotRefused } from '../../src/host/kb/snapshot';
import { startServer, type RunningServer } from '../../src/server/main';
import type { KbSnapshotInfo } from '../../src/server/kb-snapshot';
import { PullResponse } from '../../src/shared/sync-changes';
import { TestConsole } from '../support/sync-console';
import { tempDir } from '../support/tmp';
import { FAQ_XML } from '../unit/kb/helpers';

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
let lead: TestConsole;
const consoles: TestConsole[] = [];
const faq = readArticlesFile(FAQ_XML).slice(0, 300);

async function api<T>(route: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const res = await fetch(`${server.url}${route}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? lead.session!.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

async function snapshotReady(after: number): Promise<KbSnapshotInfo> {
  for (let i = 0; i < 600; i++) {
    const info = await api<KbSnapshotInfo>('/api/kb/snapshot/info');
    if (info.version !== null && info.version > after && !info.building) return info;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no snapshot within 60 s');
}

async function freshConsole(name: string, snapshots: boolean) {
  const c = new TestConsole(tmp.dir, name, server.url, 1000, snapshots);
  consoles.push(c);
  await c.login('op1001', 'qingyu-1001');
  await c.pull.pullNow();
  return c;
}

const articles = (c: TestConsole) => c.db.prepare('SELECT source_id, status, title FROM kb_articles ORDER BY source_id').all();

beforeAll(async () => {
  tmp = tempDir('qingyu-kb-snapshot-');
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), kbSnapshotDelayMs: 50, print: () => {} });
  lead = new TestConsole(tmp.dir, 'lead', server.url, 1000, false);
  consoles.push(lead);
  await lead.login('lead01', 'qingyu-1901');
});
afterAll(async () => {
  for (const c of consoles) await c.close();
  await server?.close();
  tmp?.cleanup();
});

describe('knowledge-base snapshots for new consoles', () => {
  let built: KbSnapshotInfo;

  it('without a snapshot the server says so in Chinese, and a new console pulls article by article', async () => {
    const res = await fetch(`${server.url}/api/kb/snapshot`, { headers: { authorization: `Bearer ${lead.session!.token}` } });
    expect(res.status).toBe(404);
    expect((await res.json()).message).toMatch(/[\u4e00-\u9fff]/);
    expect((await fetch(`${server.url}/api/kb/snapshot`)).status).toBe(401);
  });

  it('is built after publishing, and holds every published article', async () => {
    for (let i = 0; i < faq.length; i += 100) await api('/api/admin/kb/articles', { method: 'POST', body: { articles: faq.slice(i, i + 100) } });
    built = await snapshotReady(0);
    expect(built.articles).toBe(faq.length);
  });

  it('a console started from it pulls only what changed after it, and ends equal to one that pulled everything', async () => {
    // After the snapshot: one article retired, one edited, one new.
    const [retired, edited] = [faq[3]!, faq[7]!];
    await api(`/api/admin/kb/articles/${encodeURIComponent(retired.sourceId)}/retire`, { method: 'POST' });
    const newOne = { ...faq[0]!, sourceId: 'NEW-AFTER-SNAPSHOT', title: '共享单车乱停放如何投诉', answerHtml: '<p>请拨打12345或在APP上举报共享单车乱停放。</p>', keywords: ['共享单车'] };
    await api('/api/admin/kb/articles', { method: 'POST', body: { articles: [{ ...edited, title: `${edited.title}（修订）` }, newOne] } });

    // What a console that holds the snapshot is sent: the three changes after it, no earlier article.
    const page = PullResponse.parse(await api(`/api/sync/pull?since=0&kbAfter=${built.version}`));
    expect(page.changes.filter((c) => c.entity === 'kb_article').map((c) => c.entityId).sort()).toEqual([edited.sourceId, retired.sourceId, 'NEW-AFTER-SNAPSHOT'].sort());

    const fromSnapshot = await freshConsole('from-snapshot', true);
    expect(fromSnapshot.db.prepare('SELECT version, articles FROM kb_snapshot').get()).toEqual({ version: built.version, articles: faq.length });
    const byPull = await freshConsole('by-pull', false);
    expect(byPull.db.prepare('SELECT count(*) FROM kb_snapshot').pluck().get()).toBe(0);

    expect(articles(fromSnapshot)).toEqual(articles(byPull));
    expect(articles(fromSnapshot)).toHaveLength(faq.length + 1);
    expect(fromSnapshot.db.prepare('SELECT status FROM kb_articles WHERE source_id = ?').pluck().get(retired.sourceId)).toBe('retired');

    const kbA = new KnowledgeBase(fromSnapshot.db);
    const kbB = new KnowledgeBase(byPull.db);
    for (const q of ['停车', '身分证', 'gjj', '出租车', '共享单车', '垃圾怎么分类', '户籍']) {
      const a = kbA.search(q, { limit: 5 }).map((h) => h.sourceId);
      expect(a, q).toEqual(kbB.search(q, { limit: 5 }).map((h) => h.sourceId));
    }
    expect(kbA.search('共享单车', { limit: 1 })[0]?.sourceId).toBe('NEW-AFTER-SNAPSHOT');
    // The index is whole (FTS5's own check of its tables).
    fromSnapshot.db.prepare("INSERT INTO kb_fts (kb_fts, rank) VALUES ('integrity-check', 1)").run();
  });

  it('a console whose snapshot came from another log (a server made anew) forgets it and gets the new server’s articles', async () => {
    const other = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server-anew'), kbSnapshotDelayMs: 3_600_000, print: () => {} });
    try {
      const c = consoles.find((x) => x.name === 'from-snapshot')!;
      const anewLead = new TestConsole(tmp.dir, 'lead-anew', other.url, 1000, false);
      consoles.push(anewLead);
      await anewLead.login('lead01', 'qingyu-1901');
      const fresh = [{ ...faq[1]!, sourceId: 'ANEW-1', title: '新服务器上的文章：电动车充电桩' }];
      const res = await fetch(`${other.url}/api/admin/kb/articles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${anewLead.session!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ articles: fresh }),
      });
      expect(res.status).toBe(200);

      c.client.baseUrl = other.url;
      await c.login('op1001', 'qingyu-1001');
      await c.pull.pullNow(); // the cursor is past the new server's head: start again, without the snapshot
      expect(c.db.prepare('SELECT count(*) FROM kb_snapshot').pluck().get()).toBe(0);
      await c.pull.pullNow();
      expect(c.db.prepare('SELECT title FROM kb_articles WHERE source_id = ?').pluck().get('ANEW-1')).toBe('新服务器上的文章：电动车充电桩');
    } finally {
      await other.close();
    }
  });

  it('is refused, changing nothing, by a console that already has articles or by a different schema', async () => {
    const file = path.join(tmp.dir, 'copy.db');
    const source = consoles.find((c) => c.name === 'from-snapshot')!;
    source.db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(source.db.name, file);
    const busy = consoles.find((c) => c.name === 'by-pull')!;
    const before = articles(busy);
    expect(() => adoptKbSnapshot(busy.db, file, 99)).toThrow(KbSnapshotRefused);
    expect(articles(busy)).toEqual(before);

    const empty = openConsoleDb(path.join(tmp.dir, 'empty.db'));
    try {
      empty.pragma('user_version = 99');
      expect(() => adoptKbSnapshot(empty, file, 99)).toThrow(/schema/);
      expect(empty.prepare('SELECT count(*) FROM kb_articles').pluck().get()).toBe(0);
    } finally {
      empty.close();
    }
  });
});
