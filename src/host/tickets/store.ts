import type Database from 'better-sqlite3';
import type { CallerCall, TicketEventItem, TicketListItem } from '../../shared/host-api-tickets';
import { maskPhone, normalizePhone } from '../../shared/ticket/phone';
import { TICKET_EVENT_LABELS, type TicketEventType } from '../../shared/ticket/workflow';
import type { Ticket } from '../../shared/ticket/schema';
import { classifySearch, REPEAT_CALL_EVENT, REPEAT_CALL_LABEL } from '../../shared/ticket-merge';
import type { TicketSummary } from '../../shared/ticket-wire';
import type { ReferenceTools } from './reference';

/** SQL over the console's ticket tables (see migration 0004). */

export interface TicketRow {
  id: string;
  number: string | null;
  status: TicketListItem['status'];
  accepted_at: string;
  accepted_by: string;
  caller_number: string | null;
  callback_phone: string | null;
  request_type: string;
  category_id: string;
  division_code: string;
  address: string | null;
  description: string;
  urgency: string | null;
  assigned_unit_id: string | null;
  due_at: string | null;
  due_provisional: number;
  origin: 'local' | 'server';
  data: string | null;
  updated_at: string;
  /** The server's last snapshot (pulled: the ticket is in this operator's scope). */
  server_snapshot?: string | null;
  outbox_status?: 'pending' | 'sent' | 'rejected' | null;
  outbox_error?: string | null;
}

/** The key a phone is stored and looked up by: its normalized form, or its digits. */
export function phoneKey(input: string): string {
  return normalizePhone(input) ?? input.replace(/[^\d+]/g, '');
}

const SELECT = `SELECT t.*, o.status AS outbox_status, o.last_error AS outbox_error FROM tickets t LEFT JOIN outbox o ON o.id = t.id`;

export function toListItem(r: TicketRow, tools: ReferenceTools): TicketListItem {
  const phone = r.callback_phone ?? r.caller_number;
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    acceptedAt: r.accepted_at,
    acceptedBy: r.accepted_by,
    requestType: r.request_type,
    categoryId: r.category_id,
    categoryPath: tools.reference.pathOf(r.category_id).join(' / ') || r.category_id,
    description: r.description,
    divisionCode: r.division_code,
    address: r.address,
    urgency: r.urgency,
    assignedUnitId: r.assigned_unit_id,
    assignedUnitName: r.assigned_unit_id ? (tools.reference.unit(r.assigned_unit_id)?.name ?? r.assigned_unit_id) : null,
    dueAt: r.due_at,
    dueProvisional: r.due_provisional === 1,
    phoneMasked: phone ? maskPhone(phone) : null,
    origin: r.origin,
    sync: r.origin === 'local' ? (r.outbox_status ?? null) : null,
    syncError: r.origin === 'local' && r.outbox_status === 'rejected' ? (r.outbox_error ?? null) : null,
  };
}

/** A caller's tickets, newest first: filed for this number (callback phone) or called from it. */
export function ticketsOfPhone(db: Database.Database, phone: string, limit = 50): TicketRow[] {
  return db
    .prepare(
      `${SELECT} WHERE t.id IN (
         SELECT id FROM tickets WHERE caller_number = @phone
         UNION SELECT id FROM tickets WHERE callback_phone = @phone)
       ORDER BY t.accepted_at DESC LIMIT @limit`,
    )
    .all({ phone, limit }) as TicketRow[];
}

/** A caller's calls: recorded on this console (by number as dialled or normalized) and as the server reported them. */
export function callsOfPhone(db: Database.Database, raw: string, phone: string, limit = 20): CallerCall[] {
  return db
    .prepare(
      `SELECT id, started_at AS startedAt, outcome, operator_id AS operatorId FROM call_records WHERE caller_number IN (@raw, @phone)
       UNION SELECT id, started_at, outcome, operator_id FROM caller_calls WHERE phone = @phone
       ORDER BY startedAt DESC LIMIT @limit`,
    )
    .all({ raw, phone, limit }) as CallerCall[];
}

export function getTicketRow(db: Database.Database, id: string): TicketRow | undefined {
  return db.prepare(`${SELECT} WHERE t.id = ?`).get(id) as TicketRow | undefined;
}

export function myTickets(db: Database.Database, userId: string, limit: number): TicketRow[] {
  return db.prepare(`${SELECT} WHERE t.accepted_by = ? ORDER BY t.accepted_at DESC LIMIT ?`).all(userId, limit) as TicketRow[];
}

/** By ticket number (whole, or its last digits), phone number, or text of the description/address. */
export function searchTickets(db: Database.Database, q: string, limit: number): TicketRow[] {
  const { kind, value } = classifySearch(q, (s) => normalizePhone(s));
  if (kind === 'number') return db.prepare(`${SELECT} WHERE t.number = ? LIMIT ?`).all(value, limit) as TicketRow[];
  if (kind === 'phone') return ticketsOfPhone(db, value, limit);
  if (kind === 'number_tail') {
    // The tail of a ticket number as operators read it out ("…000123").
    return db.prepare(`${SELECT} WHERE t.number LIKE ? ORDER BY t.accepted_at DESC LIMIT ?`).all(`%-${value}`, limit) as TicketRow[];
  }
  const like = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .prepare(`${SELECT} WHERE t.description LIKE @like ESCAPE '\\' OR t.address LIKE @like ESCAPE '\\' OR t.number LIKE @like ESCAPE '\\' ORDER BY t.accepted_at DESC LIMIT @limit`)
    .all({ like, limit }) as TicketRow[];
}

export function eventsOf(db: Database.Database, ticketId: string): TicketEventItem[] {
  const rows = db.prepare('SELECT at, actor_id, type, from_status, to_status, detail FROM ticket_events WHERE ticket_id = ? ORDER BY seq').all(ticketId) as {
    at: string;
    actor_id: string;
    type: string;
    from_status: string | null;
    to_status: string | null;
    detail: string;
  }[];
  return rows.map((r) => ({
    at: r.at,
    actorId: r.actor_id,
    type: r.type,
    label: r.type === 'accept' ? '受理' : r.type === 'note' ? '备注' : r.type === REPEAT_CALL_EVENT ? REPEAT_CALL_LABEL : (TICKET_EVENT_LABELS[r.type as TicketEventType] ?? r.type),
    fromStatus: r.from_status,
    toStatus: r.to_status,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}

export interface LocalFiling {
  ticket: Ticket;
  callerNumber: string | null;
  status: TicketListItem['status'];
  assignedUnitId: string | null;
  dueAt: string | null;
  dueProvisional: boolean;
}

export function insertLocalTicket(db: Database.Database, f: LocalFiling) {
  const t = f.ticket;
  db.prepare(
    `INSERT INTO tickets (id, number, status, accepted_at, accepted_by, caller_number, callback_phone, request_type, category_id, division_code, address,
       description, urgency, assigned_unit_id, due_at, due_provisional, origin, data, updated_at)
     VALUES (@id, NULL, @status, @acceptedAt, @acceptedBy, @callerNumber, @callbackPhone, @requestType, @categoryId, @divisionCode, @address,
       @description, @urgency, @assignedUnitId, @dueAt, @dueProvisional, 'local', @data, @updatedAt)`,
  ).run({
    id: t.id,
    status: f.status,
    acceptedAt: t.acceptedAt,
    acceptedBy: t.acceptedBy,
    callerNumber: f.callerNumber,
    callbackPhone: t.callbackPhone ?? null,
    requestType: t.requestType,
    categoryId: t.categoryId,
    divisionCode: t.divisionCode,
    address: t.address ?? null,
    description: t.description,
    urgency: t.urgency,
    assignedUnitId: f.assignedUnitId,
    dueAt: f.dueAt,
    dueProvisional: f.dueProvisional ? 1 : 0,
    data: JSON.stringify(t),
    updatedAt: t.updatedAt,
  });
}

export function insertEvent(db: Database.Database, e: { ticketId: string; at: string; actorId: string; type: string; from: string | null; to: string | null; detail: unknown }) {
  db.prepare('INSERT INTO ticket_events (ticket_id, at, actor_id, type, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    e.ticketId, e.at, e.actorId, e.type, e.from, e.to, JSON.stringify(e.detail ?? {}),
  );
}

/**
 * Tickets the server reported for a caller: new ones are cached; ones filed
 * here get the server's number, status, unit and deadline.
 */
export function upsertServerTickets(db: Database.Database, tickets: readonly TicketSummary[]) {
  const upsert = db.prepare(
    `INSERT INTO tickets (id, number, status, accepted_at, accepted_by, caller_number, callback_phone, request_type, category_id, division_code, address,
       description, urgency, assigned_unit_id, due_at, due_provisional, origin, data, updated_at)
     VALUES (@id, @number, @status, @acceptedAt, @acceptedBy, @callerNumber, @callbackPhone, @requestType, @categoryId, @divisionCode, @address,
       @description, NULL, @assignedUnitId, @dueAt, 0, 'server', NULL, @now)
     ON CONFLICT (id) DO UPDATE SET number = excluded.number, status = excluded.status, assigned_unit_id = excluded.assigned_unit_id,
       due_at = excluded.due_at, updated_at = excluded.updated_at`,
  );
  const now = new Date().toISOString();
  for (const t of tickets) {
    upsert.run({
      ...t,
      callerNumber: t.callerNumber ? phoneKey(t.callerNumber) : null,
      callbackPhone: t.callbackPhone ? phoneKey(t.callbackPhone) : null,
      now,
    });
  }
}

export function upsertServerCalls(db: Database.Database, phone: string, calls: readonly CallerCall[]) {
  const ins = db.prepare('INSERT INTO caller_calls (id, phone, started_at, outcome, operator_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
  for (const c of calls) ins.run(c.id, phone, c.startedAt, c.outcome, c.operatorId);
}

/** Open tickets that a new one may duplicate: the same caller's, or the same category at the same street/town (and address, when given). */
export function duplicateRows(
  db: Database.Database,
  q: { phones: string[]; categoryId: string | null; divisionCode: string | null; address: string | null; openStatuses: readonly string[]; sinceIso: string },
): { row: TicketRow; reason: 'same_phone' | 'same_place' }[] {
  const out: { row: TicketRow; reason: 'same_phone' | 'same_place' }[] = [];
  const seen = new Set<string>();
  const open = new Set(q.openStatuses);
  for (const p of q.phones) {
    for (const row of ticketsOfPhone(db, p, 20)) {
      if (!open.has(row.status) || seen.has(row.id)) continue;
      seen.add(row.id);
      out.push({ row, reason: 'same_phone' });
    }
  }
  if (q.categoryId && q.divisionCode && q.divisionCode.length >= 9) {
    const rows = db
      .prepare(`${SELECT} WHERE t.category_id = ? AND substr(t.division_code, 1, 9) = ? AND t.accepted_at >= ? ORDER BY t.accepted_at DESC LIMIT 50`)
      .all(q.categoryId, q.divisionCode.slice(0, 9), q.sinceIso) as TicketRow[];
    const addr = q.address?.trim() ?? '';
    for (const row of rows) {
      if (!open.has(row.status) || seen.has(row.id)) continue;
      // With an address typed, keep only tickets whose address shares a run of 4 characters with it.
      if (addr.length >= 4 && row.address && !sharesRun(addr, row.address, 4)) continue;
      seen.add(row.id);
      out.push({ row, reason: 'same_place' });
    }
  }
  return out.slice(0, 10);
}

function sharesRun(a: string, b: string, n: number): boolean {
  for (let i = 0; i + n <= a.length; i++) if (b.includes(a.slice(i, i + n))) return true;
  return false;
}
