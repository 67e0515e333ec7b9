import { z } from 'zod';
import { DESCRIPTION_MAX } from './ticket/schema';
import { TicketSummary } from './ticket-wire';

/**
 * Repeat calls (重复来电) and ticket search on the server.
 *
 * A repeat caller about a matter that already has an open ticket is not filed
 * again: the call is appended to that ticket's history as a `repeatCall`
 * event (who took it, when, from which number, what the caller said), and
 * the workflow status stays as it is.
 */

/** The event type a merged repeat call has in a ticket's history. */
export const REPEAT_CALL_EVENT = 'repeatCall';
export const REPEAT_CALL_LABEL = '重复来电';

/** `mergeRepeatCall`: the mutation that appends a repeat call to an open ticket. */
export const MergeRepeatCallArgs = z.object({
  ticketId: z.uuid({ error: '工单ID应为UUID' }),
  at: z.iso.datetime({ offset: true }),
  /** The call being merged (the draft's call), when the draft was bound to one. */
  callId: z.string().max(128).nullable(),
  /** The number that called (normalized when it could be read). */
  callerNumber: z.string().max(64).nullable(),
  /** What the caller said this time: the draft's description. */
  description: z
    .string()
    .trim()
    .min(1, { error: '请填写来电人本次反映的内容' })
    .max(DESCRIPTION_MAX, { error: `反映内容不能超过${DESCRIPTION_MAX}字` }),
});
export type MergeRepeatCallArgs = z.infer<typeof MergeRepeatCallArgs>;

/** What the server tells the console after a merge. */
export const MergeRepeatCallResult = z.object({ number: z.string(), status: z.string(), repeatCalls: z.number().int() });
export type MergeRepeatCallResult = z.infer<typeof MergeRepeatCallResult>;

export const TICKET_SEARCH_MAX = 200;

/** How a search text was read: a whole ticket number, the tail of one, a phone number, or words. */
export const TicketSearchKind = z.enum(['number', 'number_tail', 'phone', 'text']);
export type TicketSearchKind = z.infer<typeof TicketSearchKind>;

/** GET /api/tickets/search?q=&limit= — phone searches are written to the audit log. */
export const TicketSearchResponse = z.object({
  kind: TicketSearchKind,
  tickets: z.array(TicketSummary),
});
export type TicketSearchResponse = z.infer<typeof TicketSearchResponse>;

/** How a search text is to be read; the console and the server read it the same way. */
export function classifySearch(q: string, normalizePhone: (s: string) => string | null): { kind: TicketSearchKind; value: string } {
  const text = q.trim();
  const compact = text.replace(/\s+/g, '');
  if (/^12345-\d{8}-\d{6}$/.test(compact)) return { kind: 'number', value: compact };
  const phone = normalizePhone(text);
  if (phone) return { kind: 'phone', value: phone };
  if (/^\d{3,6}$/.test(compact)) return { kind: 'number_tail', value: compact.padStart(6, '0') };
  return { kind: 'text', value: text };
}
