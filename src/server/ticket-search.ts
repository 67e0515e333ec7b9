import type { FastifyInstance, FastifyRequest } from 'fastify';
import { normalizePhone } from '../shared/ticket/phone';
import { classifySearch, TICKET_SEARCH_MAX, type TicketSearchResponse } from '../shared/ticket-merge';
import { audit } from './audit';
import type { Db } from './db';
import { HttpError } from './errors';
import { seesEveryTicket } from './pull';
import { toSummary, type TicketRow } from './tickets';
import type { UserRow } from './users';

const DEFAULT_LIMIT = 50;

/**
 * GET /api/tickets/search?q=&limit=: by whole ticket number, its last digits,
 * a phone number, or words of the description/address. Operators find the
 * tickets in their scope (accepted by them or acted on by them, as in the
 * pull); leads and admins find every ticket. A search by phone number is a
 * look-up of a person's history: it is written to the audit log.
 */
export function registerTicketSearchRoute(app: FastifyInstance, db: Db, userOf: (req: FastifyRequest) => UserRow) {
  app.get('/api/tickets/search', async (req): Promise<TicketSearchResponse> => {
    const user = userOf(req);
    const query = req.query as Record<string, unknown>;
    const q = typeof query.q === 'string' ? query.q.trim() : '';
    if (!q) throw new HttpError(400, 'bad_request', '请输入要查询的工单编号、电话号码或诉求内容');
    if (q.length > 100) throw new HttpError(400, 'bad_request', '查询内容不能超过100字');
    let limit = DEFAULT_LIMIT;
    if (query.limit !== undefined) {
      if (typeof query.limit !== 'string' || !/^\d{1,4}$/.test(query.limit) || Number(query.limit) < 1 || Number(query.limit) > TICKET_SEARCH_MAX) {
        throw new HttpError(400, 'bad_request', `参数 limit 应在 1 到 ${TICKET_SEARCH_MAX} 之间`);
      }
      limit = Number(query.limit);
    }

    const { kind, value } = classifySearch(q, (s) => normalizePhone(s));
    const where =
      kind === 'number'
        ? 't.number = $1'
        : kind === 'number_tail'
          ? `t.number LIKE '%-' || $1`
          : kind === 'phone'
            ? '(t.caller_number = $1 OR t.callback_phone = $1)'
            : `(t.description ILIKE $1 ESCAPE '\\' OR t.address ILIKE $1 ESCAPE '\\' OR t.number ILIKE $1 ESCAPE '\\')`;
    const param = kind === 'text' ? `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : value;
    const { rows } = await db.query<TicketRow>(
      `SELECT t.* FROM tickets t
        WHERE ${where}
          AND ($2::boolean OR t.accepted_by = $3::uuid OR t.id IN (SELECT ticket_id FROM ticket_participants WHERE user_id = $3::uuid))
        ORDER BY t.accepted_at DESC, t.number DESC LIMIT $4`,
      [param, seesEveryTicket(user), user.id, limit],
    );
    // Caller data is personal data: a search by phone number is a look-up of a person's history.
    if (kind === 'phone') await audit(db, 'tickets.searched', user.id, { kind, phone: value, tickets: rows.length, ip: req.ip });
    return { kind, tickets: rows.map(toSummary) };
  });
}
