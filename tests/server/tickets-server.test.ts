import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/shared/ticket/schema';
import { CallerHistoryResponse, ReferenceBundle } from '../../src/shared/ticket-wire';
import type { Mutation } from '../../src/shared/sync';
import { ENGINES } from './engines';
import { currentReference, saveReference } from '../../src/server/reference';
import { ticketSnapshot } from '../../src/server/ticket-changes';
import { applyCreateTicket } from '../../src/server/tickets';
import type { Category } from '../../src/shared/ticket/reference';
import { MutationArgs } from '../../src/shared/sync';
import { bearer, pushOk, serverOn, type TestServer, loginDemoUsers, type LoggedIn } from './helpers';

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
  let wang: LoggedIn;
  let li: LoggedIn;
  let lead: LoggedIn;

  beforeAll(async () => {
    s = await serverOn(engine);
    ({ wang, li, lead } = await loginDemoUsers(s.app));
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

  it('the change log carries a new ticket exactly as it reads back, by the one-statement path and by the general one', async () => {
    const logged = async (id: string) => (await s.db.query<{ payload: unknown }>("SELECT payload FROM changes WHERE entity = 'ticket' AND entity_id = $1", [id])).rows[0]?.payload;
    const usual = ticket(wang.id, { callbackPhone: '13900001111' });
    expect((await pushOk(s.app, wang.token, [createTicket(usual)])).results[0]).toMatchObject({ status: 'applied' });
    expect(await logged(usual.id)).toEqual(await ticketSnapshot(s.db, usual.id));

    // The general path (a race on the ticket, a reference version changing under the push) writes the same.
    const general = ticket(wang.id, { outcome: { kind: 'closed_on_call', answer: '已解答' }, requestType: '咨询' });
    const args = MutationArgs.createTicket.parse({ ticket: general, callerNumber: '13900002222' });
    const out = await s.db.transaction((tx) => applyCreateTicket(tx, args, { id: wang.id, role: 'operator' }));
    expect(out).toMatchObject({ result: { status: 'closed' } });
    expect(await logged(general.id)).toEqual(await ticketSnapshot(s.db, general.id));
    const events = await s.db.query<{ type: string }>('SELECT type FROM ticket_events WHERE ticket_id = $1 ORDER BY id', [general.id]);
    expect(events.rows.map((e) => e.type)).toEqual(['accept', 'closeOnCall']);
  });

  it('reference data saved meanwhile by another server instance decides the next ticket’s deadline at once', async () => {
    const before = ticket(wang.id);
    const first = await pushOk(s.app, wang.token, [createTicket(before)]);
    expect(first.results[0]).toMatchObject({ status: 'applied' });
    const due = async (id: string) => new Date((await s.db.query<{ due_at: Date }>('SELECT due_at FROM tickets WHERE id = $1', [id])).rows[0]!.due_at).toISOString();
    expect(await due(before.id)).toBe('2026-02-27T10:00:00.000Z'); // 5 working days

    // Straight into the database, as another instance would: this one's cache still holds the old version.
    const current = await currentReference(s.db);
    const shorten = (nodes: Category[]): Category[] => nodes.map((c) => (c.id === '0101' ? { ...c, deadline: { kind: 'hours', hours: 48 } } : c.children ? { ...c, children: shorten(c.children) } : c));
    await s.db.transaction((tx) => saveReference(tx, { data: { ...current.data, categories: shorten(current.data.categories) } }, lead.id));

    const after = ticket(wang.id);
    expect((await pushOk(s.app, wang.token, [createTicket(after)])).results[0]).toMatchObject({ status: 'applied', result: { status: 'dispatched' } });
    expect(await due(after.id)).not.toBe('2026-02-27T10:00:00.000Z');
    expect(new Date(await due(after.id)).getTime() - new Date(after.acceptedAt).getTime()).toBeLessThanOrEqual(48 * 3600_000);
  });
});
