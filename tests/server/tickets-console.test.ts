/**
 * Tickets from a console to the real central server (PGlite): the console
 * syncs the district's reference data, files a dispatched ticket that reaches
 * the server through the outbox with the same unit and deadline, gets its
 * number back; with the server down the ticket waits and arrives once; the
 * caller's history on the next ring comes from the cache and then the server.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHost } from '../../src/host/host';
import { startServer, type RunningServer } from '../../src/server/main';
import { tempDir } from '../support/tmp';

const CALLER = '13800138000';
let tmp: ReturnType<typeof tempDir>;
let server: RunningServer | null = null;
let port = 0;
let host: ConsoleHost;
let other: ConsoleHost;

async function up() {
  server = await startServer({ port, dataDir: path.join(tmp.dir, 'server'), print: () => {} });
  port = server.port;
}
async function down() {
  await server?.close();
  server = null;
}

beforeAll(async () => {
  tmp = tempDir('qingyu-tickets-');
  await up();
  host = new ConsoleHost({ dbPath: path.join(tmp.dir, 'a.db'), serverUrl: server!.url, transport: 'browser' });
  other = new ConsoleHost({ dbPath: path.join(tmp.dir, 'b.db'), serverUrl: server!.url, transport: 'browser' });
  await host.call('session.login', { username: 'op1001', password: 'qingyu-1001' });
  await other.call('session.login', { username: 'op1002', password: 'qingyu-1002' });
});
afterAll(async () => {
  await host?.close();
  await other?.close();
  await down();
  tmp.cleanup();
});

/** A street of 海珠区 (the server's default district) and the category 停水 (24 h, unit by category). */
async function draft(over: Record<string, unknown> = {}) {
  const ref = await host.call('tickets.reference', {});
  const town = ref.bundle.divisions.find((d) => d.level === 'town')!;
  return {
    callerName: '陈女士',
    callbackPhone: CALLER,
    requestType: '投诉',
    categoryId: '0202', // 环境保护 / 噪声扰民, 5 working days
    divisionCode: town.code,
    address: '江南大道中100号',
    description: '夜间施工噪音，凌晨两点还在打桩。',
    urgency: '一般',
    outcome: { kind: 'dispatched', unitId: '' },
    ...over,
  };
}

describe('tickets between a console and the central server', () => {
  it('the console syncs the real district’s reference data and keeps it for offline use', async () => {
    const ref = await host.call('tickets.reference', { refresh: true });
    expect(ref.source).toBe('server');
    expect(ref.bundle.district).toMatchObject({ code: '440105', name: '海珠区' });
    expect(ref.bundle.divisions.filter((d) => d.level === 'town').map((d) => d.name)).toContain('赤岗街道');
    const cached = host.db.prepare('SELECT version FROM reference_cache').get() as { version: number };
    expect(cached.version).toBe(ref.bundle.version);
  });

  it('a dispatched ticket reaches the server with the same unit and deadline, and the console gets its number', async () => {
    const r = await host.call('tickets.create', { callerNumber: CALLER, draft: await draft() });
    await host.sync.syncNow();
    const local = host.db.prepare('SELECT number, status, assigned_unit_id, due_at FROM tickets WHERE id = ?').get(r.id) as any;
    expect(local.number).toMatch(/^12345-\d{8}-000001$/);
    expect(local.status).toBe('dispatched');
    const { rows } = await server!.db.query<any>('SELECT number, status, assigned_unit_id, due_at, caller_number, accepted_by FROM tickets WHERE id = $1', [r.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ number: local.number, status: 'dispatched', assigned_unit_id: local.assigned_unit_id, caller_number: CALLER });
    expect(new Date(rows[0].due_at).toISOString()).toBe(local.due_at);
    const detail = await host.call('tickets.get', { id: r.id });
    expect(detail.ticket.sync).toBe('sent');
    expect(detail.events.map((e) => e.label)).toEqual(['受理', '派单']);
  });

  it('with the server down a ticket waits in the outbox, and arrives once when it is back', async () => {
    await down();
    const r = await host.call('tickets.create', { callerNumber: CALLER, draft: await draft({ description: '楼下餐馆油烟直排', categoryId: '0205' }) });
    await host.sync.syncNow();
    expect(await host.call('sync.status', {})).toMatchObject({ online: false, pending: 1 });
    expect((await host.call('tickets.get', { id: r.id })).ticket).toMatchObject({ number: null, sync: 'pending' });

    await up();
    await host.sync.syncNow();
    expect(await host.call('sync.status', {})).toMatchObject({ online: true, pending: 0, rejected: 0 });
    host.db.prepare(`UPDATE outbox SET status = 'pending' WHERE id = ?`).run(r.id); // as if the console crashed before marking it sent
    await host.sync.syncNow();
    const { rows } = await server!.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE id = $1', [r.id]);
    expect(rows[0]!.n).toBe(1);
    expect((await host.call('tickets.get', { id: r.id })).ticket.number).toMatch(/^12345-\d{8}-000002$/);
  });

  it('the next ring on another console shows this caller’s tickets from the server, and flags the repeat', async () => {
    const local = await other.call('tickets.callerHistory', { phone: CALLER });
    expect(local).toMatchObject({ source: 'local', tickets: [] });
    const remote = await other.call('tickets.callerHistory', { phone: CALLER, remote: true });
    expect(remote.source).toBe('server');
    expect(remote.tickets).toHaveLength(2);
    expect(remote.tickets[0]).toMatchObject({ origin: 'server', phoneMasked: '138****8000', status: 'dispatched' });
    expect(remote.repeat.repeat).toBe(true);
    expect(remote.repeat.reasons).toContain('open_ticket');
    // Now cached: the same look-up offline still shows them.
    await down();
    const offline = await other.call('tickets.callerHistory', { phone: CALLER, remote: true });
    expect(offline.tickets).toHaveLength(2);
    expect(offline.serverError).toContain('无法连接中心服务器');
    await up();
    const { rows } = await server!.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'caller_history.viewed'`);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
  });
});
