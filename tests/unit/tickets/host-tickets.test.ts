/**
 * Tickets in the console host, on a real SQLite file, with the central server
 * unreachable (as on a workstation whose link is down): filing, the field
 * messages for bad input, drafts across a restart, the caller's history and
 * the repeat flag from the local cache, search and duplicates.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleHost } from '../../../src/host/host';
import { defaultWorkCalendar, demoReference, planDispatch } from '../../../src/shared/ticket/index';
import { tempDir } from '../../support/tmp';

const USER = { id: 'u-op1001', username: 'op1001', displayName: '王小明', role: 'operator' as const, sip: null };
const CALLER = '13800138000';

let tmp: ReturnType<typeof tempDir>;
let host: ConsoleHost;
let dbPath: string;

function open() {
  // Port 9 (discard) refuses connections: the server is unreachable.
  const h = new ConsoleHost({ dbPath, serverUrl: 'http://127.0.0.1:9', transport: 'browser' });
  h.db
    .prepare(`INSERT INTO settings (key, value) VALUES ('session', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
    .run(JSON.stringify({ token: 't', expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: USER }));
  return h;
}

beforeEach(() => {
  tmp = tempDir();
  dbPath = path.join(tmp.dir, 'console.db');
  host = open();
});
afterEach(async () => {
  await host.close();
  tmp.cleanup();
});

/** A street of the demo district (the defaults a console uses before its first sync). */
function street() {
  return demoReference().data.units.find((u) => u.divisionCode)!;
}

function goodDraft(over: Record<string, unknown> = {}) {
  return {
    callerName: '张先生',
    callbackPhone: '138-0013-8000',
    requestType: '求助',
    categoryId: '0901', // 水电气暖 / 停水
    divisionCode: street().divisionCode,
    address: '幸福路12号3栋',
    description: '小区从早上开始停水，没有任何通知。',
    urgency: '一般',
    outcome: { kind: 'dispatched', unitId: '' },
    ...over,
  };
}

const count = (table: string) => (host.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('filing a ticket on a console that has never reached the server', () => {
  it('uses the shipped demo reference data and says so', async () => {
    const ref = await host.call('tickets.reference', {});
    expect(ref.source).toBe('default');
    expect(ref.syncedAt).toBeNull();
    expect(ref.bundle.district.fullName).toContain('演示数据');
  });

  it('a dispatched ticket, its events and its outbox entry are written together, with the unit and deadline of the shared rules', async () => {
    const before = new Date();
    const r = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft() });
    const after = new Date();
    expect(r.number).toBeNull(); // issued by the server at the first sync
    expect(r.status).toBe('dispatched');

    const row = host.db.prepare('SELECT * FROM tickets').get() as any;
    expect(row).toMatchObject({ id: r.id, status: 'dispatched', callback_phone: '13800138000', caller_number: CALLER, assigned_unit_id: 'unit-gs', origin: 'local' });
    // Same computation as the server's: 停水 is a 24-hour rule.
    const plan = planDispatch(demoReference(), defaultWorkCalendar(), { categoryId: '0901', divisionCode: street().divisionCode, urgency: '一般', acceptedAt: new Date(row.accepted_at) });
    expect(plan.ok && plan.dueAt.toISOString()).toBe(row.due_at);
    expect(Date.parse(row.due_at) - Date.parse(row.accepted_at)).toBe(24 * 3600_000);
    expect(Date.parse(row.accepted_at)).toBeGreaterThanOrEqual(before.getTime());
    expect(Date.parse(row.accepted_at)).toBeLessThanOrEqual(after.getTime());

    const events = (host.db.prepare('SELECT type, from_status, to_status FROM ticket_events WHERE ticket_id = ? ORDER BY seq').all(r.id) as any[]);
    expect(events).toEqual([
      { type: 'accept', from_status: null, to_status: 'accepted' },
      { type: 'dispatch', from_status: 'accepted', to_status: 'dispatched' },
    ]);
    const outbox = host.db.prepare('SELECT id, name, status, args FROM outbox').all() as any[];
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ id: r.id, name: 'createTicket', status: 'pending' });
    const args = JSON.parse(outbox[0].args);
    expect(args.callerNumber).toBe(CALLER);
    expect(args.ticket).toMatchObject({ id: r.id, status: 'accepted', number: null, acceptedBy: USER.id, outcome: { kind: 'dispatched', unitId: 'unit-gs', deadline: { dueAt: row.due_at } } });

    const detail = await host.call('tickets.get', { id: r.id });
    expect(detail.events.map((e) => e.label)).toEqual(['受理', '派单']);
    expect(detail.ticket).toMatchObject({ assignedUnitName: expect.stringContaining('供水'), sync: 'pending', phoneMasked: '138****8000' });
  });

  it('a ticket answered on the call is closed at once', async () => {
    const r = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft({ requestType: '咨询', categoryId: '0107', outcome: { kind: 'closed_on_call', answer: '已告知提取公积金所需材料。' } }) });
    expect(r.status).toBe('closed');
    expect(host.db.prepare('SELECT assigned_unit_id, due_at FROM tickets').get()).toEqual({ assigned_unit_id: null, due_at: null });
  });

  it('bad input changes nothing and comes back with a Chinese message at each field', async () => {
    const res = await host.dispatch('tickets.create', {
      callerNumber: CALLER,
      draft: goodDraft({ callbackPhone: '1380013800', categoryId: '9999', description: '', requestType: undefined }),
    });
    expect(res.ok).toBe(false);
    const error = (res as { ok: false; error: { code: string; message: string; fields: Record<string, string> } }).error;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/工单有\d处需要修改/);
    expect(error.fields.callbackPhone).toBe('手机号码应为11位数字');
    expect(error.fields.description).toBe('请填写诉求内容');
    expect(error.fields.requestType).toContain('请选择诉求类型');
    expect(error.fields.categoryId).toBe('诉求分类 9999 不存在，请重新选择');

    const long = await host.dispatch('tickets.create', { callerNumber: CALLER, draft: goodDraft({ description: '停'.repeat(2001) }) });
    expect((long as any).error.fields).toEqual({ description: '诉求内容不能超过2000字（当前2001字）' });

    const branch = await host.dispatch('tickets.create', { callerNumber: CALLER, draft: goodDraft({ categoryId: '09' }) });
    expect((branch as any).error.fields).toEqual({ categoryId: '请选择“水电气暖”下的具体分类' });

    const named = await host.dispatch('tickets.create', { callerNumber: CALLER, draft: goodDraft({ callerName: '', callbackPhone: '' }) });
    expect((named as any).error.fields).toMatchObject({ callerName: '请填写来电人姓名，或勾选“匿名”' });

    const place = await host.dispatch('tickets.create', { callerNumber: CALLER, draft: goodDraft({ divisionCode: '110101001' }) });
    expect((place as any).error.fields.divisionCode).toContain('不在本中心辖区');

    const unit = await host.dispatch('tickets.create', { callerNumber: CALLER, draft: goodDraft({ outcome: { kind: 'dispatched', unitId: 'unit-nowhere' } }) });
    expect((unit as any).error.fields).toEqual({ 'outcome.unitId': '承办单位 unit-nowhere 不存在，请重新选择' });

    expect([count('tickets'), count('ticket_events'), count('outbox')]).toEqual([0, 0, 0]);
  });

  it('if the outbox entry cannot be written, neither the ticket nor its events are, and the draft stays', async () => {
    const draftId = '01936f6e-8f1c-7cc3-9a4e-0000000000d1';
    await host.call('tickets.saveDraft', { id: draftId, data: goodDraft() });
    host.db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    const res = await host.dispatch('tickets.create', { draftId, callerNumber: CALLER, draft: goodDraft() });
    expect(res.ok).toBe(false);
    expect([count('tickets'), count('ticket_events'), count('outbox'), count('ticket_drafts')]).toEqual([0, 0, 0, 1]);
  });
});

describe('drafts', () => {
  it('are kept as typed across a restart of the console and removed when the ticket is filed', async () => {
    const id = '01936f6e-8f1c-7cc3-9a4e-0000000000d2';
    await host.call('tickets.saveDraft', { id, callId: 'call-1', callerNumber: CALLER, data: { description: '停' } });
    await host.call('tickets.saveDraft', { id, data: { description: '停水了，三天', callbackPhone: '138' } });
    await host.close();
    host = open();
    const drafts = await host.call('tickets.drafts', {});
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ id, callId: 'call-1', callerNumber: CALLER, data: { description: '停水了，三天', callbackPhone: '138' } });

    await host.call('tickets.create', { draftId: id, callerNumber: CALLER, draft: goodDraft() });
    expect(await host.call('tickets.drafts', {})).toEqual([]);
  });
});

describe('a caller’s history from the local cache', () => {
  it('shows earlier tickets and calls, flags a repeat caller with an open ticket, and finds tickets by phone, text and number', async () => {
    const empty = await host.call('tickets.callerHistory', { phone: CALLER });
    expect(empty).toMatchObject({ tickets: [], calls: [], repeat: { repeat: false }, source: 'local' });

    const a = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft() });
    await host.call('tickets.create', { callerNumber: '13911112222', draft: goodDraft({ callbackPhone: '13911112222', description: '路灯不亮' }) });
    const h = await host.call('tickets.callerHistory', { phone: '+86 138 0013 8000', remote: true });
    expect(h.tickets.map((t) => t.id)).toEqual([a.id]);
    expect(h.repeat).toMatchObject({ repeat: true, openTicketIds: [a.id] });
    expect(h.repeat.message).toContain('未办结工单');
    expect(h.source).toBe('local');
    expect(h.serverError).toContain('无法连接中心服务器');
    expect(h.masked).toBe('138****8000');

    expect((await host.call('tickets.search', { q: '路灯' })).items.map((t) => t.description)).toEqual(['路灯不亮']);
    expect((await host.call('tickets.search', { q: '139 1111 2222' })).items.map((t) => t.description)).toEqual(['路灯不亮']);
    expect(await host.call('tickets.mine', {})).toHaveLength(2);

    host.db.prepare(`UPDATE tickets SET number = '12345-20261129-000042' WHERE id = ?`).run(a.id);
    expect((await host.call('tickets.search', { q: '12345-20261129-000042' })).items.map((t) => t.id)).toEqual([a.id]);
    expect((await host.call('tickets.search', { q: '42' })).items.map((t) => t.id)).toEqual([a.id]);
  });

  it('offers open tickets of the same number, or the same category at the same place, as possible duplicates', async () => {
    const a = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft() });
    const other = await host.call('tickets.create', { callerNumber: '13911112222', draft: goodDraft({ callbackPhone: '13911112222' }) });
    await host.call('tickets.create', { callerNumber: '13700001111', draft: goodDraft({ callbackPhone: '13700001111', requestType: '咨询', outcome: { kind: 'closed_on_call', answer: '已答复' } }) });

    const byPhone = await host.call('tickets.duplicates', { phones: [CALLER] });
    expect(byPhone.map((d) => [d.ticket.id, d.reason])).toEqual([[a.id, 'same_phone']]);

    const byPlace = await host.call('tickets.duplicates', { phones: ['13600000000'], categoryId: '0901', divisionCode: street().divisionCode!, address: '幸福路12号' });
    expect(byPlace.map((d) => d.ticket.id).sort()).toEqual([a.id, other.id].sort()); // the closed one is not offered
    expect(byPlace[0]!.message).toContain('可能是同一事项');

    const elsewhere = await host.call('tickets.duplicates', { phones: [], categoryId: '0901', divisionCode: street().divisionCode!, address: '和平大街88号' });
    expect(elsewhere).toEqual([]);
  });
});
