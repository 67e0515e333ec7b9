import { z } from 'zod';
import { ArticleInput } from './kb';
import { CallbackResult, TicketEventSchema, TicketStatus, type TicketFlow } from './ticket/workflow';

/**
 * Sync protocol: changes down. The server keeps a change log with a
 * monotonic version; a console pulls "everything in my scope since N" in
 * pages. Every change carries the whole new state of one entity, so applying
 * a change twice, or skipping an older change of the same entity, is harmless.
 */

export const MAX_PULL_LIMIT = 1000;
export const DEFAULT_PULL_LIMIT = 500;

const Iso = z.iso.datetime({ offset: true });

/** TicketFlow (src/shared/ticket/workflow.ts) with instants as ISO strings. */
export const WireTicketFlow = z.object({
  status: TicketStatus,
  assignedUnitId: z.string().nullable(),
  dueAt: Iso.nullable(),
  dueProvisional: z.boolean(),
  extension: z.object({ until: Iso, reason: z.string(), requestedAt: Iso }).nullable(),
  answer: z.string().nullable(),
  reply: z.string().nullable(),
  returnReason: z.string().nullable(),
  callback: z.object({ result: CallbackResult, substantive: z.boolean(), at: Iso }).nullable(),
  score: z.number().nullable(),
  closedAt: Iso.nullable(),
  supervisionCount: z.number().int(),
  reworkCount: z.number().int(),
});
export type WireTicketFlow = z.infer<typeof WireTicketFlow>;

const iso = (v: Date | null): string | null => (v === null ? null : v.toISOString());

/** A TicketFlow as it travels (instants as ISO strings). */
export function flowToWire(f: TicketFlow): WireTicketFlow {
  return {
    status: f.status,
    assignedUnitId: f.assignedUnitId,
    dueAt: iso(f.dueAt),
    dueProvisional: f.dueProvisional,
    extension: f.extension ? { until: iso(f.extension.until)!, reason: f.extension.reason, requestedAt: iso(f.extension.requestedAt)! } : null,
    answer: f.answer,
    reply: f.reply,
    returnReason: f.returnReason,
    callback: f.callback ? { result: f.callback.result, substantive: f.callback.substantive, at: iso(f.callback.at)! } : null,
    score: f.score,
    closedAt: iso(f.closedAt),
    supervisionCount: f.supervisionCount,
    reworkCount: f.reworkCount,
  };
}

/** A TicketFlow from the wire. */
export function flowFromWire(w: WireTicketFlow): TicketFlow {
  const d = (s: string | null) => (s === null ? null : new Date(s));
  return {
    status: w.status,
    assignedUnitId: w.assignedUnitId,
    dueAt: d(w.dueAt),
    dueProvisional: w.dueProvisional,
    extension: w.extension ? { until: new Date(w.extension.until), reason: w.extension.reason, requestedAt: new Date(w.extension.requestedAt) } : null,
    answer: w.answer,
    reply: w.reply,
    returnReason: w.returnReason,
    callback: w.callback ? { result: w.callback.result, substantive: w.callback.substantive, at: new Date(w.callback.at) } : null,
    score: w.score,
    closedAt: d(w.closedAt),
    supervisionCount: w.supervisionCount,
    reworkCount: w.reworkCount,
  };
}


export const WireTicketEvent = z.object({
  at: Iso,
  actorId: z.string().nullable(),
  type: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type WireTicketEvent = z.infer<typeof WireTicketEvent>;

/** A ticket as the server has it now: its columns, its workflow state and its whole history. */
export const TicketSnapshot = z.object({
  id: z.string(),
  number: z.string(),
  acceptedAt: Iso,
  acceptedBy: z.string(),
  callerNumber: z.string().nullable(),
  callbackPhone: z.string().nullable(),
  requestType: z.string(),
  categoryId: z.string(),
  divisionCode: z.string(),
  address: z.string().nullable(),
  description: z.string(),
  urgency: z.string().nullable(),
  flow: WireTicketFlow,
  events: z.array(WireTicketEvent),
  updatedAt: Iso,
});
export type TicketSnapshot = z.infer<typeof TicketSnapshot>;

/** A published (or retired) article as the server distributes it. */
export const KbArticleSnapshot = z.object({
  sourceId: z.string(),
  version: z.number().int().positive(),
  article: z.unknown(), // ArticleInput; parsed by the console's KnowledgeBase
});
export type KbArticleSnapshot = z.infer<typeof KbArticleSnapshot>;

export const SyncChange = z.discriminatedUnion('entity', [
  z.object({ version: z.number().int().positive(), entity: z.literal('ticket'), entityId: z.string(), op: z.literal('put'), payload: TicketSnapshot }),
  z.object({ version: z.number().int().positive(), entity: z.literal('kb_article'), entityId: z.string(), op: z.literal('put'), payload: KbArticleSnapshot }),
  /** The reference data has a new version: fetch it whole from GET /api/reference. */
  z.object({ version: z.number().int().positive(), entity: z.literal('reference'), entityId: z.string(), op: z.literal('put'), payload: z.object({ version: z.number().int() }) }),
]);
export type SyncChange = z.infer<typeof SyncChange>;

export const PullResponse = z.object({
  changes: z.array(SyncChange),
  /** Pull from here next: the last change's version when `more`, else the server's head. */
  nextVersion: z.number().int().nonnegative(),
  more: z.boolean(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/** A message on the poke WebSocket: something at `version` was committed; pull. */
export const PokeMessage = z.object({ type: z.literal('poke'), version: z.number().int().nonnegative() });
export type PokeMessage = z.infer<typeof PokeMessage>;

// ---------------------------------------------------------------------------
// Mutations that change an existing ticket
// ---------------------------------------------------------------------------

/** `changeTicket`: one workflow event (督办, 办结, 回访, 派单…) on a ticket, decided by the shared `transition`. */
export const ChangeTicketArgs = z.object({
  ticketId: z.uuid({ error: '工单ID应为UUID' }),
  event: TicketEventSchema,
});
export type ChangeTicketArgs = z.infer<typeof ChangeTicketArgs>;
export type ChangeTicketWire = z.input<typeof ChangeTicketArgs>;

/** `addTicketNote`: a note appended to a ticket's history; notes never collide. */
export const AddTicketNoteArgs = z.object({
  ticketId: z.uuid({ error: '工单ID应为UUID' }),
  at: Iso,
  text: z.string().trim().min(1, { error: '备注内容不能为空' }).max(2000, { error: '备注不能超过2000字' }),
});
export type AddTicketNoteArgs = z.infer<typeof AddTicketNoteArgs>;

/** Publish or edit articles (lead/admin). */
export const PublishArticlesRequest = z.object({ articles: z.array(ArticleInput).min(1).max(MAX_PULL_LIMIT) });
