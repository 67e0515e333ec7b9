/**
 * Consoles and the real central server (PGlite): a repeat call merged on a
 * console reaches the server's ticket through the outbox and comes back in
 * the pull as the server's own event; ticket search on a console lists the
 * server's results after its own (only what the operator's scope allows),
 * caches what was new, and falls back to the cache when the server is down.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHost } from '../../src/host/host';
import { startServer, type RunningServer } from '../../src/server/main';
import { tempDir } from '../support/tmp';

const CALLER = '13700137000';
let tmp: ReturnType<typeof tempDir>;
let server: RunningServer | null = null;
let port = 0;
let wang: ConsoleHost;
let li: ConsoleHost;
let lead: ConsoleHost;
const ids: { wang?: string; li?: string } = {};

async function up() {
  server = await startServer({ port, dataDir: path.join(tmp.dir, 'server'), print: () => {} });
  port = server.port;
}
async function down() {
  await server?.close();
  server = null;
}

beforeAll(async () => {
  tmp = tempDir('qingyu-merge-search-');
  await up();
  wang = new ConsoleHost({ dbPath: path.join(tmp.dir, 'wang.db'), serverUrl: server!.url, transport: 'browser' });
  li = new ConsoleHost({ dbPath: path.join(tmp.dir, 'li.db'), serverUrl: server!.url, transport: 'browser' });
  lead = new ConsoleHost({ dbPath: path.join(tmp.dir, 'lead.db'), serverUrl: server!.url, transport: 'browser' });
  // The lead's console does not pull: what it finds, it finds on the server.
  await lead.pull.stop();
  await wang.call('session.login', { username: 'op1001', password: 'qingyu-1001' });
  await li.call('session.login', { username: 'op1002', password: 'qingyu-1002' });
  await lead.call('session.login', { username: 'lead01', password: 'qingyu-1901' });
});
afterAll(async () => {
  for (const h of [wang, li, lead]) await h?.close();
  await down();
  tmp.cleanup();
});

async function draft(host: ConsoleHost, over: Record<string, unknown> = {}) {
  const ref = await host.call('tickets.reference', { refresh: true });
  return {
    callerName: '黄先生',
    callbackPhone: CALLER,
    requestType: '求助',
    categoryId: '0202',
    divisionCode: ref.bundle.divisions.find((d) => d.level === 'town')!.code,
    address: '新港西路135号',
    description: '路口井盖松动，车辆经过哐哐响。',
    urgency: '一般',
    outcome: { kind: 'dispatched', unitId: '' },
    ...over,
  };
}

describe('a repeat call merged on a console', () => {
  it('reaches the server’s ticket, and the console then shows the server’s event', async () => {
    const r = await wang.call('tickets.create', { callerNumber: CALLER, draft: await draft(wang) });
    ids.wang = r.id;
    await wang.sync.syncNow();
    const draftId = '01936f6e-8f1c-7cc3-9a4e-0000000000e1';
    await wang.call('tickets.saveDraft', { id: draftId, callId: 'call-again', callerNumber: CALLER, data: { callbackPhone: CALLER, description: '井盖还是没修，今天有电动车差点摔倒。' } });
    await wang.call('tickets.mergeDraft', { draftId, ticketId: r.id });
    await wang.sync.syncNow();
    expect(await wang.call('sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });

    const { rows } = await server!.db.query<any>(`SELECT t.status, e.actor_id, e.detail FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.ticket_id = $1 AND e.type = 'repeatCall'`, [r.id]);
    const me = (await wang.call('session.current', {}))!;
    expect(rows).toEqual([{ status: 'dispatched', actor_id: me.id, detail: { callId: 'call-again', callerNumber: CALLER, description: '井盖还是没修，今天有电动车差点摔倒。', takenBy: me.id } }]);

    await wang.pull.pullNow();
    const events = (await wang.call('tickets.get', { id: r.id })).events;
    expect(events.map((e) => e.label)).toEqual(['受理', '派单', '重复来电']);
    expect(events[2]!.detail).toMatchObject({ takenBy: me.id });
    expect(events[2]!.detail.pending).toBeUndefined();
  });

  it('refused by the server (the ticket is not there), the caller’s words come back as a draft and the refusal says what to do', async () => {
    const ghost = '01936f6e-8f1c-7cc3-9a4e-00000000dead';
    // A ticket this console believes it has pulled, which the server does not know.
    wang.db
      .prepare(
        `INSERT INTO tickets (id, number, status, accepted_at, accepted_by, caller_number, callback_phone, request_type, category_id, division_code, description, origin, updated_at)
         VALUES (?, '12345-20260101-000099', 'dispatched', ?, ?, ?, ?, '求助', '0202', '440105001', '幽灵工单', 'server', ?)`,
      )
      .run(ghost, new Date().toISOString(), (await wang.call('session.current', {}))!.id, CALLER, CALLER, new Date().toISOString());
    const draftId = '01936f6e-8f1c-7cc3-9a4e-0000000000e2';
    await wang.call('tickets.saveDraft', { id: draftId, callId: 'call-ghost', callerNumber: CALLER, data: { callbackPhone: CALLER, description: '第三次打来，还是没人处理。' } });
    await wang.call('tickets.mergeDraft', { draftId, ticketId: ghost });
    expect(await wang.call('tickets.drafts', {})).toEqual([]);
    await wang.sync.syncNow();

    const status = await wang.call('sync.status', {});
    expect(status.rejected).toBe(1);
    expect(status.rejectedItems?.[0]).toMatchObject({ name: 'mergeRepeatCall', message: expect.stringContaining('服务器上没有这张工单'), advice: expect.stringContaining('已恢复为草稿') });
    const drafts = await wang.call('tickets.drafts', {});
    expect(drafts).toEqual([expect.objectContaining({ callId: 'call-ghost', callerNumber: CALLER, data: { description: '第三次打来，还是没人处理。', callbackPhone: CALLER } })]);
    await wang.call('tickets.discardDraft', { id: drafts[0]!.id });
  });
});

describe('ticket search from a console', () => {
  it('lists the server’s results after the local ones, within the operator’s scope', async () => {
    const r = await li.call('tickets.create', { callerNumber: CALLER, draft: await draft(li, { description: '井盖缺失，晚上看不见。', address: '新港西路140号' }) });
    ids.li = r.id;
    await li.sync.syncNow();

    // wang: their own ticket, found locally; li's is not in wang's scope, so the server does not return it.
    const mine = await wang.call('tickets.search', { q: '井盖', remote: true });
    expect(mine.source).toBe('server');
    expect(mine.items.map((t) => [t.id, t.foundOn])).toEqual([[ids.wang, 'local']]);

    // The lead's console has nothing cached: both come from the server, masked, and are cached for their detail.
    expect((await lead.call('tickets.search', { q: '井盖' })).items).toEqual([]);
    const all = await lead.call('tickets.search', { q: '井盖', remote: true });
    expect(all.source).toBe('server');
    expect(all.items.map((t) => [t.id, t.foundOn])).toEqual([[ids.li, 'server'], [ids.wang, 'server']]);
    expect(all.items[0]).toMatchObject({ phoneMasked: '137****7000', number: expect.stringMatching(/^12345-/) });
    expect((await lead.call('tickets.get', { id: ids.li! })).ticket.description).toBe('井盖缺失，晚上看不见。');
    expect((await lead.call('tickets.search', { q: '井盖' })).items.map((t) => t.foundOn)).toEqual(['local', 'local']);
  });

  it('a phone search reaches the server’s audit log; with the server down the console answers from its cache and says so', async () => {
    const before = (await server!.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'tickets.searched'`)).rows[0]!.n;
    const byPhone = await lead.call('tickets.search', { q: '137 0013 7000', remote: true });
    expect(byPhone.items).toHaveLength(2);
    const { rows } = await server!.db.query<any>(`SELECT detail FROM audit_log WHERE action = 'tickets.searched' ORDER BY id DESC LIMIT 1`);
    expect(rows[0].detail).toMatchObject({ phone: CALLER, tickets: 2 });
    expect((await server!.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'tickets.searched'`)).rows[0]!.n).toBe(before + 1);

    await down();
    const offline = await lead.call('tickets.search', { q: '井盖', remote: true });
    expect(offline.source).toBe('local');
    expect(offline.serverError).toContain('无法连接中心服务器');
    expect(offline.items.map((t) => t.foundOn)).toEqual(['local', 'local']);
    await up();
  });
});
