import { v7 as uuidv7 } from 'uuid';
import type { StoredDraft, TicketSearchResult, ticketsApi } from '../../shared/host-api-tickets';
import { checkRepeatCaller, type CallerContact } from '../../shared/ticket/repeat';
import { maskPhone, normalizePhone } from '../../shared/ticket/phone';
import { planDispatch } from '../../shared/ticket/plan';
import { Ticket, checkTicketDraft, type TicketOutcome } from '../../shared/ticket/schema';
import { OPEN_STATUSES, initialFlow, transition, type Actor, type TicketEvent } from '../../shared/ticket/workflow';
import { CreateTicketResult, type CreateTicketArgs } from '../../shared/ticket-wire';
import type { AreaHandlers, HostContext } from '../context';
import { HostFailure } from '../errors';
import { enqueueMutation } from '../outbox';
import { mergeBlockedReason, mergeRepeatCallLocally } from '../sync/ticket-changes';
import { DESCRIPTION_MAX } from '../../shared/ticket/schema';
import { MergeRepeatCallArgs } from '../../shared/ticket-merge';
import { ReferenceCache } from './reference';
import {
  callsOfPhone,
  duplicateRows,
  eventsOf,
  getTicketRow,
  insertEvent,
  insertLocalTicket,
  myTickets,
  phoneKey,
  searchTickets,
  ticketsOfPhone,
  toListItem,
  upsertServerCalls,
  upsertServerTickets,
} from './store';

const DRAFT_MAX_BYTES = 64 * 1024;
const DUPLICATE_WINDOW_DAYS = 30;

/** The ticket area of the host API (see src/shared/host-api-tickets.ts). */
export function ticketHandlers(ctx: HostContext): AreaHandlers<typeof ticketsApi> {
  const refs = new ReferenceCache(ctx);
  const { db } = ctx;

  // The server issued the ticket's number: store it with the status it decided (the pull then brings the server's own history of events).
  ctx.sync.onApplied('createTicket', (id, args, result) => {
    const r = CreateTicketResult.safeParse(result);
    if (!r.success) return;
    const ticketId = (args as CreateTicketArgs).ticket?.id ?? id;
    db.prepare('UPDATE tickets SET number = ?, status = ?, updated_at = ? WHERE id = ?').run(r.data.number, r.data.status, new Date().toISOString(), ticketId);
  });

  // A repeat call the server would not merge (the ticket was closed meanwhile, or is not in the operator's scope):
  // what the caller said comes back as a draft, so the operator can file it as a new ticket.
  ctx.sync.onSettled((m, result) => {
    if (m.name !== 'mergeRepeatCall' || result.status !== 'rejected') return;
    const user = ctx.session()?.user;
    const args = MergeRepeatCallArgs.safeParse(m.args);
    if (!user || !args.success) return;
    const now = new Date().toISOString();
    const data = { description: args.data.description, callbackPhone: args.data.callerNumber ?? '' };
    db.prepare('INSERT INTO ticket_drafts (id, user_id, call_id, caller_number, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      uuidv7(), user.id, args.data.callId, args.data.callerNumber, JSON.stringify(data), now, now,
    );
  });

  const history = (raw: string, source: 'local' | 'server', serverError: string | null) => {
    const tools = refs.get();
    const phone = phoneKey(raw);
    const tickets = ticketsOfPhone(db, phone);
    const calls = callsOfPhone(db, raw, phone);
    const contacts: CallerContact[] = [
      ...tickets.map((t) => ({ phone, at: new Date(t.accepted_at), ticketId: t.id, ticketStatus: t.status })),
      ...calls.map((c) => ({ phone, at: new Date(c.startedAt) })),
    ];
    const repeat = checkRepeatCaller(contacts, new Date(), { withinDays: 7 });
    return {
      phone,
      masked: maskPhone(raw),
      tickets: tickets.map((t) => toListItem(t, tools)),
      calls,
      repeat: { repeat: repeat.repeat, reasons: repeat.reasons, openTicketIds: repeat.openTicketIds, message: repeat.message },
      source,
      serverError,
    };
  };

  return {
    'tickets.reference': async ({ refresh }) => {
      if (refresh) await refs.refresh();
      else refs.refreshIfDue();
      return refs.get().current;
    },

    'tickets.callerHistory': async ({ phone, remote }) => {
      ctx.requireUser();
      if (!remote) return history(phone, 'local', null);
      const session = ctx.session();
      if (!session) return history(phone, 'local', '未登录，无法查询中心记录');
      try {
        const res = await ctx.server.callerHistory(session.token, phoneKey(phone));
        db.transaction(() => {
          upsertServerTickets(db, res.tickets);
          upsertServerCalls(db, phoneKey(phone), res.calls);
        })();
        return history(phone, 'server', null);
      } catch (e) {
        return history(phone, 'local', e instanceof HostFailure ? e.message : '查询中心记录失败');
      }
    },

    'tickets.saveDraft': ({ id, callId, callerNumber, data }) => {
      const user = ctx.requireUser();
      const json = JSON.stringify(data);
      if (json.length > DRAFT_MAX_BYTES) throw new HostFailure('invalid_input', '草稿内容过长，无法保存');
      const now = new Date().toISOString();
      const owner = db.prepare('SELECT user_id FROM ticket_drafts WHERE id = ?').get(id) as { user_id: string } | undefined;
      if (owner && owner.user_id !== user.id) throw new HostFailure('not_found', '草稿不存在');
      db.prepare(
        `INSERT INTO ticket_drafts (id, user_id, call_id, caller_number, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at,
           call_id = COALESCE(excluded.call_id, ticket_drafts.call_id), caller_number = COALESCE(excluded.caller_number, ticket_drafts.caller_number)`,
      ).run(id, user.id, callId, callerNumber, json, now, now);
      return { id, updatedAt: now };
    },

    'tickets.drafts': () => {
      const user = ctx.requireUser();
      const rows = db.prepare('SELECT * FROM ticket_drafts WHERE user_id = ? ORDER BY updated_at DESC').all(user.id) as {
        id: string;
        call_id: string | null;
        caller_number: string | null;
        data: string;
        created_at: string;
        updated_at: string;
      }[];
      return rows.map(
        (r): StoredDraft => ({ id: r.id, callId: r.call_id, callerNumber: r.caller_number, data: JSON.parse(r.data), createdAt: r.created_at, updatedAt: r.updated_at }),
      );
    },

    'tickets.discardDraft': ({ id }) => {
      const user = ctx.requireUser();
      db.prepare('DELETE FROM ticket_drafts WHERE id = ? AND user_id = ?').run(id, user.id);
      return { ok: true as const };
    },

    'tickets.create': ({ draftId, callerNumber, draft: input }) => {
      const user = ctx.requireUser();
      const tools = refs.get();
      const acceptedAt = new Date();
      const raw: Record<string, unknown> = input && typeof input === 'object' ? { ...(input as Record<string, unknown>) } : {};
      // An empty optional box is "not given", so the caller rules (name and phone, or anonymous) can speak.
      for (const k of ['callerName', 'callbackPhone', 'address'] as const) if (typeof raw[k] === 'string' && (raw[k] as string).trim() === '') delete raw[k];
      const fields: Record<string, string> = {};
      // Reference checks the schema cannot make: the category exists and is a leaf, the place is in the district.
      const categoryId = typeof raw.categoryId === 'string' ? raw.categoryId.trim() : '';
      const category = categoryId ? tools.reference.category(categoryId) : undefined;
      if (categoryId && !category) fields.categoryId = `诉求分类 ${categoryId} 不存在，请重新选择`;
      else if (category?.children?.length) fields.categoryId = `请选择“${category.name}”下的具体分类`;
      const divisionCode = typeof raw.divisionCode === 'string' ? raw.divisionCode : '';
      if (/^\d{6}(\d{3}){0,2}$/.test(divisionCode) && !tools.divisions.has(divisionCode)) {
        fields.divisionCode = `所属区域 ${divisionCode} 不在本中心辖区（${tools.current.bundle.district.name}）内`;
      }
      // 派单: the unit (suggested, or the operator's choice) and the deadline come from the shared rules, as on the server.
      const asked = raw.outcome && typeof raw.outcome === 'object' ? (raw.outcome as Record<string, unknown>) : null;
      let planned = false;
      if (asked?.kind === 'dispatched' && category && !fields.categoryId) {
        planned = true;
        const urgency = raw.urgency === '紧急' || raw.urgency === '特急' ? raw.urgency : '一般';
        const unitId = typeof asked.unitId === 'string' && asked.unitId.trim() ? asked.unitId.trim() : undefined;
        const plan = planDispatch(tools.reference, tools.calendar, { categoryId, divisionCode: divisionCode || undefined, urgency, acceptedAt, unitId });
        if (!plan.ok) fields[plan.field] = plan.message;
        else raw.outcome = { kind: 'dispatched', unitId: plan.unitId, deadline: { dueAt: plan.dueAt.toISOString(), provisional: plan.provisional, explanation: plan.explanation } };
      }
      const check = checkTicketDraft(raw);
      if (!check.ok) {
        // Without a category there is no suggested unit or deadline yet: the category's message says what to do.
        const unplanned = (k: string) => asked?.kind === 'dispatched' && !planned && (k === 'outcome.unitId' || k === 'outcome.deadline');
        for (const [k, v] of Object.entries(check.errors)) if (!(k in fields) && k !== 'outcome.deadline' && !unplanned(k)) fields[k] = v;
      }
      if (!check.ok || Object.keys(fields).length > 0) {
        const n = Object.keys(fields).length;
        throw new HostFailure('invalid_input', n > 0 ? `工单有${n}处需要修改，请查看标红的项目` : '工单内容不完整，请检查', fields);
      }
      const outcome: TicketOutcome = check.draft.outcome;
      const event: TicketEvent =
        outcome.kind === 'closed_on_call'
          ? { type: 'closeOnCall', at: acceptedAt, answer: outcome.answer }
          : { type: 'dispatch', at: acceptedAt, unitId: outcome.unitId, dueAt: new Date(outcome.deadline.dueAt), provisional: outcome.deadline.provisional };

      const id = uuidv7();
      const at = acceptedAt.toISOString();
      const ticket = Ticket.parse({ ...check.draft, outcome, id, number: null, acceptedAt: at, acceptedBy: user.id, status: 'accepted', updatedAt: at });
      const actor: Actor = { role: user.role === 'admin' ? 'admin' : user.role === 'lead' ? 'lead' : 'operator', id: user.id };
      const flow = transition(initialFlow(), event, actor);
      if (!flow.ok) throw new HostFailure('invalid_input', flow.message, { outcome: flow.message });
      const ani = callerNumber ? (normalizePhone(callerNumber) ?? callerNumber) : null;
      const args: CreateTicketArgs = { ticket, callerNumber: ani };

      db.transaction(() => {
        insertLocalTicket(db, {
          ticket,
          callerNumber: ani,
          status: flow.next.status,
          assignedUnitId: flow.next.assignedUnitId,
          dueAt: flow.next.dueAt?.toISOString() ?? null,
          dueProvisional: flow.next.dueProvisional,
        });
        insertEvent(db, { ticketId: id, at, actorId: user.id, type: 'accept', from: null, to: 'accepted', detail: { callId: ticket.callId ?? null, callerNumber: ani } });
        insertEvent(db, {
          ticketId: id,
          at,
          actorId: user.id,
          type: event.type,
          from: 'accepted',
          to: flow.next.status,
          detail: event.type === 'dispatch' ? { unitId: event.unitId, dueAt: event.dueAt.toISOString(), provisional: event.provisional } : { answer: flow.next.answer },
        });
        enqueueMutation(db, user.id, 'createTicket', args, id);
        if (draftId) db.prepare('DELETE FROM ticket_drafts WHERE id = ? AND user_id = ?').run(draftId, user.id);
      })();
      ctx.sync.kick();
      const row = getTicketRow(db, id)!;
      return { id, number: null, status: row.status, ticket: toListItem(row, tools) };
    },

    'tickets.mine': ({ limit }) => {
      const user = ctx.requireUser();
      const tools = refs.get();
      return myTickets(db, user.id, limit).map((r) => toListItem(r, tools));
    },

    'tickets.search': async ({ q, limit, remote }) => {
      ctx.requireUser();
      const tools = refs.get();
      const items: TicketSearchResult['items'] = searchTickets(db, q, limit).map((r) => ({ ...toListItem(r, tools), foundOn: 'local' as const }));
      if (!remote) return { items, source: 'local' as const, serverError: null };
      const session = ctx.session();
      if (!session) return { items, source: 'local' as const, serverError: '未登录，无法查询中心记录' };
      let found;
      try {
        found = await ctx.server.searchTickets(session.token, q, limit);
      } catch (e) {
        return { items, source: 'local' as const, serverError: e instanceof HostFailure ? e.message : '查询中心记录失败' };
      }
      // The server's results after the local ones; tickets new to this console are cached (so their detail opens),
      // the ones it has keep their local state (pending changes shown on top of the server's).
      const seen = new Set(items.map((i) => i.id));
      const extra = found.tickets.filter((t) => !seen.has(t.id)).slice(0, Math.max(0, limit - items.length));
      db.transaction(() => upsertServerTickets(db, extra.filter((t) => !getTicketRow(db, t.id))))();
      for (const t of extra) {
        const row = getTicketRow(db, t.id);
        if (row) items.push({ ...toListItem(row, tools), foundOn: 'server' as const });
      }
      return { items, source: 'server' as const, serverError: null };
    },

    'tickets.mergeDraft': ({ draftId, ticketId }) => {
      const user = ctx.requireUser();
      const draft = db.prepare('SELECT call_id, caller_number, data FROM ticket_drafts WHERE id = ? AND user_id = ?').get(draftId, user.id) as
        | { call_id: string | null; caller_number: string | null; data: string }
        | undefined;
      const data = draft ? (JSON.parse(draft.data) as Record<string, unknown>) : {};
      const description = typeof data.description === 'string' ? data.description.trim() : '';
      if (!description) throw new HostFailure('invalid_input', '请先在“诉求内容”中记下来电人本次反映的内容，再合并', { description: '请填写来电人本次反映的内容' });
      if (description.length > DESCRIPTION_MAX) {
        const m = `诉求内容不能超过${DESCRIPTION_MAX}字（当前${description.length}字）`;
        throw new HostFailure('invalid_input', m, { description: m });
      }
      if (!getTicketRow(db, ticketId)) throw new HostFailure('not_found', '本机没有这张工单，无法合并');
      const phone = draft?.caller_number ?? (typeof data.callbackPhone === 'string' && data.callbackPhone.trim() ? data.callbackPhone : null);
      const args: MergeRepeatCallArgs = { ticketId, at: new Date().toISOString(), callId: draft?.call_id ?? null, callerNumber: phone ? phoneKey(phone) : null, description };
      db.transaction(() => {
        mergeRepeatCallLocally(db, user, args);
        db.prepare('DELETE FROM ticket_drafts WHERE id = ? AND user_id = ?').run(draftId, user.id);
      })();
      ctx.sync.kick();
      return { ticket: toListItem(getTicketRow(db, ticketId)!, refs.get()), events: eventsOf(db, ticketId) };
    },

    'tickets.get': ({ id }) => {
      const user = ctx.requireUser();
      const row = getTicketRow(db, id);
      if (!row) throw new HostFailure('not_found', '工单不存在或尚未同步到本机');
      const tools = refs.get();
      // The full record (callback phone in full) only for the operator who filed it.
      const data = row.data && row.accepted_by === user.id ? (JSON.parse(row.data) as Record<string, unknown>) : null;
      return { ticket: toListItem(row, tools), data, events: eventsOf(db, id) };
    },

    'tickets.duplicates': ({ phones, categoryId, divisionCode, address }) => {
      const user = ctx.requireUser();
      const tools = refs.get();
      const keys = [...new Set(phones.filter((p) => p.trim()).map(phoneKey).filter((p) => p.length >= 5))];
      const since = new Date(Date.now() - DUPLICATE_WINDOW_DAYS * 86_400_000).toISOString();
      return duplicateRows(db, { phones: keys, categoryId, divisionCode, address, openStatuses: OPEN_STATUSES, sinceIso: since }).map(({ row, reason }) => ({
        ticket: toListItem(row, tools),
        reason,
        message:
          reason === 'same_phone'
            ? `同一号码有未办结工单${row.number ? ` ${row.number}` : ''}，请核对是否同一事项`
            : `同一区域同类诉求的未办结工单${row.number ? ` ${row.number}` : ''}，可能是同一事项`,
        cannotMerge: mergeBlockedReason({ status: row.status, acceptedBy: row.accepted_by, pulled: !!row.server_snapshot, number: row.number }, user),
      }));
    },
  };
}
