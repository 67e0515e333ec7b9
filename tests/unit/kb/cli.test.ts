import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'src/host/kb/cli.ts');

function kb(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kb command line', () => {
  it('imports a file, then searches it as JSON', () => {
    const dir = tempDir();
    const db = join(dir, 'kb.db');
    const articles = join(dir, 'a.json');
    writeFileSync(articles, JSON.stringify([
      { sourceId: 'W1', title: '停水時如何申請送水', answerHtml: '<p>停水期間可撥 1999 申請水車送水。</p>' },
      { sourceId: 'W2', title: '路燈不亮', answerHtml: '請通報路燈管理處。' },
    ]));
    const imported = kb('import', articles, '--db', db);
    expect(imported.code, imported.stderr).toBe(0);
    const found = kb('search', '家里没水了', '--db', db, '--json', '--limit', '5');
    expect(found.code, found.stderr).toBe(0);
    const hits = JSON.parse(found.stdout) as Array<Record<string, unknown>>;
    expect(hits[0]).toMatchObject({ sourceId: 'W1', id: expect.any(Number), title: '停水時如何申請送水', score: expect.any(Number) });
    expect(Object.keys(hits[0]!).sort()).toEqual(['id', 'score', 'snippet', 'sourceId', 'title']);
    expect(hits[0]!.snippet).toContain('<mark>停水</mark>');
    expect(JSON.parse(kb('search', '"*AND(', '--db', db, '--json').stdout)).toEqual([]);
  });

  it('exits 2 with a clear message on a bad file, a missing database or bad arguments', () => {
    const dir = tempDir();
    const db = join(dir, 'kb.db');
    const bad = join(dir, 'bad.xml');
    writeFileSync(bad, '<xmlmessage><datas><data><data_id>1</data_id><news_title>a</news_title></data><data><data_id>2</data_id></datas></xmlmessage>');
    const badFile = kb('import', bad, '--db', db);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toMatch(/第 2 条记录/);
    const missingDb = kb('search', '停水', '--db', join(dir, 'nope.db'), '--json');
    expect(missingDb.code).toBe(2);
    expect(missingDb.stderr).toMatch(/数据库文件不存在/);
    for (const args of [[], ['search', '停水'], ['search', '停水', '--db', db, '--limit', 'ten'], ['frobnicate', 'x', '--db', db], ['search', '停水', '--db', db, '--bogus']]) {
      const r = kb(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/错误/);
    }
    expect(kb('import', join(dir, 'missing.xml'), '--db', db).code).toBe(2);
  });
});
