import type Database from 'better-sqlite3';
import type { UserInfo } from '../../shared/auth';
import { AddTicketNoteArgs, ChangeTicketArgs, type TicketSnapshot } from '../../shared/sync-changes';
import { initialFlow, transition, type ActorRole, type TicketEvent, type TicketFlow, type TicketStatus } from '../../shared/ticket/workflow';
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
