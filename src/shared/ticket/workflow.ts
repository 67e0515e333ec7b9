/**
 * The ticket's closed loop (闭环): 受理 → 派单 → 办理 → 答复 → (督办) → 办结 →
 * 回访 → 评价, with 直接办结 on the call, 退回 by a unit that got the wrong
 * ticket, 延期 asked by the unit and granted by a lead, and 重办 after a
 * substantive 不满意 at callback. One pure `transition` decides every step
 * for the console (optimistically) and the server (authoritatively), so both
 * refuse the same things with the same reason.
 *
 *   accepted ──closeOnCall──────────────────────────────► closed
 *   accepted/returned ──dispatch──► dispatched ──sign──► processing ──reply──► replied ──close──► closed
 *   dispatched/processing/supervising ──sendBack──► returned
 *   dispatched/processing/replied ──supervise──► supervising ──reply──► replied
 *   processing/supervising: requestExtension, approveExtension, rejectExtension (status unchanged)
 *   closed ──recordCallback──► visited ──rate──► rated
 *   visited (不满意, substantive) ──rework──► dispatched
 */
import { z } from 'zod';

export const TICKET_STATUSES = ['accepted', 'dispatched', 'processing', 'replied', 'supervising', 'returned', 'closed', 'visited', 'rated'] as const;
export const TicketStatus = z.enum(TICKET_STATUSES, { error: '未知的工单状态' });
export type TicketStatus = z.infer<typeof TicketStatus>;

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  accepted: '已受理',
  dispatched: '已派单',
  processing: '办理中',
  replied: '已答复',
  supervising: '督办中',
  returned: '已退回',
  closed: '已办结',
  visited: '已回访',
  rated: '已评价',
};

/** Statuses in which the center still owes the caller a result. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['accepted', 'dispatched', 'processing', 'replied', 'supervising', 'returned'];
export function isOpenStatus(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export const ACTOR_ROLES = ['operator', 'lead', 'unit', 'admin'] as const;
export const ActorRole = z.enum(ACTOR_ROLES);
export type ActorRole = z.infer<typeof ActorRole>;
export const ACTOR_ROLE_LABELS: Record<ActorRole, string> = { operator: '话务员', lead: '班长', unit: '承办单位', admin: '管理员' };

/** Who acts. A unit user carries the id of the linkage unit they work for. */
export interface Actor {
  role: ActorRole;
  id: string;
  unitId?: string;
}

export const CALLBACK_RESULTS = ['满意', '基本满意', '不满意'] as const;
export const CallbackResult = z.enum(CALLBACK_RESULTS, { error: '请选择回访结果（满意、基本满意、不满意）' });
export type CallbackResult = z.infer<typeof CallbackResult>;

export const TICKET_EVENT_TYPES = [
  'closeOnCall',
  'dispatch',
  'sign',
  'sendBack',
  'requestExtension',
  'approveExtension',
  'rejectExtension',
  'reply',
  'supervise',
  'close',
  'recordCallback',
  'rework',
  'rate',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export const TICKET_EVENT_LABELS: Record<TicketEventType, string> = {
  closeOnCall: '直接办结',
  dispatch: '派单',
  sign: '签收',
  sendBack: '退回',
  requestExtension: '延期申请',
  approveExtension: '批准延期',
  rejectExtension: '驳回延期',
  reply: '答复',
  supervise: '督办',
  close: '办结',
  recordCallback: '回访',
  rework: '重办',
  rate: '评价',
};

/** Every event happens at an instant (`at`), which some rules check against the deadline. */
export type TicketEvent =
  | { type: 'closeOnCall'; at: Date; answer: string }
  | { type: 'dispatch'; at: Date; unitId: string; dueAt: Date; provisional?: boolean }
  | { type: 'sign'; at: Date }
  | { type: 'sendBack'; at: Date; reason: string }
  | { type: 'requestExtension'; at: Date; until: Date; reason: string }
  | { type: 'approveExtension'; at: Date }
  | { type: 'rejectExtension'; at: Date; reason: string }
  | { type: 'reply'; at: Date; text: string }
  | { type: 'supervise'; at: Date; note: string }
  | { type: 'close'; at: Date }
  | { type: 'recordCallback'; at: Date; result: CallbackResult; substantive?: boolean; note?: string }
  | { type: 'rework'; at: Date; dueAt: Date; unitId?: string; provisional?: boolean }
  /** The center's evaluation of how the case was handled (1–5), counted in the unit's yearly assessment. */
  | { type: 'rate'; at: Date; score: 1 | 2 | 3 | 4 | 5 };

/** The part of a ticket the workflow reads and writes. */
export interface TicketFlow {
  status: TicketStatus;
  /** The linkage unit holding the ticket (kept after closing, for assessment). */
  assignedUnitId: string | null;
  dueAt: Date | null;
  dueProvisional: boolean;
  extension: { until: Date; reason: string; requestedAt: Date } | null;
  answer: string | null;
  reply: string | null;
  returnReason: string | null;
  callback: { result: CallbackResult; substantive: boolean; at: Date } | null;
  score: number | null;
  closedAt: Date | null;
  supervisionCount: number;
  reworkCount: number;
}

/** A freshly accepted ticket's workflow part. */
export function initialFlow(): TicketFlow {
  return {
    status: 'accepted',
    assignedUnitId: null,
    dueAt: null,
    dueProvisional: false,
    extension: null,
    answer: null,
    reply: null,
    returnReason: null,
    callback: null,
    score: null,
    closedAt: null,
    supervisionCount: 0,
    reworkCount: 0,
  };
}

export type TransitionRefusal =
  | 'invalid_transition'
  | 'forbidden_role'
  | 'not_assigned_unit'
  | 'missing_text'
  | 'missing_unit'
  | 'due_not_after_event'
  | 'extension_pending'
  | 'no_extension_pending'
  | 'extension_too_late'
  | 'extension_not_later'
  | 'rework_not_allowed'
  | 'invalid_score';

export type TransitionResult<T> = { ok: true; next: T } | { ok: false; reason: TransitionRefusal; message: string };

interface Rule {
  from: readonly TicketStatus[];
  /** undefined: status stays as it is. */
  to?: TicketStatus;
  roles: readonly ActorRole[];
}

const CENTER: readonly ActorRole[] = ['operator', 'lead', 'admin'];
const LEADS: readonly ActorRole[] = ['lead', 'admin'];
const UNIT: readonly ActorRole[] = ['unit'];

/**
 * Who may do what from where. Admins may do what leads may (to correct
 * data), never a unit's part; a unit acts only on tickets assigned to it.
 */
export const WORKFLOW_RULES: Readonly<Record<TicketEventType, Rule>> = {
  closeOnCall: { from: ['accepted'], to: 'closed', roles: CENTER },
  dispatch: { from: ['accepted', 'returned'], to: 'dispatched', roles: CENTER },
  sign: { from: ['dispatched'], to: 'processing', roles: UNIT },
  sendBack: { from: ['dispatched', 'processing', 'supervising'], to: 'returned', roles: UNIT },
  requestExtension: { from: ['processing', 'supervising'], roles: UNIT },
  approveExtension: { from: ['processing', 'supervising'], roles: LEADS },
  rejectExtension: { from: ['processing', 'supervising'], roles: LEADS },
  reply: { from: ['processing', 'supervising'], to: 'replied', roles: UNIT },
  supervise: { from: ['dispatched', 'processing', 'replied'], to: 'supervising', roles: LEADS },
  close: { from: ['replied'], to: 'closed', roles: CENTER },
  recordCallback: { from: ['closed'], to: 'visited', roles: CENTER },
  rework: { from: ['visited'], to: 'dispatched', roles: LEADS },
  rate: { from: ['visited'], to: 'rated', roles: LEADS },
};

function refuse<T>(reason: TransitionRefusal, message: string): TransitionResult<T> {
  return { ok: false, reason, message };
}

function blank(s: string | undefined | null): boolean {
  return !s || s.trim() === '';
}

/** Events this actor may try on this ticket now (for buttons in the UI). */
export function availableEvents(ticket: TicketFlow, actor: Actor): TicketEventType[] {
  return TICKET_EVENT_TYPES.filter((type) => {
    const rule = WORKFLOW_RULES[type];
    if (!rule.from.includes(ticket.status) || !rule.roles.includes(actor.role)) return false;
    if (actor.role === 'unit' && (!actor.unitId || actor.unitId !== ticket.assignedUnitId)) return false;
    if (type === 'requestExtension') return ticket.extension === null;
    if (type === 'approveExtension' || type === 'rejectExtension') return ticket.extension !== null;
    if (type === 'rework') return ticket.callback?.result === '不满意' && ticket.callback.substantive;
    return true;
  });
}

/** Apply one event to a ticket, or say in Chinese why not. Never mutates its input. */
export function transition<T extends TicketFlow>(ticket: T, event: TicketEvent, actor: Actor): TransitionResult<T> {
  const rule = WORKFLOW_RULES[event.type];
  const label = TICKET_EVENT_LABELS[event.type];
  if (!rule) return refuse('invalid_transition', '未知的操作');
  if (!rule.from.includes(ticket.status)) {
    return refuse('invalid_transition', `工单当前状态为“${TICKET_STATUS_LABELS[ticket.status]}”，不能${label}`);
  }
  if (!rule.roles.includes(actor.role)) {
    return refuse('forbidden_role', `${ACTOR_ROLE_LABELS[actor.role]}不能执行“${label}”`);
  }
  if (actor.role === 'unit' && (!actor.unitId || actor.unitId !== ticket.assignedUnitId)) {
    return refuse('not_assigned_unit', '该工单未派给你的单位，不能操作');
  }

  const next: T = { ...ticket, status: rule.to ?? ticket.status };
  switch (event.type) {
    case 'closeOnCall':
      if (blank(event.answer)) return refuse('missing_text', '直接办结须填写答复内容');
      return { ok: true, next: { ...next, answer: event.answer.trim(), closedAt: event.at } };

    case 'dispatch':
      if (blank(event.unitId)) return refuse('missing_unit', '请选择承办单位');
      if (event.dueAt.getTime() <= event.at.getTime()) return refuse('due_not_after_event', '办理时限须晚于派单时间');
      return {
        ok: true,
        next: { ...next, assignedUnitId: event.unitId, dueAt: event.dueAt, dueProvisional: event.provisional ?? false, returnReason: null, extension: null },
      };

    case 'sign':
      return { ok: true, next };

    case 'sendBack':
      if (blank(event.reason)) return refuse('missing_text', '退回须说明理由（如：不属于本单位职责）');
      // The unit that sent it back no longer holds it; the center re-dispatches.
      return { ok: true, next: { ...next, returnReason: event.reason.trim(), assignedUnitId: null, dueAt: null, dueProvisional: false, extension: null } };

    case 'requestExtension':
      if (ticket.extension) return refuse('extension_pending', '已有一条待审批的延期申请');
      if (blank(event.reason)) return refuse('missing_text', '延期申请须说明理由');
      if (ticket.dueAt && event.at.getTime() >= ticket.dueAt.getTime()) return refuse('extension_too_late', '已超过办理时限，不能再申请延期');
      if (ticket.dueAt && event.until.getTime() <= ticket.dueAt.getTime()) return refuse('extension_not_later', '申请的新时限须晚于原办理时限');
      return { ok: true, next: { ...next, extension: { until: event.until, reason: event.reason.trim(), requestedAt: event.at } } };

    case 'approveExtension':
      if (!ticket.extension) return refuse('no_extension_pending', '没有待审批的延期申请');
      return { ok: true, next: { ...next, dueAt: ticket.extension.until, dueProvisional: false, extension: null } };

    case 'rejectExtension':
      if (!ticket.extension) return refuse('no_extension_pending', '没有待审批的延期申请');
      if (blank(event.reason)) return refuse('missing_text', '驳回延期须说明理由');
      return { ok: true, next: { ...next, extension: null } };

    case 'reply':
      if (blank(event.text)) return refuse('missing_text', '答复内容不能为空');
      return { ok: true, next: { ...next, reply: event.text.trim(), extension: null } };

    case 'supervise':
      if (blank(event.note)) return refuse('missing_text', '督办须写明督办意见');
      return { ok: true, next: { ...next, supervisionCount: ticket.supervisionCount + 1 } };

    case 'close':
      return { ok: true, next: { ...next, closedAt: event.at } };

    case 'recordCallback':
      return { ok: true, next: { ...next, callback: { result: event.result, substantive: event.result === '不满意' && (event.substantive ?? false), at: event.at } } };

    case 'rework': {
      if (ticket.callback?.result !== '不满意' || !ticket.callback.substantive) {
        return refuse('rework_not_allowed', '只有回访不满意且有实质性理由的工单才能重办');
      }
      const unitId = event.unitId ?? ticket.assignedUnitId;
      if (blank(unitId)) return refuse('missing_unit', '重办须选择承办单位');
      if (event.dueAt.getTime() <= event.at.getTime()) return refuse('due_not_after_event', '办理时限须晚于重办时间');
      return {
        ok: true,
        next: {
          ...next,
          assignedUnitId: unitId,
          dueAt: event.dueAt,
          dueProvisional: event.provisional ?? false,
          reply: null,
          callback: null,
          closedAt: null,
          extension: null,
          reworkCount: ticket.reworkCount + 1,
        },
      };
    }

    case 'rate':
      if (!Number.isInteger(event.score) || event.score < 1 || event.score > 5) return refuse('invalid_score', '评价分数应为1到5');
      return { ok: true, next: { ...next, score: event.score } };
  }
}

// ---------------------------------------------------------------------------
// Events on the wire (sync mutations carry instants as ISO strings)
// ---------------------------------------------------------------------------

const Instant = (message: string) => z.iso.datetime({ offset: true, error: message }).transform((s) => new Date(s));
const Said = (message: string) => z.string({ error: message }).trim().min(1, { error: message }).max(2000, { error: '内容不能超过2000字' });
const At = Instant('操作时间格式不正确');

/** A TicketEvent as JSON; parses to the TicketEvent `transition` takes. */
export const TicketEventSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('closeOnCall'), at: At, answer: Said('直接办结须填写答复内容') }),
    z.object({ type: z.literal('dispatch'), at: At, unitId: Said('请选择承办单位'), dueAt: Instant('办理时限格式不正确'), provisional: z.boolean().optional() }),
    z.object({ type: z.literal('sign'), at: At }),
    z.object({ type: z.literal('sendBack'), at: At, reason: Said('退回须说明理由（如：不属于本单位职责）') }),
    z.object({ type: z.literal('requestExtension'), at: At, until: Instant('申请的时限格式不正确'), reason: Said('延期申请须说明理由') }),
    z.object({ type: z.literal('approveExtension'), at: At }),
    z.object({ type: z.literal('rejectExtension'), at: At, reason: Said('驳回延期须说明理由') }),
    z.object({ type: z.literal('reply'), at: At, text: Said('答复内容不能为空') }),
    z.object({ type: z.literal('supervise'), at: At, note: Said('督办须写明督办意见') }),
    z.object({ type: z.literal('close'), at: At }),
    z.object({ type: z.literal('recordCallback'), at: At, result: CallbackResult, substantive: z.boolean().optional(), note: z.string().max(2000).optional() }),
    z.object({ type: z.literal('rework'), at: At, dueAt: Instant('办理时限格式不正确'), unitId: z.string().min(1).optional(), provisional: z.boolean().optional() }),
    z.object({ type: z.literal('rate'), at: At, score: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)], { error: '评价分数应为1到5' }) }),
  ],
  { error: '未知的工单操作' },
);
