/**
 * What a ticket (工单) is, as zod schemas both sides validate with: the draft
 * the operator fills during the call, and the stored ticket. Every field has
 * a Chinese message, and `fieldErrors` maps a failed parse to field paths, so
 * the form can show each message under its field.
 *
 * Ticket number: `12345-YYYYMMDD-NNNNNN`, the hotline, the center-time date
 * of acceptance, and a 6-digit sequence within that day (up to 999,999 a
 * day; a large city takes about 10,000). The sequence is issued by the
 * server, so a ticket filed offline has its UUID at once and its number at
 * the first sync.
 */
import { z } from 'zod';
import { CallbackPhone } from './phone';
import { centerDate, isIsoDate, type IsoDate } from './time';
import { RequestType, Urgency } from './vocabulary';
import { TicketStatus } from './workflow';

export const DESCRIPTION_MAX = 2000;
export const ANSWER_MAX = 2000;
export const ADDRESS_MAX = 200;
export const CALLER_NAME_MAX = 30;
export const KB_ARTICLES_MAX = 20;

// ---------------------------------------------------------------------------
// Ticket number
// ---------------------------------------------------------------------------

const TICKET_NUMBER = /^12345-(\d{4})(\d{2})(\d{2})-(\d{6})$/;

/** '12345-20261129-': the day's part of the numbers of tickets accepted on 2026-11-29 center time. */
export function ticketNumberPrefix(acceptedAt: Date): string {
  return `12345-${centerDate(acceptedAt).replaceAll('-', '')}-`;
}

/** '12345-20261129-000123' for the 123rd ticket accepted on 2026-11-29 center time. */
export function formatTicketNumber(acceptedAt: Date, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) throw new RangeError(`ticket sequence out of range: ${sequence}`);
  return ticketNumberPrefix(acceptedAt) + String(sequence).padStart(6, '0');
}

/** The date and sequence of a ticket number, or null if it is not one. */
export function parseTicketNumber(number: string): { date: IsoDate; sequence: number } | null {
  const m = TICKET_NUMBER.exec(number.trim());
  if (!m) return null;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  const sequence = Number(m[4]);
  if (!isIsoDate(date) || sequence < 1) return null;
  return { date, sequence };
}

export const TicketNumber = z
  .string({ error: '请填写工单编号' })
  .refine((s) => parseTicketNumber(s) !== null, { error: '工单编号格式应为 12345-年月日-6位序号，如 12345-20261129-000123' });

// ---------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------

/** GB/T 2260 county code (6 digits), plus town (9) or village (12) of the statistical division code. */
export const DivisionCode = z
  .string({ error: '请选择所属区域' })
  .regex(/^\d{6}(\d{3}){0,2}$/, { error: '行政区划代码应为6、9或12位数字' });

const Text = (what: string, max: number) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, { error: `请填写${what}` })
    .max(max, { error: (iss) => `${what}不能超过${max}字（当前${String((iss.input as string | undefined)?.length ?? '')}字）` });

const Id = (message: string) => z.string({ error: message }).trim().min(1, { error: message }).max(64, { error: '编号过长' });

const IsoInstant = (message: string) => z.iso.datetime({ offset: true, error: message });

export const TicketDeadline = z.object({
  dueAt: IsoInstant('办理时限格式不正确'),
  provisional: z.boolean({ error: '缺少“暂定”标记' }),
  explanation: z.string().max(1000).optional(),
});
export type TicketDeadline = z.infer<typeof TicketDeadline>;

/** 直接办结 (answered on the call) or 派单 (dispatched to a linkage unit). */
export const TicketOutcome = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('closed_on_call'), answer: Text('答复内容', ANSWER_MAX) }),
    z.object({ kind: z.literal('dispatched'), unitId: Id('请选择承办单位'), deadline: TicketDeadline }),
  ],
  { error: '请选择处理方式：直接办结或派单' },
);
export type TicketOutcome = z.infer<typeof TicketOutcome>;

export const OUTCOME_LABELS: Record<TicketOutcome['kind'], string> = { closed_on_call: '直接办结', dispatched: '派单' };

// ---------------------------------------------------------------------------
// Draft and ticket
// ---------------------------------------------------------------------------

const draftShape = {
  /** The call this ticket came from, if any. */
  callId: z.string().max(64).optional(),
  anonymous: z.boolean({ error: '匿名标记应为是或否' }).default(false),
  callerName: z.string({ error: '来电人姓名应为文字' }).trim().max(CALLER_NAME_MAX, { error: `来电人姓名不能超过${CALLER_NAME_MAX}字` }).optional(),
  /** Normalized on parse (see phone.ts). */
  callbackPhone: CallbackPhone.optional(),
  requestType: RequestType,
  categoryId: Id('请选择诉求分类'),
  divisionCode: DivisionCode,
  address: z.string({ error: '地址应为文字' }).trim().max(ADDRESS_MAX, { error: `地址不能超过${ADDRESS_MAX}字` }).optional(),
  description: Text('诉求内容', DESCRIPTION_MAX),
  urgency: Urgency.default('一般'),
  kbArticleIds: z.array(Id('知识库条目编号不能为空'), { error: '知识库条目应为列表' }).max(KB_ARTICLES_MAX, { error: `最多引用${KB_ARTICLES_MAX}条知识` }).default([]),
  outcome: TicketOutcome,
};

type DraftLike = { anonymous?: unknown; callerName?: unknown; callbackPhone?: unknown };

/** A named caller must give a name and a callback phone; an anonymous one need not. */
function callerRules(v: DraftLike, ctx: z.RefinementCtx) {
  if (v.anonymous === true) return;
  if (typeof v.callerName !== 'string' || v.callerName.trim() === '') {
    ctx.addIssue({ code: 'custom', path: ['callerName'], message: '请填写来电人姓名，或勾选“匿名”' });
  }
  if (v.callbackPhone === undefined || v.callbackPhone === '') {
    ctx.addIssue({ code: 'custom', path: ['callbackPhone'], message: '请填写回访电话，或勾选“匿名”' });
  }
}

/** What the operator submits at the end of the call. */
export const TicketDraft = z.object(draftShape).superRefine(callerRules);
export type TicketDraft = z.infer<typeof TicketDraft>;
export type TicketDraftInput = z.input<typeof TicketDraft>;

/** A stored ticket: the draft plus identity, who and when, and where it is in the workflow. */
export const Ticket = z
  .object({
    ...draftShape,
    id: z.uuid({ error: '工单ID应为UUID' }),
    /** Null until the server has issued it (filed offline, not yet synced). */
    number: TicketNumber.nullable(),
    acceptedAt: IsoInstant('受理时间格式不正确'),
    acceptedBy: Id('缺少受理人'),
    status: TicketStatus,
    assignedUnitId: z.string().nullable().default(null),
    dueAt: IsoInstant('办理时限格式不正确').nullable().default(null),
    dueProvisional: z.boolean().default(false),
    supervisionCount: z.number().int().min(0).default(0),
    reworkCount: z.number().int().min(0).default(0),
    updatedAt: IsoInstant('更新时间格式不正确'),
  })
  .superRefine(callerRules);
export type Ticket = z.infer<typeof Ticket>;

// ---------------------------------------------------------------------------
// Errors for the form
// ---------------------------------------------------------------------------

/**
 * One Chinese message per field path ('description', 'outcome.unitId',
 * 'kbArticleIds.2'); the first issue of a path wins. Issues about the whole
 * object are under ''.
 */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

export type DraftCheck = { ok: true; draft: TicketDraft } | { ok: false; errors: Record<string, string> };

/** Validate a draft for the form: the parsed draft, or messages by field. */
export function checkTicketDraft(input: unknown): DraftCheck {
  const r = TicketDraft.safeParse(input);
  return r.success ? { ok: true, draft: r.data } : { ok: false, errors: fieldErrors(r.error) };
}
