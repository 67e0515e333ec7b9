import type Database from 'better-sqlite3';
import type { UserInfo } from '../../shared/auth';
import { AddTicketNoteArgs, ChangeTicketArgs, type TicketSnapshot } from '../../shared/sync-changes';
import { initialFlow, isOpenStatus, TICKET_STATUS_LABELS, transition, type ActorRole, type TicketEvent, type TicketFlow, type TicketStatus } from '../../shared/ticket/workflow';
import { MergeRepeatCallArgs, REPEAT_CALL_EVENT } from '../../shared/ticket-merge';
import { HostFailure } from '../errors';
import { enqueueMutation } from '../outbox';
import { actorFor, replayPending, writeTicketState } from './apply';

/**
 * An operator changes a ticket on the console: the shared workflow decides
 * at once (the same rule the server applies later), the change is shown at
 * once, and it waits in the outbox as a `changeTicket` / `addTicketNote`
 * intent, in one transaction.
 */

interface Row {
  id: string;
  status: TicketStatus;
  assigned_unit_id: string | null;
  due_at: string | null;
  due_provisional: number;
  server_snapshot: string | null;
}

function roleFor(user: Pick<UserInfo, 'id' | 'role'>): (userId: string) => ActorRole {
  const mine = actorFor(user).role;
  return (userId) => (userId === user.id ? mine : 'operator');
}

function current(db: Database.Database, ticketId: string, user: Pick<UserInfo, 'id' | 'role'>): { row: Row; flow: TicketFlow } {
  const row = db.prepare('SELECT id, status, assigned_unit_id, due_at, due_provisional, server_snapshot FROM tickets WHERE id = ?').get(ticketId) as Row | undefined;
  if (!row) throw new HostFailure('not_found', '本机没有这张工单');
  if (row.server_snapshot) return { row, flow: replayPending(db, JSON.parse(row.server_snapshot) as TicketSnapshot, roleFor(user)).flow };
  // Filed here and not yet confirmed by the server: its columns are the whole story so far.
  return {
    row,
    flow: { ...initialFlow(), status: row.status, assignedUnitId: row.assigned_unit_id, dueAt: row.due_at ? new Date(row.due_at) : null, dueProvisional: row.due_provisional === 1 },
  };
}

/** Apply one workflow event locally and queue it for the server. Returns the mutation id. */
export function changeTicketLocally(db: Database.Database, user: Pick<UserInfo, 'id' | 'role'>, input: unknown): string {
  const parsed = ChangeTicketArgs.safeParse(input);
  if (!parsed.success) throw new HostFailure('invalid_input', `工单操作不正确：${parsed.error.issues[0]?.message ?? ''}`);
  const event = parsed.data.event as TicketEvent;
  return db.transaction(() => {
    const { row, flow } = current(db, parsed.data.ticketId, user);
    const next = transition(flow, event, actorFor(user));
    if (!next.ok) throw new HostFailure('invalid_input', next.message);
    const id = enqueueMutation(db, user.id, 'changeTicket', input);
    if (row.server_snapshot) {
      writeTicketState(db, row.id, replayPending(db, JSON.parse(row.server_snapshot) as TicketSnapshot, roleFor(user)));
    } else {
      const f = next.next;
      db.prepare(`UPDATE tickets SET status = ?, assigned_unit_id = ?, due_at = ?, due_provisional = ? WHERE id = ?`).run(
        f.status, f.assignedUnitId, f.dueAt?.toISOString() ?? null, f.dueProvisional ? 1 : 0, row.id,
      );
      db.prepare('INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        row.id, event.at.toISOString(), user.id, event.type, flow.status, f.status, JSON.stringify({ pending: true }),
      );
    }
    return id;
  })();
}

/** Append a note locally and queue it for the server. Returns the mutation id. */
export function addTicketNoteLocally(db: Database.Database, user: Pick<UserInfo, 'id' | 'role'>, input: unknown): string {
  const parsed = AddTicketNoteArgs.safeParse(input);
  if (!parsed.success) throw new HostFailure('invalid_input', `备注不正确：${parsed.error.issues[0]?.message ?? ''}`);
  return db.transaction(() => {
    const { row, flow } = current(db, parsed.data.ticketId, user);
    const id = enqueueMutation(db, user.id, 'addTicketNote', parsed.data);
    db.prepare('INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      row.id, parsed.data.at, user.id, 'note', flow.status, flow.status, JSON.stringify({ text: parsed.data.text, pending: true }),
    );
    return id;
  })();
}

/**
 * Append a repeat call (重复来电) to an open ticket locally and queue the
 * `mergeRepeatCall` intent. Refused here, as the server would: a closed
 * ticket, or (for an operator) a ticket filed by someone else that this
 * console has never pulled, i.e. one outside the operator's scope. Call it
 * inside the caller's transaction. Returns the mutation id.
 */
export function mergeRepeatCallLocally(db: Database.Database, user: Pick<UserInfo, 'id' | 'role'>, input: MergeRepeatCallArgs): string {
  const parsed = MergeRepeatCallArgs.safeParse(input);
  if (!parsed.success) throw new HostFailure('invalid_input', parsed.error.issues[0]?.message ?? '重复来电内容不正确', { description: parsed.error.issues[0]?.message ?? '' });
  const args = parsed.data;
  return db.transaction(() => {
    const { row, flow } = current(db, args.ticketId, user);
    const meta = db.prepare('SELECT number, accepted_by FROM tickets WHERE id = ?').get(row.id) as { number: string | null; accepted_by: string };
    const block = mergeBlockedReason({ status: flow.status, acceptedBy: meta.accepted_by, pulled: !!row.server_snapshot, number: meta.number }, user);
    if (block) throw new HostFailure('invalid_input', block);
    const id = enqueueMutation(db, user.id, 'mergeRepeatCall', args);
    db.prepare('INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      row.id, args.at, user.id, REPEAT_CALL_EVENT, flow.status, flow.status,
      JSON.stringify({ callId: args.callId, callerNumber: args.callerNumber, description: args.description, pending: true }),
    );
    return id;
  })();
}

/** Why this console cannot merge a call into the ticket, or null when it can (the server decides again). */
export function mergeBlockedReason(t: { status: TicketStatus; acceptedBy: string; pulled: boolean; number: string | null }, user: Pick<UserInfo, 'id' | 'role'>): string | null {
  const name = t.number ? `工单 ${t.number} ` : '该工单';
  if (!isOpenStatus(t.status)) return `${name}当前为“${TICKET_STATUS_LABELS[t.status]}”，不能再合并来电；如问题仍未解决，请新建工单`;
  // A ticket another operator filed, known here only from a history look-up (never pulled): not in this operator's scope.
  if (user.role === 'operator' && t.acceptedBy !== user.id && !t.pulled) return `${name}由其他话务员受理，不在本人处理范围内：请报班长合并或新建工单`;
  return null;
}
