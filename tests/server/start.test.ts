import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginResponse } from '../../src/shared/auth';
import type { PushResponse } from '../../src/shared/sync';
import { startServer, type RunningServer } from '../../src/server/main';
import { hashPassword } from '../../src/server/passwords';
import { ENGINES } from './engines';
import { answeredCall, recordCall } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

const dirs: string[] = [];
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'qingyu-server-'));
  dirs.push(d);
  return d;
}

async function start(opts: Parameters<typeof startServer>[0]): Promise<RunningServer & { lines: string[] }> {
  const lines: string[] = [];
  const s = await startServer({ port: 0, print: (l) => lines.push(l), ...opts });
  running.push(s);
  return Object.assign(s, { lines });
}

async function stop(s: RunningServer): Promise<void> {
  await s.close();
  running.splice(running.indexOf(s), 1);
}

async function httpLogin(url: string, username: string, password: string): Promise<LoginResponse> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return (await res.json()) as LoginResponse;
}

describe.each(ENGINES)('the server process on $name', (engine) => {
  const where = async () => (engine.kind === 'postgres' ? { databaseUrl: await engine.freshUrl() } : { dataDir: path.join(tempDir(), 'server') });

  it('survives a restart: accounts, tokens and call records are kept, and the demo accounts are made only once', async () => {
    const place = await where();
    const first = await start(place);
    expect(first.demoAccounts.map((a) => [a.username, a.role])).toEqual([
      ['op1001', 'operator'],
      ['op1002', 'operator'],
      ['lead01', 'lead'],
    ]);
    expect(first.lines.join('\n')).toContain('op1001');
    expect(first.lines.at(-1)).toBe(`Qingyu server listening on ${first.url}`);

    const { token, user } = await httpLogin(first.url, 'op1001', 'qingyu-1001');
    const m = recordCall(answeredCall(user.id));
    const pushed = await fetch(`${first.url}/api/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'ws-07', mutations: [m] }),
    });
    expect(((await pushed.json()) as PushResponse).results).toEqual([{ id: m.id, status: 'applied' }]);
    await stop(first);

    const second = await start(place);
    expect(second.demoAccounts).toEqual([]);
    // Printed at every start while they keep their demo passwords…
    expect(second.lines.join('\n')).toContain('qingyu-1001');
    // …and no longer once someone changes one.
    await second.db.query(`UPDATE users SET password_hash = $1 WHERE username = 'op1001'`, [await hashPassword('a-new-secret-password')]);
    // The signing key is the same after a restart, so the operator's shift token still works.
    const me = await fetch(`${second.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const { rows } = await second.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(rows[0]!.n).toBe(3);
    const again = await fetch(`${second.url}/api/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'ws-07', mutations: [m] }),
    });
    expect(((await again.json()) as PushResponse).results).toEqual([{ id: m.id, status: 'duplicate' }]);
    const calls = await second.db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_records');
    expect(calls.rows[0]!.n).toBe(1);
    await stop(second);

    const third = await start(place);
    const printed = third.lines.join('\n');
    expect(printed).not.toContain('qingyu-1001');
    expect(printed).toContain('qingyu-1002');
  });

  it('a token secret given by the operator of the system is used instead of a generated one', async () => {
    const place = await where();
    const a = await start({ ...place, tokenSecret: 'a-secret-set-by-the-admins-of-the-center' });
    const { token } = await httpLogin(a.url, 'op1001', 'qingyu-1001');
    await stop(a);
    const b = await start(place); // generated secret this time: the old token must not open it
    expect((await fetch(`${b.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe('the server on a PGlite data folder', () => {
  it('keeps its generated token secret readable by its own user only', async () => {
    const dataDir = path.join(tempDir(), 'server');
    await start({ dataDir });
    expect(statSync(path.join(dataDir, 'token-secret')).mode & 0o777).toBe(0o600);
  });

  it('refuses a second server on the same folder while the first runs', async () => {
    const dataDir = path.join(tempDir(), 'server');
    await start({ dataDir });
    await expect(start({ dataDir })).rejects.toThrow(/another Qingyu server/);
  });

  it('runs as `tsx src/server/main.ts`, announces itself, and exits 0 on SIGTERM with the database closed', async () => {
    const dataDir = path.join(tempDir(), 'server');
    const run = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', QINGYU_DATA_DIR: dataDir, DATABASE_URL: '', QINGYU_TOKEN_SECRET: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /Qingyu server listening on (http:\/\/\S+)/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          } else if (child.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`server exited early:\n${out}`));
          }
        }, 50);
      });
      const health = await fetch(`${url}/api/health`);
      expect(await health.json()).toEqual({ ok: true, db: 'pglite' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      return out;
    };

    const firstOut = await run();
    expect(firstOut).toContain('qingyu-1001');
    expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(false);
    const secondOut = await run();
    expect(secondOut).toContain('Demo accounts (still with their demo passwords)');
  });
});
