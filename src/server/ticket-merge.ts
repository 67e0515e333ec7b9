import { isOpenStatus, TICKET_STATUS_LABELS, type TicketStatus } from '../shared/ticket/workflow';
import { REPEAT_CALL_EVENT, type MergeRepeatCallArgs, type MergeRepeatCallResult } from '../shared/ticket-merge';
import type { WireTicketFlow } from '../shared/sync-changes';
import type { Queryable } from './db';
import { logTicketChange } from './ticket-changes';
import type { UserRow } from './users';

type Rejection = { reason: string; message: string };
type User = Pick<UserRow, 'id' | 'role'>;

/**
 * `mergeRepeatCall`: a repeat caller's contact is appended to an open ticket
 * (重复来电 merged, not filed again). The ticket's row is locked, as for
 * every ticket change; the workflow status does not move; the change log
 * carries the new snapshot so every console in scope sees the repeat call.
 *
 * The same call merged twice into the same ticket (a console that sent it
 * again under a new mutation id) leaves one event.
 */
export async function applyMergeRepeatCall(tx: Queryable, args: MergeRepeatCallArgs, user: User): Promise<Rejection | { result: MergeRepeatCallResult }> {
  const { rows } = await tx.query<{ id: string; number: string; accepted_by: string; status: TicketStatus; flow: WireTicketFlow | null }>(
    'SELECT id, number, accepted_by, status, flow FROM tickets WHERE id = $1 FOR UPDATE',
    [args.ticketId],
  );
  const row = rows[0];
  if (!row) return { reason: 'not_found', message: '服务器上没有这张工单（可能尚未同步或编号有误），未能合并本次来电' };
  if (user.role === 'operator' && row.accepted_by !== user.id) {
    const { rows: part } = await tx.query('SELECT 1 FROM ticket_participants WHERE user_id = $1 AND ticket_id = $2', [user.id, args.ticketId]);
    if (!part.length) return { reason: 'forbidden', message: `工单 ${row.number} 不是本人受理或经手的工单，不能合并；请报班长合并或新建工单` };
  }
  const status = row.flow?.status ?? row.status;
  if (!isOpenStatus(status)) {
    return { reason: 'ticket_closed', message: `工单 ${row.number} 当前为“${TICKET_STATUS_LABELS[status]}”，不能再合并来电；如问题仍未解决，请新建工单` };
  }
  const count = async () =>
    Number((await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM ticket_events WHERE ticket_id = $1 AND type = $2', [args.ticketId, REPEAT_CALL_EVENT])).rows[0]!.n);

  if (args.callId) {
    const { rows: same } = await tx.query(`SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND type = $2 AND detail->>'callId' = $3`, [args.ticketId, REPEAT_CALL_EVENT, args.callId]);
    if (same.length) return { result: { number: row.number, status, repeatCalls: await count() } };
  }
  await tx.query(`INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES ($1, $2::timestamptz, $3, $4, $5, $5, $6::jsonb)`, [
    args.ticketId, args.at, user.id, REPEAT_CALL_EVENT, status,
    JSON.stringify({ callId: args.callId, callerNumber: args.callerNumber, description: args.description, takenBy: user.id }),
  ]);
  await tx.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [args.ticketId]);
  await logTicketChange(tx, args.ticketId, user.id);
  return { result: { number: row.number, status, repeatCalls: await count() } };
}
