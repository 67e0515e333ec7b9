import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullResponse, type SyncChange } from '../../src/shared/sync-changes';
import { ENGINES } from './engines';
import { bearer, pushOk, serverOn, type TestServer, loginDemoUsers, type LoggedIn } from './helpers';
import { changeM, createTicketM, filedTicket, kbArticle, noteM } from '../support/sync-fixtures';

describe.each(ENGINES)('pulling the change log, on $name', (engine) => {
  let s: TestServer;
  let wang: LoggedIn;
  let li: LoggedIn;
  let lead: LoggedIn;

  async function pull(token: string, since = 0, limit?: number) {
    const res = await s.app.inject({ method: 'GET', url: `/api/sync/pull?since=${since}${limit ? `&limit=${limit}` : ''}`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return PullResponse.parse(res.json());
  }
  /** Everything after `since`, page by page, as a console does. */
  async function pullAll(token: string, since = 0, limit = 2) {
    const all: SyncChange[] = [];
    let cursor = since;
    for (;;) {
      const page = await pull(token, cursor, limit);
      all.push(...page.changes);
      expect(page.nextVersion).toBeGreaterThanOrEqual(cursor);
      cursor = page.nextVersion;
      if (!page.more) return { changes: all, cursor };
    }
  }
  const ticketIds = (cs: SyncChange[]) => cs.filter((c) => c.entity === 'ticket').map((c) => c.entityId);

  beforeAll(async () => {
    s = await serverOn(engine);
    ({ wang, li, lead } = await loginDemoUsers(s.app));
  });
  afterAll(() => s.close());

  it('an operator pulls their own tickets and the knowledge base; a lead pulls every ticket', async () => {
    const mine = filedTicket(wang.id);
    const hers = filedTicket(li.id, 'closed');
    await pushOk(s.app, wang.token, [createTicketM(mine)]);
    await pushOk(s.app, li.token, [createTicketM(hers)]);
    const pub = await s.app.inject({ method: 'POST', url: '/api/admin/kb/articles', headers: bearer(lead.token), payload: { articles: [kbArticle('KB-1', '公积金提取')] } });
    expect(pub.statusCode, pub.body).toBe(200);

    const w = await pullAll(wang.token);
    expect(ticketIds(w.changes)).toEqual([mine.id]);
    expect(w.changes.filter((c) => c.entity === 'kb_article').map((c) => c.entityId)).toEqual(['KB-1']);
    const snap = w.changes.find((c) => c.entity === 'ticket')!;
    expect(snap.entity === 'ticket' && snap.payload).toMatchObject({ number: expect.stringMatching(/^12345-\d{8}-\d{6}$/), flow: { status: 'dispatched', assignedUnitId: 'unit-zjj' } });
    expect(ticketIds((await pullAll(li.token)).changes)).toEqual([hers.id]);
    expect(ticketIds((await pullAll(lead.token)).changes).sort()).toEqual([mine.id, hers.id].sort());
  });

  it('pages follow each other without gaps or repeats, and an empty page moves the cursor to the head', async () => {
    const whole = await pull(lead.token, 0, 1000);
    const paged = await pullAll(lead.token, 0, 1);
    expect(paged.changes.map((c) => c.version)).toEqual(whole.changes.map((c) => c.version));
    expect(paged.cursor).toBe(whole.nextVersion);
    const again = await pull(wang.token, paged.cursor);
    expect(again).toEqual({ changes: [], nextVersion: paged.cursor, more: false });
  });

  it('a ticket another operator touches comes into their scope whole, with its history', async () => {
    const t = filedTicket(wang.id, 'closed');
    await pushOk(s.app, wang.token, [createTicketM(t)]);
    const { cursor } = await pullAll(lead.token);
    // The lead records the callback: now the lead took part, and operator li still does not see it.
    const { results } = await pushOk(s.app, lead.token, [changeM(t.id, { type: 'recordCallback', result: '满意' })]);
    expect(results[0]).toMatchObject({ status: 'applied', result: { status: 'visited' } });
    const after = await pullAll(lead.token, cursor);
    const snap = after.changes.find((c) => c.entityId === t.id);
    expect(snap?.entity === 'ticket' && snap.payload.events.map((e) => e.type)).toEqual(['accept', 'closeOnCall', 'recordCallback']);
    expect(ticketIds((await pullAll(li.token)).changes)).not.toContain(t.id);
  });

  it('two consoles recording the same callback: the second is refused by the workflow with a reason, and nothing is written for it', async () => {
    const t = filedTicket(wang.id, 'closed');
    await pushOk(s.app, wang.token, [createTicketM(t)]);
    const first = await pushOk(s.app, wang.token, [changeM(t.id, { type: 'recordCallback', result: '满意' })]);
    const head = (await pull(lead.token, 0, 1)).nextVersion;
    const before = await pull(lead.token, 0, 1000);
    const second = await pushOk(s.app, lead.token, [changeM(t.id, { type: 'recordCallback', result: '不满意', substantive: true })]);
    expect(first.results[0]).toMatchObject({ status: 'applied' });
    expect(second.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid_transition', message: expect.stringContaining('已回访') });
    expect((await pull(lead.token, 0, 1000)).nextVersion).toBe(before.nextVersion);
    expect(head).toBeGreaterThan(0);
    const { rows } = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1', [t.id]);
    expect(rows[0]!.n).toBe(3);
  });

  it('changes to a ticket outside the operator’s scope, or to no ticket, are refused and write nothing', async () => {
    const t = filedTicket(wang.id);
    await pushOk(s.app, wang.token, [createTicketM(t)]);
    const head = (await pull(lead.token, 0, 1000)).nextVersion;
    const { results } = await pushOk(s.app, li.token, [
      noteM(t.id, '不是我的工单'),
      changeM(t.id, { type: 'close' }),
      noteM('01936f6e-8f1c-7cc3-9a4e-00000000dead', '没有这张工单'),
      changeM(t.id, { type: 'fly' }),
      noteM(t.id, ''),
    ]);
    expect(results.map((r) => r.status === 'rejected' && r.reason)).toEqual(['forbidden', 'forbidden', 'not_found', 'invalid_args', 'invalid_args']);
    for (const r of results) expect(r.status === 'rejected' && r.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await pull(lead.token, 0, 1000)).nextVersion).toBe(head);
  });

  it('a note is appended to the history and reaches the ticket’s participants', async () => {
    const t = filedTicket(wang.id);
    await pushOk(s.app, wang.token, [createTicketM(t)]);
    const { cursor } = await pullAll(wang.token);
    await pushOk(s.app, lead.token, [noteM(t.id, '请加急办理'), changeM(t.id, { type: 'supervise', note: '三天未签收，督办' })]);
    const { changes } = await pullAll(wang.token, cursor);
    expect(changes).toHaveLength(1); // one entity, its newest state
    const snap = changes[0]!;
    expect(snap.entity === 'ticket' && snap.payload.flow).toMatchObject({ status: 'supervising', supervisionCount: 1 });
    expect(snap.entity === 'ticket' && snap.payload.events.map((e) => e.type)).toEqual(['accept', 'dispatch', 'note', 'supervise']);
  });

  it('an article retired on the server reaches consoles as retired; only leads and admins publish', async () => {
    const { cursor } = await pullAll(wang.token);
    const retire = await s.app.inject({ method: 'POST', url: '/api/admin/kb/articles/KB-1/retire', headers: bearer(lead.token) });
    expect(retire.statusCode, retire.body).toBe(200);
    const { changes } = await pullAll(wang.token, cursor);
    expect(changes).toMatchObject([{ entity: 'kb_article', entityId: 'KB-1', payload: { version: 2, article: { status: 'retired' } } }]);
    const refused = await s.app.inject({ method: 'POST', url: '/api/admin/kb/articles', headers: bearer(wang.token), payload: { articles: [kbArticle('KB-2', '社保')] } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/班长或管理员/);
    const unchanged = await s.app.inject({ method: 'POST', url: '/api/admin/kb/articles', headers: bearer(lead.token), payload: { articles: [{ ...kbArticle('KB-1', '公积金提取'), status: 'retired' }] } });
    expect(unchanged.json()).toEqual({ changed: [] });
  });

  it('malformed cursors and forged tokens are refused with a reason', async () => {
    for (const q of ['since=-1', 'since=abc', 'since=1&limit=0', 'since=1&limit=100000', 'since=1.5']) {
      const res = await s.app.inject({ method: 'GET', url: `/api/sync/pull?${q}`, headers: bearer(wang.token) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().message).toMatch(/参数/);
    }
    const forged = wang.token.slice(0, -4) + (wang.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const headers of [bearer(forged), {}]) {
      const res = await s.app.inject({ method: 'GET', url: '/api/sync/pull?since=0', headers });
      expect(res.statusCode).toBe(401);
    }
  });
});
