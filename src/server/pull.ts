import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT } from '../shared/sync-changes';
import type { Db } from './db';
import { HttpError } from './errors';
import type { UserRow } from './users';

/** Leads and admins pull every ticket; operators those they accepted or acted on. Everyone pulls what has scope 'all'. */
export function seesEveryTicket(user: Pick<UserRow, 'role'>): boolean {
  return user.role === 'lead' || user.role === 'admin';
}

function intParam(raw: unknown, name: string, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) throw new HttpError(400, 'bad_request', `参数 ${name} 应为非负整数`);
  const n = Number(raw);
  if (n < min || n > max) throw new HttpError(400, 'bad_request', `参数 ${name} 应在 ${min} 到 ${max} 之间`);
  return n;
}

/**
 * One page of the change log in the user's scope, as JSON text. Everything is
 * read in ONE statement, so the head and the page come from one snapshot: the
 * head is the last committed version (versions commit in order, see
 * changes.ts), and when the page is not full the cursor moves to the head,
 * past changes of other scopes, without skipping anything in ours.
 * The JSON is built by the database and sent as it is. The scope test looks
 * each change's ticket up in ticket_participants' primary key; `OFFSET 0`
 * keeps PostgreSQL from turning that EXISTS into a hash of all the user's
 * tickets, as it does `IN (the user's tickets)` and a join: 2 ms with an
 * operator's 10,000 tickets, at every pull, for a pull that usually carries
 * a handful of changes (500 consoles pull every 5 s). `kbAfter`: the console
 * holds every article up to that version already (a snapshot, kb-snapshot.ts).
 */
export async function pullPage(db: Db, user: Pick<UserRow, 'id' | 'role'>, since: number, limit: number, kbAfter = 0): Promise<string> {
  const { rows } = await db.query<{ head: string; n: number; last: string | null; changes: string }>(
    `WITH head AS (SELECT version FROM sync_head WHERE id = 1),
     page AS (
       SELECT version, entity, entity_id, op, payload FROM changes c
        WHERE version > $1::bigint AND version <= (SELECT version FROM head)
          AND ($3::boolean OR scope = 'all' OR EXISTS (SELECT 1 FROM ticket_participants p WHERE p.user_id = $2::uuid AND p.ticket_id = c.ticket_id OFFSET 0))
          AND NOT (entity = 'kb_article' AND version <= $5::bigint)
        ORDER BY version LIMIT $4)
     SELECT (SELECT version FROM head)::text AS head, (SELECT count(*)::int FROM page) AS n, (SELECT max(version)::text FROM page) AS last,
       coalesce((SELECT json_agg(json_build_object('version', version, 'entity', entity, 'entityId', entity_id, 'op', op, 'payload', payload) ORDER BY version) FROM page), '[]')::text AS changes`,
    [since, user.id, seesEveryTicket(user), limit, kbAfter],
  );
  const r = rows[0]!;
  const more = r.n >= limit;
  const head = Number(r.head);
  // A console whose cursor is ahead of the head pulled from a server whose log was reset: start again from 0.
  const next = more ? Number(r.last) : since > head ? 0 : head;
  return `{"changes":${r.changes},"nextVersion":${next},"more":${more}}`;
}

export function registerPullRoute(app: FastifyInstance, db: Db, userOf: (req: FastifyRequest) => UserRow) {
  app.get('/api/sync/pull', async (req, reply) => {
    const user = userOf(req);
    const q = req.query as Record<string, unknown>;
    const since = intParam(q.since, 'since', 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = intParam(q.limit, 'limit', 1, MAX_PULL_LIMIT, DEFAULT_PULL_LIMIT);
    // A console that adopted a knowledge-base snapshot at version H has every article up to H.
    const kbAfter = intParam(q.kbAfter, 'kbAfter', 0, Number.MAX_SAFE_INTEGER, 0);
    const body = await pullPage(db, user, since, limit, kbAfter);
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
