/**
 * Host API methods for tickets (工单): reference data, screen pop, drafts,
 * filing, search. Spread into `hostApi` in host-api.ts.
 */
import { z } from 'zod';
import { Empty, method } from './host-api-method';
import { TicketStatus } from './ticket/workflow';
import { ReferenceBundle } from './ticket-wire';

/** The reference data the console files tickets against, and where it came from. */
export const ConsoleReference = z.object({
  bundle: ReferenceBundle,
  /** 'server': synced (possibly while offline, from the cache); 'default': the console has never synced and uses the shipped demo data. */
  source: z.enum(['server', 'default']),
  /** When the cached bundle was last fetched or confirmed current; null for the defaults. */
  syncedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ConsoleReference = z.infer<typeof ConsoleReference>;

/** A ticket as lists show it. Phone numbers are masked unless the viewer needs them (the operator's own tickets in detail). */
export const TicketListItem = z.object({
  id: z.string(),
  number: z.string().nullable(),
  status: TicketStatus,
  acceptedAt: z.iso.datetime({ offset: true }),
  acceptedBy: z.string(),
  requestType: z.string(),
  categoryId: z.string(),
  categoryPath: z.string(),
  description: z.string(),
  divisionCode: z.string(),
  address: z.string().nullable(),
  urgency: z.string().nullable(),
  assignedUnitId: z.string().nullable(),
  assignedUnitName: z.string().nullable(),
  dueAt: z.iso.datetime({ offset: true }).nullable(),
  dueProvisional: z.boolean(),
  /** Masked (138****5678). */
  phoneMasked: z.string().nullable(),
  /** 'local': filed on this console; 'server': seen in a history look-up. */
  origin: z.enum(['local', 'server']),
  /** For tickets filed here: has the server got it? */
  sync: z.enum(['pending', 'sent', 'rejected']).nullable(),
  syncError: z.string().nullable(),
});
export type TicketListItem = z.infer<typeof TicketListItem>;

export const CallerCall = z.object({
  id: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  outcome: z.string(),
  operatorId: z.string(),
});
export type CallerCall = z.infer<typeof CallerCall>;

export const CallerHistory = z.object({
  /** Normalized number, or the digits as given when it cannot be read. */
  phone: z.string(),
  masked: z.string(),
  tickets: z.array(TicketListItem),
  calls: z.array(CallerCall),
  repeat: z.object({
    repeat: z.boolean(),
    reasons: z.array(z.enum(['open_ticket', 'recent_contact'])),
    openTicketIds: z.array(z.string()),
    message: z.string(),
  }),
  /** 'local': from this console's cache only; 'server': the server answered and the cache was updated. */
  source: z.enum(['local', 'server']),
  /** Why the server could not be asked (offline), in Chinese. */
  serverError: z.string().nullable(),
});
export type CallerHistory = z.infer<typeof CallerHistory>;

/** Whatever the form holds, as typed (partial, unvalidated): a draft is never refused for being incomplete. */
export const DraftData = z.record(z.string(), z.unknown());

export const StoredDraft = z.object({
  id: z.string(),
  callId: z.string().nullable(),
  callerNumber: z.string().nullable(),
  data: DraftData,
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type StoredDraft = z.infer<typeof StoredDraft>;

export const TicketEventItem = z.object({
  at: z.iso.datetime({ offset: true }),
  actorId: z.string(),
  type: z.string(),
  label: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type TicketEventItem = z.infer<typeof TicketEventItem>;

export const TicketDetail = z.object({
  ticket: TicketListItem,
  /** The full filed ticket (caller, callback phone in full, outcome), for tickets filed on this console. */
  data: z.record(z.string(), z.unknown()).nullable(),
  events: z.array(TicketEventItem),
});
export type TicketDetail = z.infer<typeof TicketDetail>;

export const DuplicateCandidate = z.object({
  ticket: TicketListItem,
  reason: z.enum(['same_phone', 'same_place']),
  message: z.string(),
  /** Why this console cannot merge the call into it (not in the operator's scope, closed), or null when it can. */
  cannotMerge: z.string().nullable().optional(),
});
export type DuplicateCandidate = z.infer<typeof DuplicateCandidate>;

export const TicketSearchResult = z.object({
  /** Local results first, then what only the server found. */
  items: z.array(TicketListItem.extend({ foundOn: z.enum(['local', 'server']) })),
  /** 'server': the server was asked and answered; 'local': the cache only. */
  source: z.enum(['local', 'server']),
  /** Why the server could not be asked (offline), in Chinese. */
  serverError: z.string().nullable(),
});
export type TicketSearchResult = z.infer<typeof TicketSearchResult>;

const Phone = z.string().trim().min(1).max(64);
const Id = z.string().min(1).max(64);

export const ticketsApi = {
  /** The cached reference bundle (or the defaults); refreshes from the server in the background when due. */
  'tickets.reference': method(z.object({ refresh: z.boolean().default(false) }).strict(), ConsoleReference),
  /** A caller's earlier tickets and calls: `remote: false` answers from the cache at once; `remote: true` asks the server too (audited there). */
  'tickets.callerHistory': method(z.object({ phone: Phone, remote: z.boolean().default(false) }).strict(), CallerHistory),
  /** Save the form as typed; creates the draft when `id` is new. */
  'tickets.saveDraft': method(
    z.object({ id: z.uuid(), callId: Id.nullable().default(null), callerNumber: Phone.nullable().default(null), data: DraftData }).strict(),
    z.object({ id: z.string(), updatedAt: z.string() }),
  ),
  'tickets.drafts': method(Empty, z.array(StoredDraft)),
  'tickets.discardDraft': method(z.object({ id: Id }).strict(), z.object({ ok: z.literal(true) })),
  /**
   * File a ticket: validated with the shared schema, planned with the same
   * dispatch rules the server uses, then written with its events and its
   * outbox entry in one transaction (and the draft removed). Failures:
   * `invalid_input` with a message per field.
   */
  'tickets.create': method(
    z.object({ draftId: Id.nullable().default(null), callerNumber: Phone.nullable().default(null), draft: z.unknown() }).strict(),
    z.object({ id: z.string(), number: z.string().nullable(), status: TicketStatus, ticket: TicketListItem }),
  ),
  'tickets.mine': method(z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(), z.array(TicketListItem)),
  /**
   * By ticket number (whole or its tail), phone number, or words of the
   * description/address: the cache first; with `remote`, the server's
   * results (in the operator's scope) follow the local ones when it answers.
   */
  'tickets.search': method(
    z.object({ q: z.string().trim().min(1).max(100), limit: z.number().int().min(1).max(200).default(50), remote: z.boolean().default(false) }).strict(),
    TicketSearchResult,
  ),
  /**
   * A repeat call (重复来电) about a matter with an open ticket: the draft's
   * description is appended to that ticket's history as a repeat call, the
   * `mergeRepeatCall` intent is queued and the draft removed, in one
   * transaction. Failures: `invalid_input` (with `fields.description` when
   * the description is missing or too long), `not_found`.
   */
  'tickets.mergeDraft': method(z.object({ draftId: z.uuid(), ticketId: Id }).strict(), z.object({ ticket: TicketListItem, events: z.array(TicketEventItem) })),
  'tickets.get': method(z.object({ id: Id }).strict(), TicketDetail),
  /** Open tickets the draft may duplicate: same number, or same category near the same place. */
  'tickets.duplicates': method(
    z
      .object({
        phones: z.array(z.string().max(64)).max(4).default([]),
        categoryId: z.string().max(64).nullable().default(null),
        divisionCode: z.string().max(12).nullable().default(null),
        address: z.string().max(200).nullable().default(null),
      })
      .strict(),
    z.array(DuplicateCandidate),
  ),
} as const;
