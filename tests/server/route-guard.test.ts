import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/server/app';
import { issueToken, secretKey } from '../../src/server/tokens';
import { createUser, findUserByUsername } from '../../src/server/users';
import { ENGINES } from './engines';
import { login, serverOn, TOKEN_SECRET, type TestServer } from './helpers';

const key = secretKey(TOKEN_SECRET);

describe.each(ENGINES)('every route but login and health needs a valid token, on $name', (engine) => {
  let s: TestServer;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    s = await serverOn(engine);
    const op = (await findUserByUsername(s.db, 'op1001'))!;
    const valid = (await login(s.app, 'op1001', 'qingyu-1001')).token;

    const leaver = await createUser(s.db, { username: 'op3001', displayName: '钱已删', role: 'operator', password: 'deleted-user-pw' });
    const deleted = (await login(s.app, 'op3001', 'deleted-user-pw')).token;
    await s.db.query('DELETE FROM users WHERE id = $1', [leaver.id]);

    await createUser(s.db, { username: 'op3002', displayName: '孙停用', role: 'operator', password: 'disabled-user-pw' });
    const disabled = (await login(s.app, 'op3002', 'disabled-user-pw')).token;
    await s.db.query("UPDATE users SET disabled = true WHERE username = 'op3002'");

    const yesterday = new Date(Date.now() - 24 * 3600_000);
    tokens = {
      valid,
      forged: (await issueToken(secretKey('another-secret-that-is-also-32-bytes-long'), op, 3600)).token,
      expired: (await issueToken(key, op, 12 * 3600, yesterday)).token,
      deleted,
      disabled,
      // Right key, but not a token this server issues: no issuer, audience or expiry.
      foreignClaims: await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject(op.id).sign(key),
      unsigned: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: op.id, role: 'operator', exp: 4e9 })).toString('base64url')}.`,
    };
  });
  afterAll(() => s.close());

  const protectedRoutes = () => s.app.routeTable.filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.url}`));
  const call = (route: { method: string; url: string }, authorization?: string) =>
    s.app.inject({
      method: route.method as 'GET',
      url: route.url.replace(/:(\w+)/g, '00000000-0000-7000-8000-000000000000'),
      headers: authorization === undefined ? {} : { authorization },
      ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
    });

  it('the route table lists the API, and only login and health are public', () => {
    const all = s.app.routeTable.map((r) => `${r.method} ${r.url}`);
    expect(all).toEqual(expect.arrayContaining(['GET /api/health', 'POST /api/login', 'GET /api/me', 'POST /api/sync/push']));
    expect(all.filter((r) => PUBLIC_ROUTES.has(r)).sort()).toEqual(['GET /api/health', 'HEAD /api/health', 'POST /api/login']);
    expect(protectedRoutes().length).toBeGreaterThanOrEqual(2);
  });

  it('a valid token opens every protected route (so the 401s below are about the token)', async () => {
    for (const route of protectedRoutes()) {
      const res = await call(route, `Bearer ${tokens.valid}`);
      expect(res.statusCode, `${route.method} ${route.url}`).not.toBe(401);
    }
  });

  const cases: [string, () => string | undefined, string, string][] = [
    ['no Authorization header', () => undefined, 'unauthenticated', '未登录或令牌无效'],
    ['a garbage Authorization header', () => 'Basic b3AxMDAxOnFpbmd5dS0xMDAx', 'unauthenticated', '未登录或令牌无效'],
    ['a bearer that is not a JWT', () => 'Bearer not-a-token', 'unauthenticated', '未登录或令牌无效'],
    ['a token signed with another secret', () => `Bearer ${tokens.forged}`, 'unauthenticated', '未登录或令牌无效'],
    ['an unsigned (alg: none) token', () => `Bearer ${tokens.unsigned}`, 'unauthenticated', '未登录或令牌无效'],
    ['a token with our key but not issued for the console', () => `Bearer ${tokens.foreignClaims}`, 'unauthenticated', '未登录或令牌无效'],
    ['an expired token', () => `Bearer ${tokens.expired}`, 'token_expired', '登录已过期，请重新登录'],
    ['the token of a deleted account', () => `Bearer ${tokens.deleted}`, 'unauthenticated', '未登录或令牌无效'],
    ['the token of a disabled account', () => `Bearer ${tokens.disabled}`, 'unauthenticated', '未登录或令牌无效'],
  ];
  it.each(cases)('with %s, every protected route answers 401', async (_what, header, error, message) => {
    for (const route of protectedRoutes()) {
      const res = await call(route, header());
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      if (route.method !== 'HEAD') expect(res.json()).toEqual({ error, message });
    }
  });

  it('login and health answer without any token', async () => {
    expect((await s.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'HEAD', url: '/api/health' })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'op1001', password: 'qingyu-1001' } })).statusCode).toBe(200);
  });
});
