import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CalendarYear } from '../shared/ticket/calendar';
import { normalizePhone } from '../shared/ticket/phone';
import { ReferenceData } from '../shared/ticket/reference';
import { formatTicketNumber } from '../shared/ticket/schema';
import { centerDate } from '../shared/ticket/time';
import { initialFlow, transition, type Actor, type TicketEvent } from '../shared/ticket/workflow';
import { planDispatch } from '../shared/ticket/plan';
import type { CallerHistoryResponse, CreateTicketArgs, CreateTicketResult, ReferenceBundle, TicketSummary } from '../shared/ticket-wire';
import { audit } from './audit';
import type { Db, Queryable } from './db';
import { HttpError, parseBody } from './errors';
import { appendChanges } from './changes';
import { currentReference, currentReferenceTools, saveReference } from './reference';
import { flowToWire } from '../shared/sync-changes';
import { logTicketChange } from './ticket-changes';
import { registerTicketSearchRoute } from './ticket-search';
import type { UserRow } from './users';

type Rejection = { reason: string; message: string };

/**
 * Apply `createTicket` inside the mutation's transaction: check the category
 * and unit against the current reference data, let the shared workflow
 * decide the outcome (直接办结 or 派单, with the server's own deadline), issue
 * the day's next ticket number, and record the events.
 */
export async function applyCreateTicket(tx: Queryable, args: CreateTicketArgs, user: Pick<UserRow, 'id' | 'role'>): Promise<Rejection | { result: CreateTicketResult }> {
  const t = args.ticket;
  const existing = await tx.query<{ number: string; status: CreateTicketResult['status']; accepted_by: string }>('SELECT number, status, accepted_by FROM tickets WHERE id = $1', [t.id]);
  if (existing.rows[0]) {
    if (existing.rows[0].accepted_by !== user.id) return { reason: 'conflict', message: '该工单编号已被其他话务员使用' };
    return { result: { number: existing.rows[0].number, status: existing.rows[0].status } };
  }

  const { reference, calendar } = await currentReferenceTools(tx);
  const acceptedAt = new Date(t.acceptedAt);
  const actor: Actor = { role: user.role === 'admin' ? 'admin' : user.role === 'lead' ? 'lead' : 'operator', id: user.id };
  let event: TicketEvent;
  if (t.outcome.kind === 'closed_on_call') {
    if (!reference.category(t.categoryId)) return { reason: 'invalid_category', message: `诉求分类 ${t.categoryId} 不存在` };
    event = { type: 'closeOnCall', at: acceptedAt, answer: t.outcome.answer };
  } else {
    const plan = planDispatch(reference, calendar, { categoryId: t.categoryId, divisionCode: t.divisionCode, urgency: t.urgency, acceptedAt, unitId: t.outcome.unitId });
    if (!plan.ok) return { reason: plan.field === 'categoryId' ? 'invalid_category' : 'invalid_unit', message: plan.message };
    event = { type: 'dispatch', at: acceptedAt, unitId: plan.unitId, dueAt: plan.dueAt, provisional: plan.provisional };
  }
  const flow = transition(initialFlow(), event, actor);
  if (!flow.ok) return { reason: flow.reason, message: flow.message };
  const next = flow.next;

  const day = centerDate(acceptedAt);
  const seq = await tx.query<{ last: number }>(
    `INSERT INTO ticket_number_seq (day, last) VALUES ($1::date, 1) ON CONFLICT (day) DO UPDATE SET last = ticket_number_seq.last + 1 RETURNING last`,
    [day],
  );
  const number = formatTicketNumber(acceptedAt, seq.rows[0]!.last);
  const outcome = t.outcome.kind === 'dispatched' ? { ...t.outcome, unitId: next.assignedUnitId, deadline: { dueAt: next.dueAt!.toISOString(), provisional: next.dueProvisional } } : t.outcome;
  await tx.query(
    `INSERT INTO tickets (id, number, call_id, caller_number, anonymous, caller_name, callback_phone, request_type, category_id, division_code, address,
       description, urgency, kb_article_ids, outcome, status, assigned_unit_id, due_at, due_provisional, answer, accepted_at, accepted_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14::jsonb,$15::jsonb,$16,$17,$18::timestamptz,$19,$20,$21::timestamptz,$22)`,
    [
      t.id, number, t.callId ?? null, args.callerNumber, t.anonymous, t.callerName ?? null, t.callbackPhone ?? null, t.requestType, t.categoryId, t.divisionCode,
      t.address ?? null, t.description, t.urgency, JSON.stringify(t.kbArticleIds), JSON.stringify(outcome), next.status, next.assignedUnitId,
      next.dueAt?.toISOString() ?? null, next.dueProvisional, next.answer, t.acceptedAt, user.id,
    ],
  );
  await tx.query(`INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES ($1, $2::timestamptz, $3, 'accept', NULL, 'accepted', $4::jsonb)`, [
    t.id, t.acceptedAt, user.id, JSON.stringify({ callId: t.callId ?? null, callerNumber: args.callerNumber }),
  ]);
  await tx.query(`INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES ($1, $2::timestamptz, $3, $4, 'accepted', $5, $6::jsonb)`, [
    t.id, t.acceptedAt, user.id, event.type, next.status,
    JSON.stringify(event.type === 'dispatch' ? { unitId: event.unitId, dueAt: event.dueAt.toISOString(), provisional: event.provisional } : { answer: next.answer }),
  ]);
  await tx.query('UPDATE tickets SET flow = $2::jsonb WHERE id = $1', [t.id, JSON.stringify(flowToWire(next))]);
  await logTicketChange(tx, t.id, user.id);
  return { result: { number, status: next.status } };
}

export interface TicketRow {
  id: string;
  number: string;
  accepted_at: Date | string;
  accepted_by: string;
  request_type: string;
  category_id: string;
  description: string;
  status: TicketSummary['status'];
  assigned_unit_id: string | null;
  due_at: Date | string | null;
  callback_phone: string | null;
  caller_number: string | null;
  division_code: string;
  address: string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());

export function toSummary(r: TicketRow): TicketSummary {
  return {
    id: r.id,
    number: r.number,
    acceptedAt: iso(r.accepted_at)!,
    acceptedBy: r.accepted_by,
    requestType: r.request_type,
    categoryId: r.category_id,
    description: r.description,
    status: r.status,
    assignedUnitId: r.assigned_unit_id,
    dueAt: iso(r.due_at),
    callbackPhone: r.callback_phone,
    callerNumber: r.caller_number,
    divisionCode: r.division_code,
    address: r.address,
  };
}

const HISTORY_TICKETS = 50;
const HISTORY_CALLS = 20;

/** Routes for reference data and a caller's history. */
export function registerTicketRoutes(app: FastifyInstance, db: Db, userOf: (req: FastifyRequest) => UserRow) {
  app.get('/api/reference', async (req, reply): Promise<ReferenceBundle | undefined> => {
    userOf(req);
    const since = Number((req.query as { since?: string }).since ?? -1);
    const bundle = await currentReference(db);
    if (Number.isFinite(since) && since >= bundle.version) {
      reply.status(204);
      return undefined;
    }
    return bundle;
  });

  const ReferenceEdit = z
    .object({ data: ReferenceData.optional(), calendarYears: z.array(CalendarYear).optional() })
    .refine((v) => v.data || v.calendarYears, { message: '请提供要修改的基础数据（data 或 calendarYears）' });

  app.put('/api/admin/reference', async (req): Promise<ReferenceBundle> => {
    const user = userOf(req);
    if (user.role !== 'admin' && user.role !== 'lead') throw new HttpError(403, 'forbidden', '只有管理员或班长可以修改基础数据');
    const edit = parseBody(ReferenceEdit, req.body);
    const bundle = await db.transaction(async (tx) => {
      const saved = await saveReference(tx, edit, user.id);
      await audit(tx, 'reference.updated', user.id, { version: saved.version, data: !!edit.data, calendarYears: edit.calendarYears?.map((y) => y.year) ?? [] });
      await appendChanges(tx, [{ scope: 'all', entity: 'reference', entityId: 'reference', op: 'put', payload: { version: saved.version } }]);
      return saved;
    });
    return bundle;
  });

  app.get('/api/callers/:phone/history', async (req): Promise<CallerHistoryResponse> => {
    const user = userOf(req);
    const raw = (req.params as { phone: string }).phone;
    const phone = normalizePhone(raw) ?? raw.replace(/[^\d+]/g, '');
    if (!phone || phone.length > 32) throw new HttpError(400, 'bad_request', '号码格式不正确');
    const tickets = await db.query<TicketRow>(
      `SELECT * FROM tickets WHERE callback_phone = $1 OR caller_number = $1 ORDER BY accepted_at DESC LIMIT ${HISTORY_TICKETS}`,
      [phone],
    );
    const calls = await db.query<{ id: string; started_at: Date | string; outcome: string; operator_id: string }>(
      `SELECT id, started_at, outcome, operator_id FROM call_records WHERE caller_number = $1 ORDER BY started_at DESC LIMIT ${HISTORY_CALLS}`,
      [phone],
    );
    // Caller data is personal data: every look-up of a person's history is logged.
    await audit(db, 'caller_history.viewed', user.id, { phone, tickets: tickets.rows.length, calls: calls.rows.length, ip: req.ip });
    return {
      phone,
      tickets: tickets.rows.map(toSummary),
      calls: calls.rows.map((c) => ({ id: c.id, startedAt: iso(c.started_at)!, outcome: c.outcome, operatorId: c.operator_id })),
    };
  });

  registerTicketSearchRoute(app, db, userOf);
}
