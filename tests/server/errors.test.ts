import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/auth';
import { ENGINES } from './engines';
import { bearer, login, serverOn, type TestServer } from './helpers';

describe.each(ENGINES)('what a console sees when things go wrong, on $name', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.app.close();
    await s?.db.close(); // safe to call twice
    s = undefined;
  });

  it('a form sent as plain text is answered 415 in Chinese', async () => {
    s = await serverOn(engine);
    const res = await s.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'text/plain' }, payload: 'op1001 qingyu-1001' });
    expect(res.statusCode).toBe(415);
    expect(ApiError.parse(res.json())).toMatchObject({ error: 'unsupported_media_type', message: expect.stringMatching(/不受支持/) });
  });

  it('when the database is gone, requests fail with 503, Retry-After and a Chinese reason, no stack trace, and health says 503', async () => {
    s = await serverOn(engine);
    const { token } = await login(s.app, 'op1001', 'qingyu-1001');
    await s.db.close();

    const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });
    expect(me.statusCode).toBe(503);
    expect(Number(me.headers['retry-after'])).toBeGreaterThan(0);
    expect(me.json()).toEqual({ error: 'db_unavailable', message: '数据库暂时不可用，请稍后重试' });
    expect(me.body).not.toMatch(/at .*\.ts|stack|Error:/);

    const health = await s.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(ApiError.parse(health.json()).error).toBe('db_unavailable');
  });
});
