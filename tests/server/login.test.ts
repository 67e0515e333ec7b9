import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, LoginResponse, UserInfo } from '../../src/shared/auth';
import { createUser } from '../../src/server/users';
import { ENGINES } from './engines';
import { bearer, login, serverOn, SIP, type TestServer } from './helpers';

describe.each(ENGINES)('signing in on $name', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await serverOn(engine);
    await createUser(s.db, { username: 'op2001', displayName: '赵离职', role: 'operator', password: 'left-the-center', sipExtension: '2001', sipPassword: 'x', disabled: true });
    await createUser(s.db, { username: 'admin', displayName: '系统管理员', role: 'admin', password: 'admin-password' });
  });
  afterAll(() => s.close());

  const loginRaw = (payload: unknown) => s.app.inject({ method: 'POST', url: '/api/login', payload: payload as object });

  it('anyone can see that the server and its database are up, without signing in', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, db: engine.kind });
  });

  it('an operator signs in at the start of a shift and gets a token for the shift and the softphone account', async () => {
    const before = Date.now();
    const body = LoginResponse.parse(await login(s.app, 'op1001', 'qingyu-1001'));
    expect(body.user).toMatchObject({ username: 'op1001', displayName: '王小明', role: 'operator' });
    expect(body.user.sip).toEqual({
      uri: 'sip:1001@hotline.test',
      wsServer: SIP.wsServer,
      authorizationUsername: '1001',
      authorizationPassword: 'sip-1001',
      displayName: '王小明',
    });
    const hours = (Date.parse(body.expiresAt) - before) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12.01);

    const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(body.token) });
    expect(me.statusCode).toBe(200);
    expect(UserInfo.parse(me.json())).toEqual(body.user);
  });

  it('a shift lead signs in with the lead role', async () => {
    const body = await login(s.app, 'lead01', 'qingyu-1901');
    expect(body.user).toMatchObject({ displayName: '张班长', role: 'lead' });
    expect(body.user.sip?.uri).toBe('sip:1901@hotline.test');
  });

  it('an account without an extension signs in without a softphone', async () => {
    const body = await login(s.app, 'admin', 'admin-password');
    expect(body.user.sip).toBeNull();
  });

  it('a wrong password and an unknown username get the very same answer', async () => {
    const wrong = await loginRaw({ username: 'op1001', password: 'qingyu-1002' });
    const unknown = await loginRaw({ username: 'op9999', password: 'qingyu-1001' });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'invalid_credentials', message: '用户名或密码错误' });
    }
  });

  it('a disabled account is told so only when the password is right', async () => {
    const right = await loginRaw({ username: 'op2001', password: 'left-the-center' });
    expect(right.statusCode).toBe(403);
    const body = ApiError.parse(right.json());
    expect(body.error).toBe('account_disabled');
    expect(body.message).toMatch(/停用/);

    const wrong = await loginRaw({ username: 'op2001', password: 'guess' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_credentials');
  });

  it.each([
    ['no password', { username: 'op1001' }],
    ['an empty username', { username: '   ', password: 'x' }],
    ['a number for a username', { username: 1001, password: 'qingyu-1001' }],
    ['an array', ['op1001', 'qingyu-1001']],
  ])('a login form with %s is answered 400 with what is wrong, in Chinese', async (_what, payload) => {
    const res = await loginRaw(payload);
    expect(res.statusCode).toBe(400);
    const body = ApiError.parse(res.json());
    expect(body.error).toBe('bad_request');
    expect(body.message).toMatch(/^请求格式不正确：/);
    expect(Array.isArray(body.details)).toBe(true);
  });

  it('a login body that is not JSON is answered 400 in Chinese', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/json' }, payload: '{"username": "op1001",' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^请求格式不正确/) });
  });

  it('passwords are stored as argon2id hashes, never in clear', async () => {
    const { rows } = await s.db.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = 'op1001'");
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]!.password_hash).not.toContain('qingyu-1001');
  });

  it('every sign-in, failed or not, is in the audit log', async () => {
    await login(s.app, 'op1002', 'qingyu-1002');
    await loginRaw({ username: 'op1002', password: 'nope' });
    await loginRaw({ username: 'nobody', password: 'nope' });
    const { rows } = await s.db.query<{ action: string; detail: { username: string; reason?: string }; user_id: string | null }>(
      "SELECT action, detail, user_id FROM audit_log WHERE detail->>'username' IN ('op1002', 'nobody') ORDER BY id",
    );
    expect(rows.map((r) => [r.action, r.detail.username, r.detail.reason ?? null, r.user_id !== null])).toEqual([
      ['login.succeeded', 'op1002', null, true],
      ['login.failed', 'op1002', 'wrong_password', true],
      ['login.failed', 'nobody', 'unknown_user', false],
    ]);
  });

  it('an address the server does not have is answered 404 in Chinese', async () => {
    const { token } = await login(s.app, 'op1001', 'qingyu-1001');
    const res = await s.app.inject({ method: 'GET', url: '/api/no-such-thing', headers: bearer(token) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: '请求的接口不存在' });
  });
});
