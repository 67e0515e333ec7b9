import { currentReferenceTools } from './reference';
import { initialFlow, transition, type Actor, type TicketEvent, type TicketFlow } from '../shared/ticket/workflow';
import { flowFromWire, flowToWire, type AddTicketNoteArgs, type ChangeTicketArgs, type TicketSnapshot, type WireTicketEvent, type WireTicketFlow } from '../shared/sync-changes';
import { appendChanges } from './changes';
import type { Queryable } from './db';
import type { UserRow } from './users';

type Rejection = { reason: string; message: string };
type User = Pick<UserRow, 'id' | 'role'>;

/** A timestamp from the database (Date or text) as ISO 8601 UTC; null stays null. */
export const iso = (v: Date | string | null | undefined): string | null => (v === null || v === undefined ? null : new Date(v).toISOString());

export function actorOf(user: User): Actor {
  return { role: user.role === 'admin' ? 'admin' : user.role === 'lead' ? 'lead' : 'operator', id: user.id };
}

interface FlowRow {
  id: string;
  accepted_by: string;
  status: TicketFlow['status'];
  assigned_unit_id: string | null;
  due_at: Date | string | null;
  due_provisional: boolean;
  answer: string | null;
  flow: WireTicketFlow | null;
}

/** The ticket's workflow state; tickets stored before the `flow` column get theirs from the columns. */
function flowOf(r: FlowRow): TicketFlow {
  if (r.flow) return flowFromWire(r.flow);
  return {
    ...initialFlow(),
    status: r.status,
    assignedUnitId: r.assigned_unit_id,
    dueAt: r.due_at === null ? null : new Date(r.due_at),
    dueProvisional: r.due_provisional,
    answer: r.answer,
  };
}

/** A ticket's whole state as the change log carries it, read in one query. */
export async function ticketSnapshot(tx: Queryable, ticketId: string): Promise<TicketSnapshot> {
  const { rows } = await tx.query<Record<string, any>>(
    `SELECT t.*, coalesce((SELECT json_agg(json_build_object('at', e.at, 'actorId', e.actor_id, 'type', e.type, 'fromStatus', e.from_status, 'toStatus', e.to_status, 'detail', e.detail) ORDER BY e.id)
                             FROM ticket_events e WHERE e.ticket_id = t.id), '[]') AS events_json
       FROM tickets t WHERE t.id = $1`,
    [ticketId],
  );
  const r = rows[0];
  if (!r) throw new Error(`ticket ${ticketId} vanished inside its own transaction`);
  const events = r.events_json as { at: string; actorId: string | null; type: string; fromStatus: string | null; toStatus: string; detail: Record<string, unknown> | null }[];
  return {
    id: r.id,
    number: r.number,
    acceptedAt: iso(r.accepted_at)!,
    acceptedBy: r.accepted_by,
    callerNumber: r.caller_number,
    callbackPhone: r.callback_phone,
    requestType: r.request_type,
    categoryId: r.category_id,
    divisionCode: r.division_code,
    address: r.address,
    description: r.description,
    urgency: r.urgency,
    flow: flowToWire(flowOf(r as FlowRow)),
    events: events.map((e): WireTicketEvent => ({ at: iso(e.at)!, actorId: e.actorId, type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, detail: e.detail ?? {} })),
    updatedAt: iso(r.updated_at)!,
  };
}

/**
 * The last step of every transaction that changes a ticket: the actor now
 * takes part in it (so it is in their pull scope), and the ticket's new
 * snapshot goes into the change log.
 */
export async function logTicketChange(tx: Queryable, ticketId: string, actorId: string): Promise<void> {
  await tx.query('INSERT INTO ticket_participants (user_id, ticket_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [actorId, ticketId]);
  const snapshot = await ticketSnapshot(tx, ticketId);
  await appendChanges(tx, [{ scope: 'ticket', ticketId, entity: 'ticket', entityId: ticketId, op: 'put', payload: snapshot }]);
}

/** Lock the ticket's row (a concurrent change waits and then sees this one's result) and check the user may act on it. */
async function lockTicket(tx: Queryable, ticketId: string, user: User): Promise<FlowRow | Rejection> {
  const { rows } = await tx.query<FlowRow>(
    'SELECT id, accepted_by, status, assigned_unit_id, due_at, due_provisional, answer, flow FROM tickets WHERE id = $1 FOR UPDATE',
    [ticketId],
  );
  const row = rows[0];
  if (!row) return { reason: 'not_found', message: '服务器上没有这张工单（可能尚未同步或编号有误）' };
  if (user.role === 'operator' && row.accepted_by !== user.id) {
    const { rows: part } = await tx.query('SELECT 1 FROM ticket_participants WHERE user_id = $1 AND ticket_id = $2', [user.id, ticketId]);
    if (!part.length) return { reason: 'forbidden', message: '只能处理本人受理或经手的工单' };
  }
  return row;
}

function eventDetail(e: TicketEvent, next: TicketFlow): Record<string, unknown> {
  const { type: _type, at: _at, ...rest } = e;
  const detail: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) detail[k] = v instanceof Date ? v.toISOString() : v;
  if (e.type === 'dispatch' || e.type === 'rework') detail.unitId = next.assignedUnitId;
  return detail;
}

/** `changeTicket`: one workflow event, decided by the shared `transition` on the ticket as it is now. */
export async function applyChangeTicket(tx: Queryable, args: ChangeTicketArgs, user: User): Promise<Rejection | { result: { status: string } }> {
  const locked = await lockTicket(tx, args.ticketId, user);
  if ('reason' in locked) return locked;
  const event = args.event as TicketEvent;
  if (event.type === 'dispatch' || (event.type === 'rework' && event.unitId)) {
    const unitId = event.unitId!;
    const { reference } = await currentReferenceTools(tx);
    if (!reference.unit(unitId)) return { reason: 'invalid_unit', message: `承办单位 ${unitId} 不存在` };
  }
  const before = flowOf(locked);
  const flow = transition(before, event, actorOf(user));
  if (!flow.ok) return { reason: flow.reason, message: flow.message };
  const next = flow.next;
  await tx.query(
    `UPDATE tickets SET status = $2, assigned_unit_id = $3, due_at = $4::timestamptz, due_provisional = $5, answer = $6, flow = $7::jsonb, updated_at = now() WHERE id = $1`,
    [args.ticketId, next.status, next.assignedUnitId, iso(next.dueAt), next.dueProvisional, next.answer, JSON.stringify(flowToWire(next))],
  );
  await tx.query(`INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7::jsonb)`, [
    args.ticketId, iso(event.at), user.id, event.type, before.status, next.status, JSON.stringify(eventDetail(event, next)),
  ]);
  await logTicketChange(tx, args.ticketId, user.id);
  return { result: { status: next.status } };
}

/** `addTicketNote`: appended to the history; the status does not change. */
export async function applyAddTicketNote(tx: Queryable, args: AddTicketNoteArgs, user: User): Promise<Rejection | null> {
  const locked = await lockTicket(tx, args.ticketId, user);
  if ('reason' in locked) return locked;
  await tx.query(`INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES ($1, $2::timestamptz, $3, 'note', $4, $4, $5::jsonb)`, [
    args.ticketId, args.at, user.id, locked.status, JSON.stringify({ text: args.text }),
  ]);
  await tx.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [args.ticketId]);
  await logTicketChange(tx, args.ticketId, user.id);
  return null;
}
