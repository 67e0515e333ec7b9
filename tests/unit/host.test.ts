import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recentCalls, recordCall } from '../../src/host/calls';
import { openConsoleDb } from '../../src/host/db/open';
import { ConsoleHost } from '../../src/host/host';
import { tempDir } from '../support/tmp';

const call = {
  direction: 'inbound' as const,
  callerNumber: '13800138000',
  calleeNumber: '1001',
  startedAt: '2026-11-29T10:00:00.000+08:00',
  answeredAt: '2026-11-29T10:00:04.000+08:00',
  endedAt: '2026-11-29T10:03:00.000+08:00',
  outcome: 'answered' as const,
  sipCallId: 'abc@pbx',
};

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('the console database', () => {
  it('is a WAL-mode SQLite file with every migration applied, and reopens without re-running them', () => {
    const file = path.join(tmp.dir, 'console.db');
    const db = openConsoleDb(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const version = db.pragma('user_version', { simple: true }) as number;
    expect(version).toBeGreaterThanOrEqual(1);
    db.close();
    const again = openConsoleDb(file);
    expect(again.pragma('user_version', { simple: true })).toBe(version);
    again.close();
  });

  it('refuses a database from a newer console rather than damaging it', () => {
    const file = path.join(tmp.dir, 'console.db');
    const raw = new Database(file);
    raw.pragma('user_version = 9999');
    raw.close();
    expect(() => openConsoleDb(file)).toThrow(/newer than this console/);
  });

  it('a finished call is written together with its outbox entry', () => {
    const db = openConsoleDb(path.join(tmp.dir, 'c.db'));
    const rec = recordCall(db, 'op-1', call);
    const outbox = db.prepare('SELECT id, name, status, user_id FROM outbox').all();
    expect(outbox).toEqual([{ id: rec.id, name: 'recordCall', status: 'pending', user_id: 'op-1' }]);
    expect(recentCalls(db, 'op-1', 10)).toEqual([{ record: rec, synced: false }]);
    db.close();
  });

  it('if the outbox entry cannot be written, the call record is not written either', () => {
    const db = openConsoleDb(path.join(tmp.dir, 'c.db'));
    db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    expect(() => recordCall(db, 'op-1', call)).toThrow(/disk full/);
    expect(db.prepare('SELECT count(*) AS n FROM call_records').get()).toEqual({ n: 0 });
    db.close();
  });

  it('a call record that breaks the schema is refused and nothing is written', () => {
    const db = openConsoleDb(path.join(tmp.dir, 'c.db'));
    expect(() => recordCall(db, 'op-1', { ...call, endedAt: '2026-11-29T09:00:00.000+08:00' })).toThrow();
    expect(db.prepare('SELECT (SELECT count(*) FROM call_records) + (SELECT count(*) FROM outbox) AS n').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('the console host API', () => {
  let host: ConsoleHost;
  beforeEach(() => {
    host = new ConsoleHost({ dbPath: path.join(tmp.dir, 'h.db'), serverUrl: 'http://127.0.0.1:9', transport: 'browser' });
  });
  afterEach(() => host.close());

  it('answers an unknown method with a clear error', async () => {
    expect(await host.dispatch('fs.unlink', {})).toEqual({ ok: false, error: { code: 'unknown_method', message: '未知的操作：fs.unlink' } });
    expect(await host.dispatch({ evil: true }, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('rejects malformed parameters in Chinese and changes nothing', async () => {
    const r = await host.dispatch('calls.record', { ...call, outcome: 'teleported' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/^请求参数不正确/);
    expect(host.db.prepare('SELECT count(*) AS n FROM call_records').get()).toEqual({ n: 0 });
    expect(await host.dispatch('calls.recent', { limit: 100000 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await host.dispatch('app.info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('will not record a call before an operator logs in', async () => {
    expect(await host.dispatch('calls.record', call)).toEqual({ ok: false, error: { code: 'unauthenticated', message: '请先登录' } });
  });

  it('says in Chinese when the central server cannot be reached', async () => {
    const r = await host.dispatch('session.login', { username: 'op1001', password: 'x' });
    expect(r).toEqual({ ok: false, error: { code: 'server_unreachable', message: '无法连接中心服务器（http://127.0.0.1:9），请检查网络' } });
    expect(await host.call('session.current', {})).toBeNull();
  });

  it('reports the sync status with nothing waiting', async () => {
    expect(await host.call('sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
  });
});
