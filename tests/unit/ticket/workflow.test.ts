// A ticket's life: the operator accepts it, dispatches it, the unit signs for
// it and replies, the center closes it, calls the citizen back and rates it;
// and the detours: answered on the call, sent back, extended, supervised, reworked.
import { describe, expect, it } from 'vitest';
import {
  type Actor,
  availableEvents,
  initialFlow,
  isOpenStatus,
  TICKET_EVENT_TYPES,
  TICKET_STATUSES,
  type TicketEvent,
  TicketEventSchema,
  type TicketFlow,
  type TicketStatus,
  transition,
  WORKFLOW_RULES,
} from '../../../src/shared/ticket/workflow';

const bj = (s: string) => new Date(`${s}+08:00`);
const at = bj('2026-03-09T10:00:00');
const due = bj('2026-03-16T18:00:00');

const operator: Actor = { role: 'operator', id: 'op-7' };
const lead: Actor = { role: 'lead', id: 'lead-1' };
const admin: Actor = { role: 'admin', id: 'admin-1' };
const housing: Actor = { role: 'unit', id: 'u-22', unitId: 'unit-zjj' }; // 区住建局
const otherUnit: Actor = { role: 'unit', id: 'u-31', unitId: 'unit-sthj' };

/** A ticket in a given status, assigned to 区住建局 where that makes sense. */
function ticketIn(status: TicketStatus, extra: Partial<TicketFlow> = {}): TicketFlow {
  const assigned = ['dispatched', 'processing', 'replied', 'supervising', 'closed', 'visited', 'rated'].includes(status);
  return { ...initialFlow(), status, assignedUnitId: assigned ? 'unit-zjj' : null, dueAt: assigned ? due : null, ...extra };
}

const events: Record<TicketEvent['type'], TicketEvent> = {
  closeOnCall: { type: 'closeOnCall', at, answer: '已告知公积金提取所需材料。' },
  dispatch: { type: 'dispatch', at, unitId: 'unit-zjj', dueAt: due },
  sign: { type: 'sign', at },
  sendBack: { type: 'sendBack', at, reason: '该小区物业不属本单位监管，应派街道。' },
  requestExtension: { type: 'requestExtension', at, until: bj('2026-03-23T18:00:00'), reason: '需协调三方现场勘查。' },
  approveExtension: { type: 'approveExtension', at },
  rejectExtension: { type: 'rejectExtension', at, reason: '理由不充分。' },
  reply: { type: 'reply', at, text: '已约谈物业公司，电梯已于3月12日修复。' },
  supervise: { type: 'supervise', at, note: '答复未说明整改时限，请补充。' },
  close: { type: 'close', at },
  recordCallback: { type: 'recordCallback', at, result: '满意' },
  rework: { type: 'rework', at, dueAt: due },
  rate: { type: 'rate', at, score: 5 },
};

const pending = { extension: { until: bj('2026-03-23T18:00:00'), reason: '协调', requestedAt: at } };
const dissatisfied = { callback: { result: '不满意' as const, substantive: true, at } };

// Every allowed (status, event, actor) with the status after it.
const allowed: [TicketStatus, TicketEvent['type'], Actor, TicketStatus, Partial<TicketFlow>?][] = [
  ['accepted', 'closeOnCall', operator, 'closed'],
  ['accepted', 'closeOnCall', lead, 'closed'],
  ['accepted', 'closeOnCall', admin, 'closed'],
  ['accepted', 'dispatch', operator, 'dispatched'],
  ['accepted', 'dispatch', lead, 'dispatched'],
  ['accepted', 'dispatch', admin, 'dispatched'],
  ['returned', 'dispatch', operator, 'dispatched'],
  ['returned', 'dispatch', lead, 'dispatched'],
  ['returned', 'dispatch', admin, 'dispatched'],
  ['dispatched', 'sign', housing, 'processing'],
  ['dispatched', 'sendBack', housing, 'returned'],
  ['processing', 'sendBack', housing, 'returned'],
  ['supervising', 'sendBack', housing, 'returned'],
  ['processing', 'requestExtension', housing, 'processing'],
  ['supervising', 'requestExtension', housing, 'supervising'],
  ['processing', 'approveExtension', lead, 'processing', pending],
  ['supervising', 'approveExtension', admin, 'supervising', pending],
  ['processing', 'rejectExtension', lead, 'processing', pending],
  ['supervising', 'rejectExtension', admin, 'supervising', pending],
  ['processing', 'reply', housing, 'replied'],
  ['supervising', 'reply', housing, 'replied'],
  ['dispatched', 'supervise', lead, 'supervising'],
  ['processing', 'supervise', lead, 'supervising'],
  ['replied', 'supervise', admin, 'supervising'],
  ['replied', 'close', operator, 'closed'],
  ['replied', 'close', lead, 'closed'],
  ['replied', 'close', admin, 'closed'],
  ['closed', 'recordCallback', admin, 'visited'],
  ['processing', 'rejectExtension', admin, 'processing', pending],
  ['supervising', 'approveExtension', lead, 'supervising', pending],
  ['replied', 'supervise', lead, 'supervising'],
  ['dispatched', 'supervise', admin, 'supervising'],
  ['closed', 'recordCallback', operator, 'visited'],
  ['closed', 'recordCallback', lead, 'visited'],
  ['visited', 'rework', lead, 'dispatched', dissatisfied],
  ['visited', 'rework', admin, 'dispatched', dissatisfied],
  ['visited', 'rate', lead, 'rated'],
  ['visited', 'rate', admin, 'rated'],
];

describe('every allowed step', () => {
  it.each(allowed)('%s --%s by %o--> %s', (from, type, actor, to, extra) => {
    const before = ticketIn(from, extra);
    const frozen = structuredClone(before);
    const r = transition(before, events[type], actor);
    expect(r).toMatchObject({ ok: true, next: { status: to } });
    expect(before).toEqual(frozen); // input untouched
    expect(availableEvents(before, actor)).toContain(type);
  });

  it('the table covers every rule, role and source status', () => {
    for (const type of TICKET_EVENT_TYPES) {
      for (const from of WORKFLOW_RULES[type].from) {
        expect(allowed.some(([f, t]) => f === from && t === type), `${from} ${type}`).toBe(true);
      }
      for (const role of WORKFLOW_RULES[type].roles) {
        expect(allowed.some(([, t, a]) => t === type && a.role === role), `${type} by ${role}`).toBe(true);
      }
    }
  });
});

// A representative set of forbidden steps, each with its machine reason.
const forbidden: [string, TicketFlow, TicketEvent['type'], Actor, string][] = [
  ['a unit cannot close a ticket on the call', ticketIn('accepted'), 'closeOnCall', housing, 'forbidden_role'],
  ['an operator cannot sign for a unit', ticketIn('dispatched'), 'sign', operator, 'forbidden_role'],
  ['an operator cannot reply for a unit', ticketIn('processing'), 'reply', operator, 'forbidden_role'],
  ['an operator cannot supervise', ticketIn('processing'), 'supervise', operator, 'forbidden_role'],
  ['an operator cannot approve an extension', ticketIn('processing', pending), 'approveExtension', operator, 'forbidden_role'],
  ['a unit cannot approve its own extension', ticketIn('processing', pending), 'approveExtension', housing, 'forbidden_role'],
  ['an operator cannot order rework', ticketIn('visited', dissatisfied), 'rework', operator, 'forbidden_role'],
  ['an admin does not act as a unit', ticketIn('dispatched'), 'sign', admin, 'forbidden_role'],
  ['another unit cannot sign for it', ticketIn('dispatched'), 'sign', otherUnit, 'not_assigned_unit'],
  ['another unit cannot send it back', ticketIn('processing'), 'sendBack', otherUnit, 'not_assigned_unit'],
  ['a unit user without a unit cannot act', ticketIn('dispatched'), 'sign', { role: 'unit', id: 'u-0' }, 'not_assigned_unit'],
  ['a closed ticket cannot be dispatched', ticketIn('closed'), 'dispatch', operator, 'invalid_transition'],
  ['a dispatched ticket cannot be closed on the call', ticketIn('dispatched'), 'closeOnCall', operator, 'invalid_transition'],
  ['a unit must sign before it replies', ticketIn('dispatched'), 'reply', housing, 'invalid_transition'],
  ['the center cannot close before the unit replied', ticketIn('processing'), 'close', operator, 'invalid_transition'],
  ['no callback before closing', ticketIn('replied'), 'recordCallback', operator, 'invalid_transition'],
  ['no rating before the callback', ticketIn('closed'), 'rate', lead, 'invalid_transition'],
  ['a rated ticket is final', ticketIn('rated'), 'rework', lead, 'invalid_transition'],
  ['a returned ticket cannot be signed', ticketIn('returned'), 'sign', housing, 'invalid_transition'],
  ['no rework after a satisfied callback', ticketIn('visited', { callback: { result: '满意', substantive: false, at } }), 'rework', lead, 'rework_not_allowed'],
  ['no rework when dissatisfied for no substantive reason', ticketIn('visited', { callback: { result: '不满意', substantive: false, at } }), 'rework', lead, 'rework_not_allowed'],
  ['only one pending extension at a time', ticketIn('processing', pending), 'requestExtension', housing, 'extension_pending'],
  ['nothing to approve', ticketIn('processing'), 'approveExtension', lead, 'no_extension_pending'],
  ['nothing to reject', ticketIn('processing'), 'rejectExtension', lead, 'no_extension_pending'],
];

describe('forbidden steps', () => {
  it.each(forbidden)('%s', (_story, ticket, type, actor, reason) => {
    const r = transition(ticket, events[type], actor);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('says in Chinese what is wrong', () => {
    expect(transition(ticketIn('closed'), events.dispatch, operator)).toEqual({ ok: false, reason: 'invalid_transition', message: '工单当前状态为“已办结”，不能派单' });
    expect(transition(ticketIn('dispatched'), events.sign, operator)).toEqual({ ok: false, reason: 'forbidden_role', message: '话务员不能执行“签收”' });
  });

  it('every status/event pair outside the rules is refused', () => {
    for (const status of TICKET_STATUSES) {
      for (const type of TICKET_EVENT_TYPES) {
        if (WORKFLOW_RULES[type].from.includes(status)) continue;
        for (const actor of [operator, lead, admin, housing]) {
          expect(transition(ticketIn(status, { ...pending, ...dissatisfied }), events[type], actor)).toMatchObject({ ok: false, reason: 'invalid_transition' });
        }
      }
    }
  });
});

describe('the details of each step', () => {
  it('直接办结 needs the answer given on the call', () => {
    expect(transition(ticketIn('accepted'), { ...events.closeOnCall, answer: '  ' } as TicketEvent, operator)).toMatchObject({ ok: false, reason: 'missing_text' });
    const r = transition(ticketIn('accepted'), events.closeOnCall, operator);
    expect(r.ok && r.next.answer).toBe('已告知公积金提取所需材料。');
    expect(r.ok && r.next.closedAt).toEqual(at);
  });

  it('派单 needs a unit and a due time after now', () => {
    expect(transition(ticketIn('accepted'), { ...events.dispatch, unitId: '' } as TicketEvent, operator)).toMatchObject({ reason: 'missing_unit' });
    expect(transition(ticketIn('accepted'), { ...events.dispatch, dueAt: at } as TicketEvent, operator)).toMatchObject({ reason: 'due_not_after_event' });
    const r = transition(ticketIn('accepted'), { ...events.dispatch, provisional: true } as TicketEvent, operator);
    expect(r).toMatchObject({ ok: true, next: { assignedUnitId: 'unit-zjj', dueAt: due, dueProvisional: true } });
  });

  it('退回 takes the ticket away from the unit and keeps its reason for the re-dispatch', () => {
    const r = transition(ticketIn('processing'), events.sendBack, housing);
    expect(r).toMatchObject({ ok: true, next: { status: 'returned', assignedUnitId: null, dueAt: null, returnReason: '该小区物业不属本单位监管，应派街道。' } });
    expect(transition(ticketIn('processing'), { ...events.sendBack, reason: '' } as TicketEvent, housing)).toMatchObject({ reason: 'missing_text' });
  });

  it('延期 is asked before the deadline, for a later time, and granted by a lead', () => {
    const late = { ...events.requestExtension, at: bj('2026-03-16T18:00:00') } as TicketEvent;
    expect(transition(ticketIn('processing'), late, housing)).toMatchObject({ reason: 'extension_too_late' });
    const shorter = { ...events.requestExtension, until: bj('2026-03-15T18:00:00') } as TicketEvent;
    expect(transition(ticketIn('processing'), shorter, housing)).toMatchObject({ reason: 'extension_not_later' });

    const asked = transition(ticketIn('processing'), events.requestExtension, housing);
    expect(asked.ok).toBe(true);
    if (!asked.ok) return;
    expect(asked.next.dueAt).toEqual(due); // not yet changed
    const granted = transition(asked.next, events.approveExtension, lead);
    expect(granted).toMatchObject({ ok: true, next: { dueAt: bj('2026-03-23T18:00:00'), extension: null } });
    const refused = transition(asked.next, events.rejectExtension, lead);
    expect(refused).toMatchObject({ ok: true, next: { dueAt: due, extension: null } });
  });

  it('督办 counts, and the unit replies again', () => {
    const s = transition(ticketIn('replied', { reply: '已处理' }), events.supervise, lead);
    expect(s).toMatchObject({ ok: true, next: { status: 'supervising', supervisionCount: 1 } });
    if (!s.ok) return;
    expect(transition(s.next, events.reply, housing)).toMatchObject({ ok: true, next: { status: 'replied', reply: '已约谈物业公司，电梯已于3月12日修复。' } });
    expect(transition(ticketIn('processing'), { ...events.supervise, note: '' } as TicketEvent, lead)).toMatchObject({ reason: 'missing_text' });
  });

  it('不满意 without a substantive reason is recorded but does not open rework', () => {
    const r = transition(ticketIn('closed'), { type: 'recordCallback', at, result: '满意', substantive: true }, operator);
    expect(r).toMatchObject({ ok: true, next: { callback: { result: '满意', substantive: false } } });
  });

  it('重办 goes back to the same unit by default, with a new deadline, and counts', () => {
    const r = transition(ticketIn('visited', { ...dissatisfied, reply: '已处理', closedAt: at }), events.rework, lead);
    expect(r).toMatchObject({ ok: true, next: { status: 'dispatched', assignedUnitId: 'unit-zjj', reworkCount: 1, reply: null, callback: null, closedAt: null } });
  });

  it('重办 of a case answered on the call needs a unit', () => {
    const onCall = { ...ticketIn('visited', dissatisfied), assignedUnitId: null };
    expect(transition(onCall, events.rework, lead)).toMatchObject({ ok: false, reason: 'missing_unit' });
    expect(transition(onCall, { ...events.rework, unitId: 'unit-jd-01' } as TicketEvent, lead)).toMatchObject({ ok: true, next: { assignedUnitId: 'unit-jd-01' } });
  });

  it('评价 is a score from 1 to 5', () => {
    expect(transition(ticketIn('visited'), { type: 'rate', at, score: 6 as 5 }, lead)).toMatchObject({ reason: 'invalid_score' });
  });

  it('knows which statuses are still open', () => {
    expect(TICKET_STATUSES.filter(isOpenStatus)).toEqual(['accepted', 'dispatched', 'processing', 'replied', 'supervising', 'returned']);
  });
});

describe('the whole loop, as the center lives it', () => {
  it('accepted → dispatched → sent back → re-dispatched → signed → supervised → replied → closed → called back → reworked → … → rated', () => {
    const street: Actor = { role: 'unit', id: 'u-41', unitId: 'unit-jd-01' };
    const steps: [TicketEvent, Actor][] = [
      [events.dispatch, operator],
      [events.sendBack, housing],
      [{ ...events.dispatch, unitId: 'unit-jd-01' } as TicketEvent, lead],
      [events.sign, street],
      [events.supervise, lead],
      [events.reply, street],
      [events.close, operator],
      [{ type: 'recordCallback', at, result: '不满意', substantive: true, note: '电梯仍未修好' }, operator],
      [events.rework, lead],
      [events.sign, street],
      [events.reply, street],
      [events.close, operator],
      [{ type: 'recordCallback', at, result: '满意' }, operator],
      [events.rate, lead],
    ];
    let t: TicketFlow = initialFlow();
    const trail: TicketStatus[] = [t.status];
    for (const [event, actor] of steps) {
      const r = transition(t, event, actor);
      if (!r.ok) throw new Error(`${event.type}: ${r.message}`);
      t = r.next;
      trail.push(t.status);
    }
    expect(trail).toEqual([
      'accepted', 'dispatched', 'returned', 'dispatched', 'processing', 'supervising', 'replied', 'closed', 'visited',
      'dispatched', 'processing', 'replied', 'closed', 'visited', 'rated',
    ]);
    expect(t).toMatchObject({ reworkCount: 1, supervisionCount: 1, score: 5, assignedUnitId: 'unit-jd-01' });
  });
});

describe('events arriving from another console', () => {
  it('parse from JSON, instants and all, and drive the same transition', () => {
    const wire = JSON.parse(JSON.stringify({ type: 'dispatch', at: '2026-03-09T10:00:00+08:00', unitId: 'unit-zjj', dueAt: '2026-03-16T18:00:00+08:00' }));
    const event = TicketEventSchema.parse(wire);
    expect(event.at).toEqual(at);
    expect(transition(initialFlow(), event, operator)).toMatchObject({ ok: true, next: { status: 'dispatched', dueAt: due } });
  });

  it('are refused with a Chinese message when malformed', () => {
    expect(TicketEventSchema.safeParse({ type: 'explode', at: '2026-03-09T10:00:00+08:00' }).error?.issues[0]?.message).toBe('未知的工单操作');
    expect(TicketEventSchema.safeParse({ type: 'sendBack', at: '2026-03-09T10:00:00+08:00', reason: ' ' }).error?.issues[0]?.message).toBe('退回须说明理由（如：不属于本单位职责）');
    expect(TicketEventSchema.safeParse({ type: 'sign', at: 'yesterday' }).error?.issues[0]?.message).toBe('操作时间格式不正确');
  });
});
