/**
 * Repeat calls merged into an open ticket (`mergeRepeatCall`) and ticket
 * search on the server (GET /api/tickets/search), on PGlite and PostgreSQL:
 * the merge appends one event and moves no status, is refused with a reason
 * in Chinese for an unknown, closed or foreign ticket and then writes
 * nothing, and reaches the consoles in scope through the change log; search
 * finds by number, its tail, phone and text within the user's scope, and
 * every phone search is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullResponse, type SyncChange, type TicketSnapshot } from '../../src/shared/sync-changes';
import { TicketSearchResponse } from '../../src/shared/ticket-merge';
import { createTicketM, filedTicket, mutation } from '../support/sync-fixtures';
import { ENGINES } from './engines';
import { bearer, push, pushOk, serverOn, type TestServer, loginDemoUsers, type LoggedIn } from './helpers';

const CALLER = '13800138000';

const merge = (ticketId: string, over: Record<string, unknown> = {}) =>
  mutation('mergeRepeatCall', { ticketId, at: new Date().toISOString(), callId: `call-${Math.random().toString(36).slice(2)}`, callerNumber: CALLER, description: '电梯还是没修好，第二次打来了', ...over });

describe.each(ENGINES)('repeat calls and ticket search on the server, on $name', (engine) => {
  let s: TestServer;
  let wang: LoggedIn;
  let li: LoggedIn;
  let lead: LoggedIn;

  async function pullAll(token: string, since = 0) {
    const res = await s.app.inject({ url: `/api/sync/pull?since=${since}&limit=1000`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return PullResponse.parse(res.json());
  }
  const snapshotOf = (changes: SyncChange[], id: string): TicketSnapshot | undefined => {
    const c = changes.find((x) => x.entity === 'ticket' && x.entityId === id);
    return c?.entity === 'ticket' ? c.payload : undefined;
  };
  const head = async () => Number((await s.db.query<{ v: string }>('SELECT version::text AS v FROM sync_head')).rows[0]!.v);
  const events = async (id: string) =>
    (await s.db.query<{ type: string; actor_id: string; from_status: string; to_status: string; detail: any }>('SELECT type, actor_id, from_status, to_status, detail FROM ticket_events WHERE ticket_id = $1 ORDER BY id', [id])).rows;
  async function search(token: string, q: string, limit?: number) {
    const res = await s.app.inject({ url: `/api/tickets/search?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ''}`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return TicketSearchResponse.parse(res.json());
  }

  beforeAll(async () => {
    s = await serverOn(engine);
    ({ wang, li, lead } = await loginDemoUsers(s.app));
  });
  afterAll(() => s.close());

  describe('merging a repeat call', () => {
    it('appends the call to the open ticket with who took it and what was said; the status stays; consoles in scope pull it', async () => {
      const t = filedTicket(wang.id);
      await pushOk(s.app, wang.token, [createTicketM(t)]);
      const since = await head();
      const m = merge(t.id, { callId: 'call-repeat-1' });
      const { results } = await pushOk(s.app, wang.token, [m]);
      expect(results[0]).toMatchObject({ id: m.id, status: 'applied', result: { number: expect.stringMatching(/^12345-\d{8}-\d{6}$/), status: 'dispatched', repeatCalls: 1 } });

      const { rows } = await s.db.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [t.id]);
      expect(rows[0]!.status).toBe('dispatched');
      const evs = await events(t.id);
      expect(evs.map((e) => e.type)).toEqual(['accept', 'dispatch', 'repeatCall']);
      expect(evs[2]).toMatchObject({
        actor_id: wang.id,
        from_status: 'dispatched',
        to_status: 'dispatched',
        detail: { callId: 'call-repeat-1', callerNumber: CALLER, description: '电梯还是没修好，第二次打来了', takenBy: wang.id },
      });

      // The change log: wang (who took it) and the lead pull the new snapshot with the repeat call; li does not see the ticket.
      for (const token of [wang.token, lead.token]) {
        const snap = snapshotOf((await pullAll(token, since)).changes, t.id);
        expect(snap?.flow.status).toBe('dispatched');
        expect(snap?.events.at(-1)).toMatchObject({ type: 'repeatCall', actorId: wang.id, detail: { description: '电梯还是没修好，第二次打来了' } });
      }
      expect(snapshotOf((await pullAll(li.token, since)).changes, t.id)).toBeUndefined();
    });

    it('the same call merged again under a new mutation id leaves one event', async () => {
      const t = filedTicket(wang.id);
      await pushOk(s.app, wang.token, [createTicketM(t)]);
      const first = await pushOk(s.app, wang.token, [merge(t.id, { callId: 'call-twice' })]);
      const again = await pushOk(s.app, wang.token, [merge(t.id, { callId: 'call-twice' })]);
      expect(first.results[0]).toMatchObject({ status: 'applied', result: { repeatCalls: 1 } });
      expect(again.results[0]).toMatchObject({ status: 'applied', result: { repeatCalls: 1 } });
      const other = await pushOk(s.app, wang.token, [merge(t.id, { callId: 'call-third' })]);
      expect(other.results[0]).toMatchObject({ status: 'applied', result: { repeatCalls: 2 } });
      expect((await events(t.id)).filter((e) => e.type === 'repeatCall')).toHaveLength(2);
    });

    it('a lead may merge into any open ticket', async () => {
      const t = filedTicket(wang.id);
      await pushOk(s.app, wang.token, [createTicketM(t)]);
      const { results } = await pushOk(s.app, lead.token, [merge(t.id)]);
      expect(results[0]).toMatchObject({ status: 'applied' });
      expect((await events(t.id)).at(-1)).toMatchObject({ type: 'repeatCall', actor_id: lead.id });
    });

    it.each([
      ['an unknown ticket', 'unknown', 'not_found', /没有这张工单/],
      ['a ticket closed on the call', 'closed', 'ticket_closed', /^工单 12345-\d{8}-\d{6} 当前为“已办结”，不能再合并来电/],
      ['another operator’s ticket', 'foreign', 'forbidden', /不是本人受理或经手/],
      ['an empty description', 'empty', 'invalid_args', /请填写来电人本次反映的内容/],
      ['an over-long description', 'long', 'invalid_args', /不能超过2000字/],
    ] as const)('refuses %s with a reason in Chinese and writes nothing', async (_why, kind, reason, message) => {
      const mine = filedTicket(wang.id, kind === 'closed' ? 'closed' : 'dispatched');
      const hers = filedTicket(li.id);
      await pushOk(s.app, wang.token, [createTicketM(mine)]);
      await pushOk(s.app, li.token, [createTicketM(hers)]);
      const target = kind === 'foreign' ? hers.id : kind === 'unknown' ? '01936f6e-8f1c-7cc3-9a4e-00000000dead' : mine.id;
      const description = kind === 'empty' ? '   ' : kind === 'long' ? '修'.repeat(2001) : '又打来了';
      const before = { head: await head(), events: (await events(target)).length, participants: (await s.db.query('SELECT 1 FROM ticket_participants WHERE user_id = $1 AND ticket_id::text = $2', [wang.id, target])).rows.length };

      const m = merge(target, { description });
      const { results } = await pushOk(s.app, wang.token, [m]);
      expect(results[0]).toMatchObject({ id: m.id, status: 'rejected', reason, message: expect.stringMatching(message) });
      if (kind === 'foreign') expect((results[0] as { message: string }).message).toMatch(/^工单 12345-\d{8}-\d{6} /);

      expect(await head()).toBe(before.head);
      expect((await events(target)).length).toBe(before.events);
      expect((await s.db.query('SELECT 1 FROM ticket_participants WHERE user_id = $1 AND ticket_id::text = $2', [wang.id, target])).rows.length).toBe(before.participants);
      expect((await s.db.query('SELECT 1 FROM applied_mutations WHERE id = $1', [m.id])).rows).toHaveLength(0);
    });
  });

  describe('searching tickets on the server', () => {
    let wangs: { id: string; number: string };
    let lis: { id: string; number: string };

    beforeAll(async () => {
      const a = filedTicket(wang.id, 'dispatched', { callbackPhone: '13911112222', description: '人行道井盖缺失，有人踩空', address: '滨江东路100号' });
      const b = filedTicket(li.id, 'dispatched', { callbackPhone: '13911112222', description: '井盖又被偷了_50%的路段没有', address: '滨江东路102号' });
      const ra = await pushOk(s.app, wang.token, [{ ...createTicketM(a), args: { ticket: a, callerNumber: '13911112222' } }]);
      const rb = await pushOk(s.app, li.token, [{ ...createTicketM(b), args: { ticket: b, callerNumber: '13911112222' } }]);
      wangs = { id: a.id, number: (ra.results[0] as any).result.number };
      lis = { id: b.id, number: (rb.results[0] as any).result.number };
    });

    it('finds by whole number, by the number’s last digits, by phone and by words; operators only in their scope, leads everything', async () => {
      expect(await search(wang.token, wangs.number)).toMatchObject({ kind: 'number', tickets: [{ id: wangs.id, number: wangs.number, callbackPhone: '13911112222' }] });
      expect((await search(wang.token, lis.number)).tickets).toEqual([]); // li's ticket, not in wang's scope
      expect((await search(lead.token, lis.number)).tickets.map((t) => t.id)).toEqual([lis.id]);

      const tail = wangs.number.slice(-3); // "…007", as operators read it out
      const byTail = await search(wang.token, tail);
      expect(byTail.kind).toBe('number_tail');
      expect(byTail.tickets.map((t) => t.id)).toEqual([wangs.id]);

      expect((await search(wang.token, '139 1111 2222')).tickets.map((t) => t.id)).toEqual([wangs.id]);
      expect((await search(lead.token, '+86 139-1111-2222')).tickets.map((t) => t.id)).toEqual([lis.id, wangs.id]);

      const words = await search(lead.token, '井盖');
      expect(words.kind).toBe('text');
      expect(words.tickets.map((t) => t.id).sort()).toEqual([wangs.id, lis.id].sort());
      expect((await search(wang.token, '井盖')).tickets.map((t) => t.id)).toEqual([wangs.id]);
      // LIKE's wildcards are read as text.
      expect((await search(lead.token, '_50%')).tickets.map((t) => t.id)).toEqual([lis.id]);
      expect((await search(lead.token, '滨江东路', 1)).tickets).toHaveLength(1);
    });

    it('a ticket the operator merged a call into is in their scope afterwards', async () => {
      const t = filedTicket(li.id, 'dispatched', { description: '垃圾清运不及时' });
      const r = await pushOk(s.app, li.token, [createTicketM(t)]);
      const number = (r.results[0] as any).result.number as string;
      expect((await search(wang.token, number)).tickets).toEqual([]);
      await pushOk(s.app, lead.token, [merge(t.id)]); // the lead merges; wang still has not touched it
      expect((await search(wang.token, number)).tickets).toEqual([]);
      expect((await search(lead.token, number)).tickets.map((x) => x.id)).toEqual([t.id]);
    });

    it('a search by phone number is written to the audit log; other searches are not', async () => {
      const n = async () => (await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'tickets.searched'`)).rows[0]!.n;
      const before = await n();
      await search(li.token, '13911112222');
      const { rows } = await s.db.query<any>(`SELECT user_id, detail FROM audit_log WHERE action = 'tickets.searched' ORDER BY id DESC LIMIT 1`);
      expect(rows[0]).toMatchObject({ user_id: li.id, detail: { kind: 'phone', phone: '13911112222', tickets: 1 } });
      await search(li.token, '井盖');
      await search(li.token, lis.number);
      expect(await n()).toBe(before + 1);
    });

    it('needs a token, and refuses an empty query or a bad limit in Chinese', async () => {
      const anon = await s.app.inject({ url: '/api/tickets/search?q=井盖' });
      expect(anon.statusCode).toBe(401);
      for (const url of ['/api/tickets/search', '/api/tickets/search?q=%20', '/api/tickets/search?q=a&limit=0', '/api/tickets/search?q=a&limit=201', `/api/tickets/search?q=${'长'.repeat(101)}`]) {
        const res = await s.app.inject({ url, headers: bearer(wang.token) });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().message, url).toMatch(/[\u4e00-\u9fff]/);
      }
      expect((await push(s.app, wang.token, [])).statusCode).toBe(400);
    });
  });
});
