import type { Queryable } from './db';

/** The NOTIFY channel a commit of changes is announced on (payload: the new head version). */
export const CHANGES_CHANNEL = 'qingyu_changes';

/** An entity keeps one row in the log, its newest state, under its newest version. */
export const CHANGE_UPSERT = `ON CONFLICT (entity, entity_id) DO UPDATE SET version = excluded.version, scope = excluded.scope, ticket_id = excluded.ticket_id,
       op = excluded.op, payload = excluded.payload, at = now()`;

/** One entity's new state, to be logged by the transaction that changed it. */
export interface NewChange {
  /** 'all': every console (knowledge base, reference data); 'ticket': leads, and the ticket's participants. */
  scope: 'all' | 'ticket';
  ticketId?: string;
  entity: 'ticket' | 'kb_article' | 'reference';
  entityId: string;
  op: 'put';
  payload: unknown;
}

/**
 * Log changes in the caller's transaction, as its LAST step, and return the
 * head version, in one statement (one round trip). Versions come from the
 * single `sync_head` row through `UPDATE … RETURNING`: the row stays locked
 * until this transaction commits, so a second writer waits for it and takes
 * the next versions, and commit order is version order. A pull therefore never sees version N+1 without N,
 * and can safely move its cursor to the head it read in the same snapshot.
 *
 * Each entity keeps one row (its newest state): the upsert moves it to its
 * new version, since payloads are whole snapshots.
 */
export async function appendChanges(tx: Queryable, changes: readonly NewChange[]): Promise<number | null> {
  // A batch that touches an entity twice keeps its last state.
  const byEntity = new Map<string, NewChange>();
  for (const c of changes) {
    const key = `${c.entity}\u0000${c.entityId}`;
    byEntity.delete(key);
    byEntity.set(key, c);
  }
  const list = [...byEntity.values()];
  if (!list.length) return null;
  const { rows } = await tx.query<{ version: string }>(
    `WITH head AS (UPDATE sync_head SET version = version + $3::bigint WHERE id = 1 RETURNING version),
     logged AS (
       INSERT INTO changes (version, scope, ticket_id, entity, entity_id, op, payload)
       SELECT head.version - $3::bigint + t.ord, t.c->>'scope', (t.c->>'ticketId')::uuid, t.c->>'entity', t.c->>'entityId', t.c->>'op', t.c->'payload'
         FROM head, jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(c, ord)
       ${CHANGE_UPSERT})
     SELECT version::text, pg_notify($2, version::text) FROM head`,
    [JSON.stringify(list), CHANGES_CHANNEL, list.length],
  );
  // The NOTIFY is delivered at commit, to every server instance listening on this database.
  return Number(rows[0]!.version);
}
