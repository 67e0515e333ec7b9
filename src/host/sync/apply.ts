import type Database from 'better-sqlite3';
import type { UserInfo } from '../../shared/auth';
import { ChangeTicketArgs, AddTicketNoteArgs, flowFromWire, type PullResponse, type TicketSnapshot, type WireTicketEvent } from '../../shared/sync-changes';
import { transition, type Actor, type ActorRole, type TicketEvent, type TicketFlow } from '../../shared/ticket/workflow';
import { MergeRepeatCallArgs, REPEAT_CALL_EVENT } from '../../shared/ticket-merge';
import { kbSnapshotVersion } from '../kb/snapshot';
import { KnowledgeBase } from '../kb/index';

/**
 * Applying what the server sends down, and replaying on it what this
 * console has not sent up yet (the Replicache way): a ticket shown on the
 * console is always the server's last snapshot with the operator's pending
 * changes applied on top by the shared workflow. When a pending change is
 * applied or refused by the server, the next snapshot (or the rebuild after
 * the push) takes its place, so the console converges to the server's truth.
 */

export function actorFor(user: Pick<UserInfo, 'id' | 'role'>): Actor {
  const role: ActorRole = user.role === 'admin' ? 'admin' : user.role === 'lead' ? 'lead' : 'operator';
  return { role, id: user.id };
}

interface PendingChange {
  id: string;
  name: 'changeTicket' | 'addTicketNote' | 'mergeRepeatCall';
  args: string;
  user_id: string;
}

export interface LocalTicketState {
  flow: TicketFlow;
  events: WireTicketEvent[];
}

/** The snapshot with this console's pending changes replayed on it; changes the workflow refuses are left out (the server will refuse them too). */
export function replayPending(db: Database.Database, snapshot: TicketSnapshot, roleOf: (userId: string) => ActorRole): LocalTicketState {
  let flow = flowFromWire(snapshot.flow);
  const events = [...snapshot.events];
  const pending = db
    .prepare(
      `SELECT id, name, args, user_id FROM outbox WHERE status = 'pending' AND name IN ('changeTicket', 'addTicketNote', 'mergeRepeatCall')
         AND json_extract(args, '$.ticketId') = ? ORDER BY id`,
    )
    .all(snapshot.id) as PendingChange[];
  for (const p of pending) {
    const actor: Actor = { role: roleOf(p.user_id), id: p.user_id };
    if (p.name === 'changeTicket') {
      const args = ChangeTicketArgs.safeParse(JSON.parse(p.args));
      if (!args.success) continue;
      const event = args.data.event as TicketEvent;
      const next = transition(flow, event, actor);
      if (!next.ok) continue;
      events.push({ at: event.at.toISOString(), actorId: p.user_id, type: event.type, fromStatus: flow.status, toStatus: next.next.status, detail: { pending: true } });
      flow = next.next;
    } else if (p.name === 'mergeRepeatCall') {
      const args = MergeRepeatCallArgs.safeParse(JSON.parse(p.args));
      if (!args.success) continue;
      const { at, callId, callerNumber, description } = args.data;
      events.push({ at, actorId: p.user_id, type: REPEAT_CALL_EVENT, fromStatus: flow.status, toStatus: flow.status, detail: { callId, callerNumber, description, pending: true } });
    } else {
      const args = AddTicketNoteArgs.safeParse(JSON.parse(p.args));
      if (!args.success) continue;
      events.push({ at: args.data.at, actorId: p.user_id, type: 'note', fromStatus: flow.status, toStatus: flow.status, detail: { text: args.data.text, pending: true } });
    }
  }
  return { flow, events };
}

/** Write a ticket's shown state: columns from the flow, the history replaced. */
export function writeTicketState(db: Database.Database, ticketId: string, state: LocalTicketState) {
  const f = state.flow;
  db.prepare(`UPDATE tickets SET status = ?, assigned_unit_id = ?, due_at = ?, due_provisional = ? WHERE id = ?`).run(
    f.status, f.assignedUnitId, f.dueAt?.toISOString() ?? null, f.dueProvisional ? 1 : 0, ticketId,
  );
  db.prepare('DELETE FROM ticket_events WHERE ticket_id = ?').run(ticketId);
  const ins = db.prepare('INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const e of state.events) ins.run(ticketId, e.at, e.actorId ?? 'server', e.type, e.fromStatus, e.toStatus, JSON.stringify(e.detail));
}

/** Rebuild one ticket from its last snapshot and the pending changes (after a push settled some of them). No snapshot yet: nothing to rebuild on. */
export function rebuildTicket(db: Database.Database, ticketId: string, roleOf: (userId: string) => ActorRole): boolean {
  const row = db.prepare('SELECT server_snapshot FROM tickets WHERE id = ?').get(ticketId) as { server_snapshot: string | null } | undefined;
  if (!row?.server_snapshot) return false;
  const snapshot = JSON.parse(row.server_snapshot) as TicketSnapshot;
  writeTicketState(db, ticketId, replayPending(db, snapshot, roleOf));
  return true;
}

function putTicket(db: Database.Database, t: TicketSnapshot, version: number, roleOf: (userId: string) => ActorRole) {
  db.prepare(
    `INSERT INTO tickets (id, number, status, accepted_at, accepted_by, caller_number, callback_phone, request_type, category_id, division_code, address,
       description, urgency, assigned_unit_id, due_at, due_provisional, origin, data, updated_at, server_snapshot, server_version)
     VALUES (@id, @number, @status, @acceptedAt, @acceptedBy, @callerNumber, @callbackPhone, @requestType, @categoryId, @divisionCode, @address,
       @description, @urgency, NULL, NULL, 0, 'server', NULL, @updatedAt, @snapshot, @version)
     ON CONFLICT (id) DO UPDATE SET number = excluded.number, accepted_at = excluded.accepted_at, accepted_by = excluded.accepted_by,
       caller_number = excluded.caller_number, callback_phone = excluded.callback_phone, request_type = excluded.request_type,
       category_id = excluded.category_id, division_code = excluded.division_code, address = excluded.address, description = excluded.description,
       urgency = excluded.urgency, updated_at = excluded.updated_at, server_snapshot = excluded.server_snapshot, server_version = excluded.server_version`,
  ).run({ ...t, status: t.flow.status, snapshot: JSON.stringify(t), version });
  writeTicketState(db, t.id, replayPending(db, t, roleOf));
}

export interface PageOutcome {
  applied: number;
  /** A newer reference-data version announced by this page, to fetch whole. */
  referenceVersion: number | null;
}

/**
 * Apply one page and move the cursor, in ONE SQLite transaction: a console
 * killed half-way through keeps the old cursor and none of the page, and
 * pulls it again; every change is a whole snapshot, so applying it twice is
 * harmless.
 */
export function applyPage(db: Database.Database, kb: KnowledgeBase, userId: string, page: PullResponse, roleOf: (userId: string) => ActorRole): PageOutcome {
  let referenceVersion: number | null = null;
  db.transaction(() => {
    const articles: unknown[] = [];
    for (const c of page.changes) {
      if (c.entity === 'ticket') putTicket(db, c.payload, c.version, roleOf);
      else if (c.entity === 'kb_article') articles.push(c.payload.article);
      else referenceVersion = Math.max(referenceVersion ?? 0, c.payload.version);
    }
    if (articles.length) kb.importArticles(articles as Parameters<KnowledgeBase['importArticles']>[0]);
    let next = page.nextVersion;
    // A server whose head is below our knowledge-base snapshot's version keeps another log (a
    // database made anew or restored): its articles up to that version were left out of what we
    // pulled (kbAfter), so forget the snapshot and pull again from the start.
    if (!page.more && next < kbSnapshotVersion(db)) {
      db.prepare('DELETE FROM kb_snapshot').run();
      next = 0;
    }
    db.prepare(
      `INSERT INTO sync_cursor (user_id, version, pulled_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, pulled_at = excluded.pulled_at`,
    ).run(userId, next, new Date().toISOString());
  })();
  return { applied: page.changes.length, referenceVersion };
}

export function cursorOf(db: Database.Database, userId: string): number {
  const row = db.prepare('SELECT version FROM sync_cursor WHERE user_id = ?').get(userId) as { version: number } | undefined;
  return row?.version ?? 0;
}

