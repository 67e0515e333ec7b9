import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/auth';
import { PushResponse } from '../../src/shared/sync';
import { ENGINES } from './engines';
import { answeredCall, count, login, push, pushOk, recordCall, serverOn, type TestServer } from './helpers';

describe.each(ENGINES)('an operator console pushing its call records, on $name', (engine) => {
  let s: TestServer;
  let wang: { id: string; token: string }; // op1001
  let li: { id: string; token: string }; // op1002

  beforeAll(async () => {
    s = await serverOn(engine);
    const a = await login(s.app, 'op1001', 'qingyu-1001');
    const b = await login(s.app, 'op1002', 'qingyu-1002');
    wang = { id: a.user.id, token: a.token };
    li = { id: b.user.id, token: b.token };
  });
  afterAll(() => s.close());
  beforeEach(async () => {
    await s.db.query('DELETE FROM call_records');
    await s.db.query('DELETE FROM applied_mutations');
  });

  async function nothingWritten() {
    expect(await count(s.db, 'call_records')).toBe(0);
    expect(await count(s.db, 'applied_mutations')).toBe(0);
  }

  it("an operator's answered call reaches the server with every field", async () => {
    const call = answeredCall(wang.id);
    const m = recordCall(call);
    const body = PushResponse.parse(await pushOk(s.app, wang.token, [m], 'ws-07'));
    expect(body.results).toEqual([{ id: m.id, status: 'applied' }]);

    const { rows } = await s.db.query<Record<string, unknown>>('SELECT * FROM call_records');
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      id: call.id,
      direction: 'inbound',
      caller_number: '13800138000',
      callee_number: '12345',
      operator_id: wang.id,
      outcome: 'answered',
      sip_call_id: 'a84b4c76e66710@pbx.test',
    });
    expect(new Date(row.started_at as string).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(new Date(row.answered_at as string).toISOString()).toBe('2026-03-02T01:00:05.000Z');
    expect(new Date(row.ended_at as string).toISOString()).toBe('2026-03-02T01:03:40.000Z');
    expect(row.received_at).toBeTruthy();

    const ledger = await s.db.query<{ user_id: string; client_id: string; name: string; status: string }>('SELECT user_id, client_id, name, status FROM applied_mutations');
    expect(ledger.rows).toEqual([{ user_id: wang.id, client_id: 'ws-07', name: 'recordCall', status: 'applied' }]);
  });

  it("an operator's call record pushed twice is stored once", async () => {
    const m = recordCall(answeredCall(wang.id));
    expect((await pushOk(s.app, wang.token, [m])).results).toEqual([{ id: m.id, status: 'applied' }]);
    expect((await pushOk(s.app, wang.token, [m])).results).toEqual([{ id: m.id, status: 'duplicate' }]);
    expect(await count(s.db, 'call_records')).toBe(1);
    expect(await count(s.db, 'applied_mutations')).toBe(1);
  });

  it('the same push sent five times at once (a flaky network retrying) stores the call exactly once', async () => {
    const batch = [recordCall(answeredCall(wang.id)), recordCall(answeredCall(wang.id, { outcome: 'missed', answeredAt: null }))];
    const responses = await Promise.all(Array.from({ length: 5 }, () => pushOk(s.app, wang.token, batch)));
    for (const [i, m] of batch.entries()) {
      const statuses = responses.map((r) => r.results[i]!.status).sort();
      expect(statuses, m.id).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    }
    expect(await count(s.db, 'call_records')).toBe(2);
    expect(await count(s.db, 'applied_mutations')).toBe(2);
  });

  it('a call record sent again under a new mutation id is still stored once', async () => {
    const call = answeredCall(wang.id);
    const results = (await pushOk(s.app, wang.token, [recordCall(call), recordCall(call)])).results;
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await count(s.db, 'call_records')).toBe(1);
  });

  it('a batch is applied in order: a bad mutation is rejected and the ones after it still apply', async () => {
    const good1 = recordCall(answeredCall(wang.id));
    const bad = recordCall({ ...answeredCall(wang.id), outcome: 'hung-up' });
    const good2 = recordCall(answeredCall(wang.id));
    const results = (await pushOk(s.app, wang.token, [good1, bad, good2])).results;
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [good1.id, 'applied'],
      [bad.id, 'rejected'],
      [good2.id, 'applied'],
    ]);
    expect(await count(s.db, 'call_records')).toBe(2);
  });

  it.each([
    ['an unknown outcome', { outcome: 'hung-up' }],
    ['no caller number', { callerNumber: '' }],
    ['an end before its start', { endedAt: '2026-03-02T08:59:00.000+08:00' }],
    ['a call id that is not a UUID', { id: 'call-1' }],
  ])('a call record with %s is rejected as invalid_args with a Chinese message, and nothing is written', async (_what, change) => {
    const m = recordCall({ ...answeredCall(wang.id), ...change });
    const [result] = (await pushOk(s.app, wang.token, [m])).results;
    expect(result).toMatchObject({ id: m.id, status: 'rejected', reason: 'invalid_args' });
    expect(result!.status === 'rejected' && result!.message).toMatch(/^数据不正确：/);
    await nothingWritten();
  });

  it('a mutation this server does not know is rejected as unknown_mutation, and nothing is written', async () => {
    for (const name of ['closeTicket', 'toString', '__proto__']) {
      const m = { id: uuidv7(), name, args: {}, createdAt: new Date().toISOString() };
      const [result] = (await pushOk(s.app, wang.token, [m])).results;
      expect(result).toMatchObject({ id: m.id, status: 'rejected', reason: 'unknown_mutation' });
    }
    await nothingWritten();
  });

  it("an operator cannot file a call record in another operator's name", async () => {
    const m = recordCall(answeredCall(li.id));
    const [result] = (await pushOk(s.app, wang.token, [m])).results;
    expect(result).toMatchObject({ id: m.id, status: 'rejected', reason: 'forbidden', message: '只能提交本人的通话记录' });
    await nothingWritten();
  });

  it("reusing another operator's mutation id is rejected as foreign_id and writes nothing", async () => {
    const mine = recordCall(answeredCall(li.id));
    await pushOk(s.app, li.token, [mine]);
    const theirs = recordCall(answeredCall(wang.id), mine.id);
    const [result] = (await pushOk(s.app, wang.token, [theirs])).results;
    expect(result).toMatchObject({ id: mine.id, status: 'rejected', reason: 'foreign_id' });
    const { rows } = await s.db.query<{ operator_id: string }>('SELECT operator_id FROM call_records');
    expect(rows).toEqual([{ operator_id: li.id }]);
    expect(await count(s.db, 'applied_mutations')).toBe(1);
  });

  it("reusing another operator's call id is rejected as a conflict and writes nothing", async () => {
    const call = answeredCall(li.id);
    await pushOk(s.app, li.token, [recordCall(call)]);
    const [result] = (await pushOk(s.app, wang.token, [recordCall({ ...call, operatorId: wang.id })])).results;
    expect(result).toMatchObject({ status: 'rejected', reason: 'conflict' });
    expect(await count(s.db, 'call_records')).toBe(1);
    expect(await count(s.db, 'applied_mutations')).toBe(1);
  });

  it('a push over 1 MiB is refused with 413 in Chinese, and nothing is written', async () => {
    const big = 'x'.repeat(200);
    const mutations = Array.from({ length: 500 }, () => recordCall(answeredCall(wang.id, { sipCallId: big, calleeNumber: '12345' }), uuidv7()));
    const payload = JSON.stringify({ clientId: 'ws-07', mutations: mutations.map((m) => ({ ...m, padding: 'y'.repeat(2000) })) });
    expect(Buffer.byteLength(payload)).toBeGreaterThan(1024 * 1024);
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { authorization: `Bearer ${wang.token}`, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(413);
    const body = ApiError.parse(res.json());
    expect(body.error).toBe('payload_too_large');
    expect(body.message).toMatch(/过大/);
    await nothingWritten();
  });

  it.each([
    ['no mutations', { clientId: 'ws-07', mutations: [] }],
    ['no client id', { mutations: [] }],
    ['a mutation without an id', { clientId: 'ws-07', mutations: [{ name: 'recordCall', args: {}, createdAt: new Date().toISOString() }] }],
  ])('a push with %s is answered 400 bad_request', async (_what, payload) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/sync/push', headers: { authorization: `Bearer ${wang.token}` }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^请求格式不正确：/) });
    await nothingWritten();
  });

  it('a push without a token is refused before anything is read', async () => {
    const res = await push(s.app, 'forged.token.here', [recordCall(answeredCall(wang.id))]);
    expect(res.statusCode).toBe(401);
    await nothingWritten();
  });
});
