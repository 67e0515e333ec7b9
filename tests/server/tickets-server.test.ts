import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/shared/ticket/schema';
import { CallerHistoryResponse, ReferenceBundle } from '../../src/shared/ticket-wire';
import type { Mutation } from '../../src/shared/sync';
import { ENGINES } from './engines';
import { bearer, login, pushOk, serverOn, type TestServer } from './helpers';

/** A ticket as the console files it: accepted on 2026-02-13 (the Friday before the Spring Festival break). */
function ticket(acceptedBy: string, overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: uuidv7(),
    number: null,
    callId: 'call-1',
    anonymous: false,
    callerName: '陈女士',
    callbackPhone: '13800138000',
    requestType: '投诉',
    categoryId: '0101', // 城乡建设 / 物业管理: 5 working days, 区住建局
    divisionCode: '440105001',
    address: '某小区3栋',
    description: '小区电梯停运三天，物业不处理',
    urgency: '一般',
    kbArticleIds: [],
    outcome: { kind: 'dispatched', unitId: 'unit-zjj', deadline: { dueAt: '2026-02-27T10:00:00.000Z', provisional: false } },
    acceptedAt: '2026-02-13T10:00:00.000+08:00',
    acceptedBy,
    status: 'accepted',
    assignedUnitId: null,
    dueAt: null,
    dueProvisional: false,
    supervisionCount: 0,
    reworkCount: 0,
    updatedAt: '2026-02-13T10:05:00.000+08:00',
    ...overrides,
  } as Ticket;
}

const createTicket = (t: Ticket, callerNumber: string | null = '13800138000', id = uuidv7()): Mutation => ({
  id,
  name: 'createTicket',
  args: { ticket: t, callerNumber },
  createdAt: new Date().toISOString(),
});

describe.each(ENGINES)('tickets on the server, on $name', (engine) => {
  let s: TestServer;
  let wang: { id: string; token: string };
  let li: { id: string; token: string };
  let lead: { id: string; token: string };

  beforeAll(async () => {
    s = await serverOn(engine);
    const [a, b, c] = [await login(s.app, 'op1001', 'qingyu-1001'), await login(s.app, 'op1002', 'qingyu-1002'), await login(s.app, 'lead01', 'qingyu-1901')];
    wang = { id: a.user.id, token: a.token };
    li = { id: b.user.id, token: b.token };
    lead = { id: c.user.id, token: c.token };
  });
  afterAll(() => s.close());

  it('a dispatched ticket gets the day’s number, the suggested unit and the server’s own working-day deadline', async () => {
    const t = ticket(wang.id);
    const m = createTicket(t);
    const { results } = await pushOk(s.app, wang.token, [m]);
    expect(results).toEqual([{ id: m.id, status: 'applied', result: { number: '12345-20260213-000001', status: 'dispatched' } }]);
    const { rows } = await s.db.query<any>('SELECT number, status, assigned_unit_id, due_at, caller_number FROM tickets WHERE id = $1', [t.id]);
    // 5 working days after Fri 2026-02-13: the make-up Saturday 02-14 is day 1, the break follows, due Fri 02-27 18:00 Beijing.
    expect(rows[0]).toMatchObject({ number: '12345-20260213-000001', status: 'dispatched', assigned_unit_id: 'unit-zjj', caller_number: '13800138000' });
    expect(new Date(rows[0].due_at).toISOString()).toBe('2026-02-27T10:00:00.000Z');
    const events = await s.db.query<any>('SELECT type, from_status, to_status FROM ticket_events WHERE ticket_id = $1 ORDER BY id', [t.id]);
    expect(events.rows).toEqual([
      { type: 'accept', from_status: null, to_status: 'accepted' },
      { type: 'dispatch', from_status: 'accepted', to_status: 'dispatched' },
    ]);
  });

  it('a ticket answered on the call is closed at once; numbers follow each other within the day', async () => {
    const t = ticket(wang.id, { outcome: { kind: 'closed_on_call', answer: '已告知物业报修电话' }, requestType: '咨询' });
    const { results } = await pushOk(s.app, wang.token, [createTicket(t)]);
    expect(results[0]).toMatchObject({ status: 'applied', result: { number: '12345-20260213-000002', status: 'closed' } });
  });

  it('the same ticket pushed twice, even under a new mutation id, is stored once', async () => {
    const t = ticket(wang.id);
    const m = createTicket(t);
    await pushOk(s.app, wang.token, [m]);
    expect((await pushOk(s.app, wang.token, [m])).results[0]).toEqual({ id: m.id, status: 'duplicate' });
    const again = await pushOk(s.app, wang.token, [createTicket(t)]);
    expect(again.results[0]).toMatchObject({ status: 'applied', result: { status: 'dispatched' } });
    const { rows } = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE id = $1', [t.id]);
    expect(rows[0]!.n).toBe(1);
  });

  it.each([
    ['a category that does not exist', { categoryId: '9999' }, 'invalid_category'],
    ['a category that is not a leaf', { categoryId: '01' }, 'invalid_category'],
    ['a unit that does not exist', { outcome: { kind: 'dispatched', unitId: 'unit-nope', deadline: { dueAt: '2026-02-27T10:00:00.000Z', provisional: false } } }, 'invalid_unit'],
    ['an invalid callback phone', { callbackPhone: '12345' }, 'invalid_args'],
    ['an over-long description', { description: '很'.repeat(2001) }, 'invalid_args'],
  ] as const)('refuses %s with a reason in Chinese and writes nothing', async (_why, patch, reason) => {
    const before = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets');
    const m = createTicket(ticket(wang.id, patch as Partial<Ticket>));
    const { results } = await pushOk(s.app, wang.token, [m]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason });
    expect((results[0] as { message: string }).message).toMatch(/[\u4e00-\u9fff]/);
    const after = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    const applied = await s.db.query('SELECT 1 FROM applied_mutations WHERE id = $1', [m.id]);
    expect(applied.rows).toHaveLength(0);
  });

  it('an operator cannot file a ticket in another operator’s name', async () => {
    const { results } = await pushOk(s.app, li.token, [createTicket(ticket(wang.id))]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' });
  });

  it('reference data: the real district’s streets, a 204 when the console is current, edits by a lead only', async () => {
    const res = await s.app.inject({ url: '/api/reference', headers: bearer(wang.token) });
    const bundle = ReferenceBundle.parse(res.json());
    expect(bundle.district).toMatchObject({ code: '440105', name: '海珠区' });
    const towns = bundle.divisions.filter((d) => d.level === 'town');
    expect(towns.length).toBe(18);
    expect(towns.map((t) => t.name)).toContain('赤岗街道');
    expect(bundle.data.units.filter((u) => u.divisionCode).map((u) => u.name)).toEqual(towns.map((t) => t.name));

    expect((await s.app.inject({ url: `/api/reference?since=${bundle.version}`, headers: bearer(wang.token) })).statusCode).toBe(204);

    const edit = { calendarYears: [{ year: 2027, holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [] }] };
    const refused = await s.app.inject({ method: 'PUT', url: '/api/admin/reference', headers: bearer(wang.token), payload: edit });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/[\u4e00-\u9fff]/);
    const bad = await s.app.inject({ method: 'PUT', url: '/api/admin/reference', headers: bearer(lead.token), payload: { calendarYears: [{ year: 2027, holidays: [{ date: '2026-13-01', name: 'x' }], workdays: [] }] } });
    expect(bad.statusCode).toBe(400);
    const ok = await s.app.inject({ method: 'PUT', url: '/api/admin/reference', headers: bearer(lead.token), payload: edit });
    expect(ok.statusCode, ok.body).toBe(200);
    const next = ReferenceBundle.parse(ok.json());
    expect(next.version).toBe(bundle.version + 1);
    expect(next.calendarYears[0]!.year).toBe(2027);
    const after = ReferenceBundle.parse((await s.app.inject({ url: `/api/reference?since=${bundle.version}`, headers: bearer(li.token) })).json());
    expect(after.version).toBe(next.version);
  });

  it('a caller’s history lists their tickets and calls, and every look-up is in the audit log', async () => {
    const res = await s.app.inject({ url: '/api/callers/138-0013-8000/history', headers: bearer(li.token) });
    expect(res.statusCode, res.body).toBe(200);
    const history = CallerHistoryResponse.parse(res.json());
    expect(history.phone).toBe('13800138000');
    expect(history.tickets.length).toBeGreaterThanOrEqual(2);
    expect(history.tickets[0]!.number).toMatch(/^12345-2026/);
    const audit = await s.db.query<any>(`SELECT user_id, detail FROM audit_log WHERE action = 'caller_history.viewed' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0]).toMatchObject({ user_id: li.id, detail: { phone: '13800138000' } });
  });
});
