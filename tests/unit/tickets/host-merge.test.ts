/**
 * A repeat call merged into an open ticket on the console host, on a real
 * SQLite file with the central server unreachable: the ticket's history gets
 * the repeat call, the `mergeRepeatCall` intent waits in the outbox and the
 * draft is gone, all in one transaction; bad input changes nothing; a ticket
 * outside the operator's scope or closed is refused in Chinese; the pending
 * repeat call survives a pull of the server's snapshot until the server's
 * own event replaces it. Search falls back to the cache when offline.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleHost } from '../../../src/host/host';
import { KnowledgeBase } from '../../../src/host/kb/index';
import { applyPage } from '../../../src/host/sync/apply';
import type { TicketSnapshot } from '../../../src/shared/sync-changes';
import { demoReference } from '../../../src/shared/ticket/index';
import { tempDir } from '../../support/tmp';

const USER = { id: '01936f6e-8f1c-7cc3-9a4e-00000000a001', username: 'op1001', displayName: '王小明', role: 'operator' as const, sip: null };
const CALLER = '13800138000';
const DRAFT = '01936f6e-8f1c-7cc3-9a4e-0000000000d1';

let tmp: ReturnType<typeof tempDir>;
let host: ConsoleHost;

beforeEach(() => {
  tmp = tempDir();
  // Port 9 (discard) refuses connections: the server is unreachable.
  host = new ConsoleHost({ dbPath: path.join(tmp.dir, 'console.db'), serverUrl: 'http://127.0.0.1:9', transport: 'browser' });
  host.db
    .prepare(`INSERT INTO settings (key, value) VALUES ('session', ?)`)
    .run(JSON.stringify({ token: 't', expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: USER }));
});
afterEach(async () => {
  await host.close();
  tmp.cleanup();
});

const street = () => demoReference().data.units.find((u) => u.divisionCode)!.divisionCode!;
const goodDraft = (over: Record<string, unknown> = {}) => ({
  callerName: '张先生',
  callbackPhone: CALLER,
  requestType: '求助',
  categoryId: '0901', // 停水
  divisionCode: street(),
  address: '幸福路12号3栋',
  description: '小区从早上开始停水，没有任何通知。',
  urgency: '一般',
  outcome: { kind: 'dispatched', unitId: '' },
  ...over,
});
const count = (table: string) => (host.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const state = () => [count('ticket_events'), count('outbox'), count('ticket_drafts')];

/** The repeat caller's second call: a draft bound to the call with what they said this time. */
async function repeatDraft(description: string) {
  await host.call('tickets.saveDraft', { id: DRAFT, callId: 'call-2', callerNumber: CALLER, data: { callbackPhone: CALLER, description } });
}

/** A ticket as the server sends it down (accepted by `acceptedBy`, dispatched). */
function snapshot(id: string, acceptedBy: string, events: TicketSnapshot['events'] = []): TicketSnapshot {
  const at = new Date().toISOString();
  return {
    id,
    number: '12345-20260302-000007',
    acceptedAt: at,
    acceptedBy,
    callerNumber: CALLER,
    callbackPhone: CALLER,
    requestType: '求助',
    categoryId: '0901',
    divisionCode: street(),
    address: '幸福路12号3栋',
    description: '停水',
    urgency: '一般',
    flow: {
      status: 'dispatched', assignedUnitId: 'unit-gs', dueAt: new Date(Date.now() + 86_400_000).toISOString(), dueProvisional: false, extension: null,
      answer: null, reply: null, returnReason: null, callback: null, score: null, closedAt: null, supervisionCount: 0, reworkCount: 0,
    },
    events: [
      { at, actorId: acceptedBy, type: 'accept', fromStatus: null, toStatus: 'accepted', detail: {} },
      { at, actorId: acceptedBy, type: 'dispatch', fromStatus: 'accepted', toStatus: 'dispatched', detail: { unitId: 'unit-gs' } },
      ...events,
    ],
    updatedAt: at,
  };
}

describe('merging a repeat call into an open ticket', () => {
  it('appends the call to the ticket’s history, queues the intent after the ticket’s own and removes the draft, without moving the status', async () => {
    const open = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft() });
    await repeatDraft('  还是没有水，已经一整天了，老人做不了饭。  ');
    const dups = await host.call('tickets.duplicates', { phones: [CALLER] });
    expect(dups).toEqual([expect.objectContaining({ reason: 'same_phone', cannotMerge: null, ticket: expect.objectContaining({ id: open.id }) })]);

    const r = await host.call('tickets.mergeDraft', { draftId: DRAFT, ticketId: open.id });
    expect(r.ticket).toMatchObject({ id: open.id, status: 'dispatched' });
    expect(r.events.map((e) => e.label)).toEqual(['受理', '派单', '重复来电']);
    expect(r.events[2]).toMatchObject({ actorId: USER.id, fromStatus: 'dispatched', toStatus: 'dispatched', detail: { callId: 'call-2', callerNumber: CALLER, description: '还是没有水，已经一整天了，老人做不了饭。', pending: true } });

    const outbox = host.db.prepare('SELECT id, name, args FROM outbox ORDER BY id').all() as { id: string; name: string; args: string }[];
    expect(outbox.map((o) => o.name)).toEqual(['createTicket', 'mergeRepeatCall']); // the ticket reaches the server first
    expect(JSON.parse(outbox[1]!.args)).toMatchObject({ ticketId: open.id, callId: 'call-2', callerNumber: CALLER, description: '还是没有水，已经一整天了，老人做不了饭。' });
    expect(await host.call('tickets.drafts', {})).toEqual([]);
    expect((host.db.prepare('SELECT status FROM tickets WHERE id = ?').get(open.id) as { status: string }).status).toBe('dispatched');
    expect((await host.call('tickets.get', { id: open.id })).events.at(-1)?.label).toBe('重复来电');
  });

  it.each([
    ['an empty description', '   ', /请先在“诉求内容”中记下/, { description: '请填写来电人本次反映的内容' }],
    ['an over-long description', '水'.repeat(2001), /不能超过2000字/, { description: '诉求内容不能超过2000字（当前2001字）' }],
  ] as const)('refuses %s with the message at the field and changes nothing', async (_why, description, message, fields) => {
    const open = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft() });
    await repeatDraft(description);
    const before = state();
    const res = await host.dispatch('tickets.mergeDraft', { draftId: DRAFT, ticketId: open.id });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(message), fields } });
    expect(state()).toEqual(before);
  });

  it('refuses an unknown ticket, a closed one and a colleague’s ticket known only from a history look-up, and changes nothing', async () => {
    await repeatDraft('又来反映');
    const unknown = await host.dispatch('tickets.mergeDraft', { draftId: DRAFT, ticketId: '01936f6e-8f1c-7cc3-9a4e-00000000dead' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found', message: '本机没有这张工单，无法合并' } });

    const closed = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft({ requestType: '咨询', categoryId: '0107', outcome: { kind: 'closed_on_call', answer: '已告知' } }) });
    const before = state();
    const refusedClosed = await host.dispatch('tickets.mergeDraft', { draftId: DRAFT, ticketId: closed.id });
    expect(refusedClosed).toMatchObject({ ok: false, error: { code: 'invalid_input', message: '该工单当前为“已办结”，不能再合并来电；如问题仍未解决，请新建工单' } });

    // Seen in the caller's history from the server, filed by another operator: not in this operator's scope.
    const theirs = '01936f6e-8f1c-7cc3-9a4e-00000000b002';
    host.db
      .prepare(
        `INSERT INTO tickets (id, number, status, accepted_at, accepted_by, caller_number, callback_phone, request_type, category_id, division_code, description, origin, updated_at)
         VALUES (?, '12345-20260301-000003', 'dispatched', ?, 'u-op1002', ?, ?, '求助', '0901', ?, '停水', 'server', ?)`,
      )
      .run(theirs, new Date().toISOString(), CALLER, CALLER, street(), new Date().toISOString());
    const dups = await host.call('tickets.duplicates', { phones: [CALLER] });
    expect(dups.find((d) => d.ticket.id === theirs)?.cannotMerge).toBe('工单 12345-20260301-000003 由其他话务员受理，不在本人处理范围内：请报班长合并或新建工单');
    const refusedTheirs = await host.dispatch('tickets.mergeDraft', { draftId: DRAFT, ticketId: theirs });
    expect(refusedTheirs).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('不在本人处理范围内') } });
    expect(state()).toEqual(before);
  });

  it('if the outbox entry cannot be written, neither the event is added nor the draft removed', async () => {
    const open = await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft() });
    await repeatDraft('又停水了');
    const before = state();
    host.db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    const res = await host.dispatch('tickets.mergeDraft', { draftId: DRAFT, ticketId: open.id });
    expect(res.ok).toBe(false);
    expect(state()).toEqual(before);
  });

  it('on a pulled ticket the pending repeat call survives the next pull, and the server’s own event replaces it once applied', async () => {
    const kb = new KnowledgeBase(host.db);
    const id = '01936f6e-8f1c-7cc3-9a4e-00000000c003';
    const roleOf = () => 'operator' as const;
    applyPage(host.db, kb, USER.id, { changes: [{ version: 1, entity: 'ticket', entityId: id, op: 'put', payload: snapshot(id, USER.id) }], nextVersion: 1, more: false }, roleOf);
    await repeatDraft('第二次来电：还是停水');
    await host.call('tickets.mergeDraft', { draftId: DRAFT, ticketId: id });

    // Another change of the ticket arrives before the push: the repeat call is replayed on the new snapshot.
    applyPage(host.db, kb, USER.id, { changes: [{ version: 2, entity: 'ticket', entityId: id, op: 'put', payload: snapshot(id, USER.id) }], nextVersion: 2, more: false }, roleOf);
    let events = (await host.call('tickets.get', { id })).events;
    expect(events.map((e) => e.label)).toEqual(['受理', '派单', '重复来电']);
    expect(events[2]!.detail).toMatchObject({ description: '第二次来电：还是停水', pending: true });

    // The server applied it: its snapshot carries the event, the outbox entry is sent.
    host.db.prepare(`UPDATE outbox SET status = 'sent' WHERE name = 'mergeRepeatCall'`).run();
    const serverEvent = { at: new Date().toISOString(), actorId: USER.id, type: 'repeatCall', fromStatus: 'dispatched', toStatus: 'dispatched', detail: { callId: 'call-2', callerNumber: CALLER, description: '第二次来电：还是停水', takenBy: USER.id } };
    applyPage(host.db, kb, USER.id, { changes: [{ version: 3, entity: 'ticket', entityId: id, op: 'put', payload: snapshot(id, USER.id, [serverEvent]) }], nextVersion: 3, more: false }, roleOf);
    events = (await host.call('tickets.get', { id })).events;
    expect(events.map((e) => e.label)).toEqual(['受理', '派单', '重复来电']);
    expect(events[2]!.detail.pending).toBeUndefined();
  });
});

describe('ticket search while the server is unreachable', () => {
  it('answers from the cache and says why the center was not searched', async () => {
    await host.call('tickets.create', { callerNumber: CALLER, draft: goodDraft({ description: '路灯不亮' }) });
    const r = await host.call('tickets.search', { q: '路灯', remote: true });
    expect(r.source).toBe('local');
    expect(r.serverError).toContain('无法连接中心服务器');
    expect(r.items.map((t) => [t.description, t.foundOn])).toEqual([['路灯不亮', 'local']]);
    expect(await host.call('tickets.search', { q: '路灯' })).toMatchObject({ source: 'local', serverError: null });
  });
});
