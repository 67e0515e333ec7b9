import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHost } from '../../src/host/host';
import { startServer, type RunningServer } from '../../src/server/main';
import { tempDir } from '../support/tmp';

const call = {
  direction: 'inbound' as const,
  callerNumber: '13911112222',
  calleeNumber: '1001',
  startedAt: '2026-11-29T10:00:00.000+08:00',
  answeredAt: '2026-11-29T10:00:03.000+08:00',
  endedAt: '2026-11-29T10:04:00.000+08:00',
  outcome: 'answered' as const,
  sipCallId: 'c1@pbx',
};

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer | null = null;
let host: ConsoleHost;
let port = 0;

const serverDir = () => path.join(tmp.dir, 'server');
async function up() {
  server = await startServer({ port, dataDir: serverDir(), print: () => {} });
  port = server.port;
}
async function down() {
  await server?.close();
  server = null;
}
async function serverCalls() {
  if (!server) await up();
  const { rows } = await server!.db.query<{ id: string; caller_number: string }>('SELECT id, caller_number FROM call_records');
  return rows;
}

beforeAll(async () => {
  tmp = tempDir('qingyu-sync-');
  await up();
  host = new ConsoleHost({ dbPath: path.join(tmp.dir, 'console.db'), serverUrl: server!.url, transport: 'browser' });
});
afterAll(async () => {
  await host?.close();
  await down();
  tmp.cleanup();
});

describe('a console and the central server', () => {
  it('an operator logs in through the console; a wrong password changes nothing', async () => {
    await expect(host.call('session.login', { username: 'op1001', password: 'nope' })).rejects.toMatchObject({ code: 'invalid_credentials', message: '用户名或密码错误' });
    expect(await host.call('session.current', {})).toBeNull();
    const user = await host.call('session.login', { username: 'op1001', password: 'qingyu-1001' });
    expect(user).toMatchObject({ username: 'op1001', role: 'operator', sip: { uri: 'sip:1001@qingyu.local' } });
  });

  it('a call recorded while the server is down waits in the outbox and arrives once when it is back', async () => {
    await down();
    const { id } = await host.call('calls.record', call);
    await host.sync.syncNow();
    expect(await host.call('sync.status', {})).toMatchObject({ online: false, pending: 1, lastError: expect.stringContaining('无法连接中心服务器') });

    await up();
    await host.sync.syncNow();
    expect(await host.call('sync.status', {})).toMatchObject({ online: true, pending: 0, rejected: 0 });
    expect(await serverCalls()).toEqual([{ id, caller_number: '13911112222' }]);
    expect((await host.call('calls.recent', { limit: 10 }))[0]).toMatchObject({ record: { id }, synced: true });
  });

  it('a push repeated after the console crashed before marking it sent still stores the call once', async () => {
    host.db.prepare(`UPDATE outbox SET status = 'pending', sent_at = NULL`).run();
    await host.sync.syncNow();
    expect(await host.call('sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
    expect(await serverCalls()).toHaveLength(1);
  });

  it('a mutation the server rejects is kept with its reason, not retried forever', async () => {
    // Forge an outbox entry claiming another operator's call: the server refuses it.
    const foreign = { ...call, id: '01936f6e-8f1c-7cc3-9a4e-000000000001', operatorId: 'someone-else' };
    host.db
      .prepare(`INSERT INTO outbox (id, name, args, created_at, user_id) VALUES (?, 'recordCall', ?, ?, ?)`)
      .run(foreign.id, JSON.stringify(foreign), new Date().toISOString(), (await host.call('session.current', {}))!.id);
    await host.sync.syncNow();
    const status = await host.call('sync.status', {});
    expect(status).toMatchObject({ pending: 0, rejected: 1 });
    const row = host.db.prepare(`SELECT status, last_error FROM outbox WHERE id = ?`).get(foreign.id) as { status: string; last_error: string };
    expect(row.status).toBe('rejected');
    expect(row.last_error).toMatch(/[\u4e00-\u9fff]/);
    expect(await serverCalls()).toHaveLength(1);
  });
});

describe('an operator whose token the server no longer accepts', () => {
  it('is logged out with a Chinese reason; what they recorded stays in the outbox and is sent after the next login', async () => {
    if (!server) await up();
    const events: { event: string; payload: any }[] = [];
    const off = host.on((event, payload) => events.push({ event, payload }));
    const settings = host.db.prepare(`SELECT value FROM settings WHERE key = 'session'`).get() as { value: string };
    const session = JSON.parse(settings.value);
    host.db.prepare(`UPDATE settings SET value = ? WHERE key = 'session'`).run(JSON.stringify({ ...session, token: session.token.slice(0, -4) + 'AAAA' }));

    const { id } = await host.call('calls.record', { ...call, sipCallId: 'c2@pbx' });
    await host.sync.syncNow();
    off();
    expect(events.find((e) => e.event === 'session.expired')?.payload.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await host.call('session.current', {})).toBeNull();
    expect(await host.call('sync.status', {})).toMatchObject({ pending: 1 });

    await host.call('session.login', { username: 'op1001', password: 'qingyu-1001' });
    await host.sync.syncNow();
    expect(await host.call('sync.status', {})).toMatchObject({ pending: 0 });
    expect((await serverCalls()).map((r) => r.id)).toContain(id);
  });
});
