import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CalendarYear } from '../shared/ticket/calendar';
import { normalizePhone } from '../shared/ticket/phone';
import { ReferenceData } from '../shared/ticket/reference';
import { ticketNumberPrefix } from '../shared/ticket/schema';
import { centerDate } from '../shared/ticket/time';
import { initialFlow, transition, type TicketEvent } from '../shared/ticket/workflow';
import { planDispatch } from '../shared/ticket/plan';
import type { CallerHistoryResponse, CreateTicketArgs, CreateTicketResult, ReferenceBundle, TicketSummary } from '../shared/ticket-wire';
import { audit } from './audit';
import type { Db, Queryable } from './db';
import { HttpError, parseBody } from './errors';
import { appendChanges, CHANGE_UPSERT, CHANGES_CHANNEL } from './changes';
import { currentReference, currentReferenceTools, newestReferenceTools, REFERENCE_VERSION_SQL, saveReference, type ReferenceTools } from './reference';
import { flowToWire, type TicketSnapshot, type WireTicketEvent } from '../shared/sync-changes';
import { actorOf, iso } from './ticket-changes';
import { registerTicketSearchRoute } from './ticket-search';
import type { UserRow } from './users';

type Rejection = { reason: string; message: string };

/** A new ticket as planned from a createTicket: every row it writes, and its change-log snapshot but for the number. */
interface NewTicket {
  /** The ticket's columns as NEW_TICKET_SQL takes them, $5 to $23. */
  row: unknown[];
  flow: string;
  events: WireTicketEvent[];
  snapshot: Omit<TicketSnapshot, 'number' | 'updatedAt'>;
  day: string;
  numberPrefix: string;
}

/**
 * Decide a createTicket without writing: check the category and unit against
 * the reference data, let the shared workflow decide the outcome (直接办结 or
 * 派单, with the server's own deadline), and lay out the rows.
 */
function planNewTicket(args: CreateTicketArgs, user: Pick<UserRow, 'id' | 'role'>, { reference, calendar }: ReferenceTools): Rejection | NewTicket {
  const t = args.ticket;
  const acceptedAt = new Date(t.acceptedAt);
  let event: TicketEvent;
  if (t.outcome.kind === 'closed_on_call') {
    if (!reference.category(t.categoryId)) return { reason: 'invalid_category', message: `诉求分类 ${t.categoryId} 不存在` };
    event = { type: 'closeOnCall', at: acceptedAt, answer: t.outcome.answer };
  } else {
    const plan = planDispatch(reference, calendar, { categoryId: t.categoryId, divisionCode: t.divisionCode, urgency: t.urgency, acceptedAt, unitId: t.outcome.unitId });
    if (!plan.ok) return { reason: plan.field === 'categoryId' ? 'invalid_category' : 'invalid_unit', message: plan.message };
    event = { type: 'dispatch', at: acceptedAt, unitId: plan.unitId, dueAt: plan.dueAt, provisional: plan.provisional };
  }
  const flow = transition(initialFlow(), event, actorOf(user));
  if (!flow.ok) return { reason: flow.reason, message: flow.message };
  const next = flow.next;
  const at = acceptedAt.toISOString();
  const outcome = t.outcome.kind === 'dispatched' ? { ...t.outcome, unitId: next.assignedUnitId, deadline: { dueAt: next.dueAt!.toISOString(), provisional: next.dueProvisional } } : t.outcome;
  const events: WireTicketEvent[] = [
    { at, actorId: user.id, type: 'accept', fromStatus: null, toStatus: 'accepted', detail: { callId: t.callId ?? null, callerNumber: args.callerNumber } },
    {
      at, actorId: user.id, type: event.type, fromStatus: 'accepted', toStatus: next.status,
      detail: event.type === 'dispatch' ? { unitId: event.unitId, dueAt: event.dueAt.toISOString(), provisional: event.provisional } : { answer: next.answer },
    },
  ];
  const wireFlow = flowToWire(next);
  return {
    row: [
      t.callId ?? null, args.callerNumber, t.anonymous, t.callerName ?? null, t.callbackPhone ?? null, t.requestType, t.categoryId, t.divisionCode,
      t.address ?? null, t.description, t.urgency, JSON.stringify(t.kbArticleIds), JSON.stringify(outcome), next.status, next.assignedUnitId,
      next.dueAt?.toISOString() ?? null, next.dueProvisional, next.answer, at,
    ],
    flow: JSON.stringify(wireFlow),
    events,
    snapshot: {
      id: t.id, acceptedAt: at, acceptedBy: user.id, callerNumber: args.callerNumber, callbackPhone: t.callbackPhone ?? null, requestType: t.requestType,
      categoryId: t.categoryId, divisionCode: t.divisionCode, address: t.address ?? null, description: t.description, urgency: t.urgency, flow: wireFlow, events,
    },
    day: centerDate(acceptedAt),
    numberPrefix: ticketNumberPrefix(acceptedAt),
  };
}

/**
 * Everything a new ticket writes, in ONE statement: the day's next number,
 * the ticket, its two events, its participant, and its snapshot in the change
 * log under the next version (see changes.ts: sync_head stays locked until
 * commit, so versions commit in order), announced by NOTIFY at commit.
 * It writes nothing when the ticket already exists or the reference data is
 * no longer the version it was planned on ($30), and says so. With $25 true
 * it also claims the mutation id, and writes nothing if the id is taken: as a
 * statement of its own it is then a whole transaction. A day past 999,999
 * tickets gives a NULL number: the statement fails whole.
 */
const NEW_TICKET_SQL = `
WITH state AS (
  SELECT EXISTS (SELECT 1 FROM applied_mutations WHERE id = $26::uuid) AS seen, EXISTS (SELECT 1 FROM tickets WHERE id = $1::uuid) AS ticket_exists,
    ${REFERENCE_VERSION_SQL} AS reference_version
), ok AS (
  SELECT 1 FROM state WHERE NOT state.ticket_exists AND state.reference_version IS NOT DISTINCT FROM $30::int
), claim AS (
  INSERT INTO applied_mutations (id, user_id, client_id, name) SELECT $26::uuid, $24::uuid, $27, 'createTicket' FROM ok WHERE $25::boolean
  ON CONFLICT (id) DO NOTHING RETURNING id
), go AS (
  SELECT 1 FROM ok WHERE NOT $25::boolean OR EXISTS (SELECT 1 FROM claim)
), seq AS (
  INSERT INTO ticket_number_seq (day, last) SELECT $2::date, 1 FROM go
  ON CONFLICT (day) DO UPDATE SET last = ticket_number_seq.last + 1 RETURNING last
), t AS (
  INSERT INTO tickets (id, number, call_id, caller_number, anonymous, caller_name, callback_phone, request_type, category_id, division_code, address,
    description, urgency, kb_article_ids, outcome, status, assigned_unit_id, due_at, due_provisional, answer, accepted_at, accepted_by, flow)
  SELECT $1::uuid, $3 || CASE WHEN seq.last <= 999999 THEN lpad(seq.last::text, 6, '0') END, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb,
    $17::jsonb, $18, $19, $20::timestamptz, $21, $22, $23::timestamptz, $24::uuid, $28::jsonb
    FROM seq
  RETURNING id, number, updated_at
), ev AS (
  INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail)
  SELECT t.id, (e->>'at')::timestamptz, (e->>'actorId')::uuid, e->>'type', e->>'fromStatus', e->>'toStatus', e->'detail'
    FROM t, jsonb_array_elements($29::jsonb) WITH ORDINALITY AS x(e, ord) ORDER BY x.ord
  RETURNING id
), part AS (
  INSERT INTO ticket_participants (user_id, ticket_id) SELECT $24::uuid, t.id FROM t ON CONFLICT DO NOTHING
), head AS (
  UPDATE sync_head SET version = version + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM t) RETURNING version
), logged AS (
  INSERT INTO changes (version, scope, ticket_id, entity, entity_id, op, payload)
  SELECT head.version, 'ticket', t.id, 'ticket', t.id::text, 'put',
    $4::jsonb || jsonb_build_object('number', t.number, 'updatedAt', to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    FROM t, head
  ${CHANGE_UPSERT}
)
SELECT s.seen, s.ticket_exists, s.reference_version, w.number, w.events
  FROM state s LEFT JOIN (SELECT t.number, (SELECT count(*) FROM ev)::int AS events, pg_notify('${CHANGES_CHANNEL}', head.version::text) AS notified FROM t, head) w ON true`;

interface Claim {
  mutationId: string;
  clientId: string;
}

/** What NEW_TICKET_SQL did: `number` when it wrote the ticket, else why not. */
interface Written {
  number: string | null;
  seen: boolean;
  ticketExists: boolean;
  referenceVersion: number | null;
}

async function writeNewTicket(q: Queryable, id: string, plan: NewTicket, userId: string, claim: Claim | null, referenceVersion: number): Promise<Written> {
  const { rows } = await q.query<{ seen: boolean; ticket_exists: boolean; reference_version: number | null; number: string | null; events: number | null }>(
    NEW_TICKET_SQL,
    [
      id, plan.day, plan.numberPrefix, JSON.stringify(plan.snapshot), ...plan.row, userId, !!claim, claim?.mutationId ?? null, claim?.clientId ?? null,
      plan.flow, JSON.stringify(plan.events), referenceVersion,
    ],
    'qingyu_new_ticket',
  );
  const r = rows[0]!;
  if (r.number !== null && r.events !== plan.events.length) throw new Error(`ticket ${id}: ${r.events} of ${plan.events.length} events written`);
  return { number: r.number, seen: r.seen, ticketExists: r.ticket_exists, referenceVersion: r.reference_version };
}

/**
 * Apply `createTicket` inside the mutation's transaction (the general path:
 * see createTicketAlone for the usual one). A ticket already stored under
 * another mutation id answers with what it became.
 */
export async function applyCreateTicket(tx: Queryable, args: CreateTicketArgs, user: Pick<UserRow, 'id' | 'role'>): Promise<Rejection | { result: CreateTicketResult }> {
  const t = args.ticket;
  const existing = await tx.query<{ number: string; status: CreateTicketResult['status']; accepted_by: string }>('SELECT number, status, accepted_by FROM tickets WHERE id = $1', [t.id]);
  if (existing.rows[0]) {
    if (existing.rows[0].accepted_by !== user.id) return { reason: 'conflict', message: '该工单编号已被其他话务员使用' };
    return { result: { number: existing.rows[0].number, status: existing.rows[0].status } };
  }
  const tools = await currentReferenceTools(tx);
  const plan = planNewTicket(args, user, tools);
  if ('reason' in plan) return plan;
  const w = await writeNewTicket(tx, t.id, plan, user.id, null, tools.version);
  if (w.number === null) throw new Error(`ticket ${t.id} was not written (reference version ${tools.version}, now ${w.referenceVersion})`);
  return { result: { number: w.number, status: plan.snapshot.flow.status } };
}

/**
 * The usual createTicket, a new ticket from a new mutation, in ONE round
 * trip that is one transaction: NEW_TICKET_SQL claiming the id, planned on
 * the newest reference data this process knows (checked by the statement).
 * Tickets filed offline arrive by the thousand after an outage; the general
 * path (BEGIN, claim, read, write, log, COMMIT) took 17 round trips each.
 * Answers 'claimed' when the mutation id is taken and 'general' for what the
 * general path decides: a ticket that exists, a race on it, and rejections
 * (decided again there on the current reference data).
 */
export async function createTicketAlone(
  db: Queryable,
  args: CreateTicketArgs,
  user: Pick<UserRow, 'id' | 'role'>,
  claim: Claim,
): Promise<{ result: CreateTicketResult } | 'claimed' | 'general'> {
  const t = args.ticket;
  let tools = newestReferenceTools(db) ?? (await currentReferenceTools(db));
  for (let attempt = 0; attempt < 3; attempt++) {
    const plan = planNewTicket(args, user, tools);
    if ('reason' in plan) return 'general';
    let w: Written;
    try {
      w = await writeNewTicket(db, t.id, plan, user.id, claim, tools.version);
    } catch (err) {
      // The same ticket stored meanwhile under another mutation id.
      if ((err as { code?: string }).code === '23505') return 'general';
      throw err;
    }
    if (w.number !== null) return { result: { number: w.number, status: plan.snapshot.flow.status } };
    if (w.seen) return 'claimed';
    if (w.ticketExists) return 'general';
    if (w.referenceVersion === tools.version) return 'claimed'; // by a push racing with this one
    tools = await currentReferenceTools(db, w.referenceVersion);
  }
  return 'general';
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
