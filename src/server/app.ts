import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { LoginRequest, type ApiError, type LoginResponse, type UserInfo } from '../shared/auth';
import { PushRequest, type MutationResult, type PushResponse } from '../shared/sync';
import { audit } from './audit';
import type { Db } from './db';
import { errorHandler, HttpError, MESSAGES, notFoundHandler, parseBody } from './errors';
import { makeDummyHash, verifyPassword } from './passwords';
import { registerKbRoutes } from './kb';
import { KbSnapshots, registerKbSnapshotRoutes, type KbSnapshotOptions } from './kb-snapshot';
import { registerPoke } from './poke';
import { registerPullRoute } from './pull';
import { registerTicketRoutes } from './tickets';
import { applyMutation } from './sync';
import { checkToken, DEFAULT_TOKEN_TTL_SECONDS, issueToken, secretKey } from './tokens';
import { findUserById, findUserByUsername, toUserInfo, type SipSettings, type UserRow } from './users';

export interface ServerOptions {
  db: Db;
  /** HS256 key, at least 32 bytes. */
  tokenSecret: Uint8Array | string;
  tokenTtlSeconds?: number;
  sip: SipSettings;
  logger?: boolean;
  /** Requests served at once before new ones are answered 429 with Retry-After (default 256). */
  maxInFlight?: number;
  /** Build knowledge-base snapshots for new consoles (off when absent: GET /api/kb/snapshot answers 404). */
  kbSnapshots?: KbSnapshotOptions;
}

export interface RouteEntry {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, HEAD included, so tests can walk all of them. */
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    /** The signed-in user; set by the auth hook on every route not in PUBLIC_ROUTES. */
    authUser: UserRow | null;
  }
}

/** The only routes answered without a token. Anything else is protected by default. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['GET /api/health', 'HEAD /api/health', 'POST /api/login']);

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Seconds a console is asked to wait when the server sheds load (429) or its database is down (503). */
export const RETRY_AFTER_BUSY_S = 1;
export const RETRY_AFTER_DB_DOWN_S = 3;

/** Errors that mean the database cannot be reached right now (not a bug in the request). */
function databaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006'].includes(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end|PGlite is closed/i.test(message);
}

/**
 * Snapshot files belong to one database: a folder per database, named by a
 * random key the database keeps, so a database made anew never serves the
 * files of the one before it.
 */
async function snapshotKey(db: Db): Promise<string> {
  await db.query("INSERT INTO server_secrets (name, value) VALUES ('kb_snapshot_key', $1) ON CONFLICT (name) DO NOTHING", [randomUUID()]);
  const { rows } = await db.query<{ value: string }>("SELECT value FROM server_secrets WHERE name = 'kb_snapshot_key'");
  return rows[0]!.value;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { db, sip } = opts;
  const key = secretKey(opts.tokenSecret);
  const ttl = opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  const dummyHash = await makeDummyHash();

  const app = Fastify({
    logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
  });

  // The API speaks JSON only; a text/plain body is refused with 415, not parsed as a string.
  app.removeContentTypeParser('text/plain');

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });
  app.decorateRequest('authUser', null);
  app.setErrorHandler((err, req, reply) => {
    if (databaseUnavailable(err)) {
      return reply.status(503).header('retry-after', String(RETRY_AFTER_DB_DOWN_S)).send({ error: 'db_unavailable', message: MESSAGES.db_unavailable } satisfies ApiError);
    }
    return errorHandler(err as Error, req, reply);
  });

  // Load shedding, before authentication (which reads the database): a
  // server at its limit answers at once with 429 and Retry-After instead of
  // queueing until every request times out.
  const maxInFlight = opts.maxInFlight ?? 256;
  let inFlight = 0;
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url === '/api/health' || req.routeOptions.url === '/api/sync/poke') return;
    if (inFlight >= maxInFlight) {
      return reply.status(429).header('retry-after', String(RETRY_AFTER_BUSY_S)).send({ error: 'busy', message: '中心服务器繁忙，稍后自动重试' } satisfies ApiError);
    }
    inFlight++;
    let done = false;
    reply.raw.once('close', () => {
      if (!done) inFlight--;
      done = true;
    });
  });
  app.setNotFoundHandler(notFoundHandler);

  const unauthenticated = (reason: 'unauthenticated' | 'token_expired') => new HttpError(401, reason, MESSAGES[reason]);

  async function authenticate(req: FastifyRequest): Promise<UserRow> {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) throw unauthenticated('unauthenticated');
    const checked = await checkToken(key, match[1]!);
    if (!checked.ok) throw unauthenticated(checked.reason);
    const user = await findUserById(db, checked.userId);
    if (!user || user.disabled) throw unauthenticated('unauthenticated');
    return user;
  }

  app.addHook('onRequest', async (req) => {
    if (PUBLIC_ROUTES.has(`${req.method} ${req.routeOptions.url}`)) return;
    req.authUser = await authenticate(req);
  });

  /** The user the auth hook put on the request; a protected route cannot run without one. */
  const userOf = (req: FastifyRequest): UserRow => {
    if (!req.authUser) throw unauthenticated('unauthenticated');
    return req.authUser;
  };

  app.get('/api/health', async (_req, reply) => {
    try {
      await db.query('SELECT 1');
    } catch {
      return reply.status(503).send({ error: 'db_unavailable', message: MESSAGES.db_unavailable } satisfies ApiError);
    }
    return { ok: true, db: db.kind };
  });

  app.post('/api/login', async (req): Promise<LoginResponse> => {
    const { username, password } = parseBody(LoginRequest, req.body);
    const user = await findUserByUsername(db, username);
    // Verify against a dummy hash for an unknown name, so timing does not tell which names exist.
    const passwordOk = await verifyPassword(user?.password_hash ?? dummyHash, password);
    if (!user || !passwordOk) {
      await audit(db, 'login.failed', user?.id ?? null, { username, reason: user ? 'wrong_password' : 'unknown_user', ip: req.ip });
      throw new HttpError(401, 'invalid_credentials', MESSAGES.invalid_credentials);
    }
    // Only someone who knows the password learns that the account is disabled.
    if (user.disabled) {
      await audit(db, 'login.refused', user.id, { username, reason: 'disabled', ip: req.ip });
      throw new HttpError(403, 'account_disabled', MESSAGES.account_disabled);
    }
    const { token, expiresAt } = await issueToken(key, user, ttl);
    await audit(db, 'login.succeeded', user.id, { username, ip: req.ip });
    return { token, expiresAt: expiresAt.toISOString(), user: toUserInfo(user, sip) };
  });

  app.get('/api/me', async (req): Promise<UserInfo> => toUserInfo(userOf(req), sip));

  app.post('/api/sync/push', async (req): Promise<PushResponse> => {
    const user = userOf(req);
    const push = parseBody(PushRequest, req.body);
    const results: MutationResult[] = [];
    // In order, one transaction each: a later mutation may depend on an earlier one.
    for (const m of push.mutations) results.push(await applyMutation(db, m, { user, clientId: push.clientId }));
    return { results };
  });

  registerTicketRoutes(app, db, userOf);
  registerPullRoute(app, db, userOf);
  const snapshots = opts.kbSnapshots ? new KbSnapshots(db, { ...opts.kbSnapshots, dir: path.join(opts.kbSnapshots.dir, await snapshotKey(db)) }) : null;
  if (snapshots) {
    app.addHook('onClose', () => snapshots.close());
    // Published while this server was down, or never built: build one after the usual quiet spell.
    const { rows } = await db.query<{ version: string | null }>("SELECT max(version)::text AS version FROM changes WHERE entity = 'kb_article'");
    const newest = rows[0]?.version ? Number(rows[0].version) : null;
    if (newest !== null && (snapshots.info().version ?? 0) < newest) snapshots.changed();
  }
  registerKbRoutes(app, db, userOf, () => snapshots?.changed());
  registerKbSnapshotRoutes(app, snapshots, userOf);
  await registerPoke(app, db, userOf);

  await app.ready();
  return app;
}
