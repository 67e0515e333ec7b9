import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { expect } from 'vitest';
import type { LoginResponse } from '../../src/shared/auth';
import type { CallRecord } from '../../src/shared/call-record';
import type { Mutation, PushResponse } from '../../src/shared/sync';
import { buildServer } from '../../src/server/app';
import type { Db } from '../../src/server/db';
import { migrate } from '../../src/server/migrate';
import { seedDemo } from '../../src/server/seed';
import type { Engine } from './engines';

export const TOKEN_SECRET = 'test-secret-of-at-least-thirty-two-bytes!';
export const SIP = { wsServer: 'wss://pbx.test:8089/ws', domain: 'hotline.test' };

export interface TestServer {
  db: Db;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A migrated, seeded database on `engine` and a server on it, driven with app.inject. */
export async function serverOn(engine: Engine, opts: { tokenTtlSeconds?: number } = {}): Promise<TestServer> {
  const db = await engine.freshDb();
  await migrate(db);
  await seedDemo(db);
  const app = await buildServer({ db, tokenSecret: TOKEN_SECRET, sip: SIP, ...opts });
  return {
    db,
    app,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<LoginResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<LoginResponse>();
}

export interface LoggedIn {
  id: string;
  token: string;
}

/** The demo accounts logged in: the operators 王小明 (op1001) and 李娜 (op1002), and the shift lead. */
export async function loginDemoUsers(app: FastifyInstance): Promise<{ wang: LoggedIn; li: LoggedIn; lead: LoggedIn }> {
  const [a, b, c] = [await login(app, 'op1001', 'qingyu-1001'), await login(app, 'op1002', 'qingyu-1002'), await login(app, 'lead01', 'qingyu-1901')];
  return { wang: { id: a.user.id, token: a.token }, li: { id: b.user.id, token: b.token }, lead: { id: c.user.id, token: c.token } };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A finished inbound call the operator answered, as the console records it. */
export function answeredCall(operatorId: string, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: uuidv7(),
    direction: 'inbound',
    callerNumber: '13800138000',
    calleeNumber: '12345',
    operatorId,
    startedAt: '2026-03-02T09:00:00.000+08:00',
    answeredAt: '2026-03-02T09:00:05.000+08:00',
    endedAt: '2026-03-02T09:03:40.000+08:00',
    outcome: 'answered',
    sipCallId: 'a84b4c76e66710@pbx.test',
    ...overrides,
  };
}

export function recordCall(call: unknown, id: string = uuidv7()): Mutation {
  return { id, name: 'recordCall', args: call, createdAt: new Date().toISOString() };
}

export async function push(app: FastifyInstance, token: string, mutations: Mutation[], clientId = 'console-test') {
  const res = await app.inject({ method: 'POST', url: '/api/sync/push', headers: bearer(token), payload: { clientId, mutations } });
  return res;
}

export async function pushOk(app: FastifyInstance, token: string, mutations: Mutation[], clientId?: string): Promise<PushResponse> {
  const res = await push(app, token, mutations, clientId);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<PushResponse>();
}

export async function count(db: Db, table: 'call_records' | 'applied_mutations' | 'users' | 'audit_log'): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}
