/**
 * Repeat callers (重复来电). The same number calling again about a matter
 * already in hand should be merged into the open ticket, not filed again, so
 * while the phone rings the console asks: does this number have an open
 * ticket, or did it contact us within the last days? The host looks the
 * history up (and logs that look-up); this only decides.
 */
import { parsePhone } from './phone';
import { isOpenStatus, type TicketStatus } from './workflow';

/** One earlier contact of a caller: a call, or a ticket filed for them, with that ticket's latest known status. */
export interface CallerContact {
  phone: string;
  at: Date;
  ticketId?: string;
  ticketStatus?: TicketStatus;
}

export interface RepeatOptions {
  /** Window for "recent contact", in days of 24 h counted back from `now`; default 7. */
  withinDays?: number;
  /** Only consider contacts from this number (compared by phone key, so +86/dashes/extension do not matter). Without it, `history` is taken to be this caller's already. */
  phone?: string;
}

export type RepeatReason = 'open_ticket' | 'recent_contact';

export interface RepeatCheck {
  repeat: boolean;
  reasons: RepeatReason[];
  /** Tickets still open for this number, newest contact first: candidates to merge into. */
  openTicketIds: string[];
  /** Contacts within the window, newest first. */
  recentContacts: CallerContact[];
  lastContactAt: Date | null;
  /** For the operator. */
  message: string;
}

export const DEFAULT_REPEAT_WINDOW_DAYS = 7;

function phoneKey(input: string): string {
  const r = parsePhone(input);
  return r.ok ? r.phone.key : input.replace(/\D/g, '');
}

/**
 * Decide whether a caller is a repeat. A contact counts as recent when it is
 * at most `withinDays` × 24 h before `now`; a contact stamped after `now`
 * (another workstation's clock running ahead) counts as recent too. Each
 * ticket's status is taken from its newest contact in the history.
 */
export function checkRepeatCaller(history: readonly CallerContact[], now: Date, options: RepeatOptions = {}): RepeatCheck {
  const days = options.withinDays ?? DEFAULT_REPEAT_WINDOW_DAYS;
  if (!(days >= 0)) throw new RangeError(`withinDays must be >= 0: ${days}`);
  const key = options.phone === undefined ? undefined : phoneKey(options.phone);
  const mine = history
    .filter((c) => key === undefined || phoneKey(c.phone) === key)
    .slice()
    .sort((a, b) => b.at.getTime() - a.at.getTime());

  const since = now.getTime() - days * 86_400_000;
  const recentContacts = mine.filter((c) => c.at.getTime() >= since);

  const latestStatus = new Map<string, TicketStatus>();
  for (const c of mine) {
    if (c.ticketId && c.ticketStatus && !latestStatus.has(c.ticketId)) latestStatus.set(c.ticketId, c.ticketStatus);
  }
  const openTicketIds = [...latestStatus].filter(([, status]) => isOpenStatus(status)).map(([id]) => id);

  const reasons: RepeatReason[] = [];
  if (openTicketIds.length > 0) reasons.push('open_ticket');
  if (recentContacts.length > 0) reasons.push('recent_contact');

  const parts: string[] = [];
  if (openTicketIds.length > 0) parts.push(`该号码有${openTicketIds.length}张未办结工单，请先核对是否同一事项，可合并处理`);
  if (recentContacts.length > 0) parts.push(`${days}天内来电${recentContacts.length}次`);
  return {
    repeat: reasons.length > 0,
    reasons,
    openTicketIds,
    recentContacts,
    lastContactAt: mine[0]?.at ?? null,
    message: parts.length > 0 ? `重复来电：${parts.join('；')}。` : '',
  };
}

/** Same number with an open ticket, or any contact within `withinDays` (default 7). */
export function isRepeatCaller(history: readonly CallerContact[], now: Date, options: RepeatOptions = { withinDays: DEFAULT_REPEAT_WINDOW_DAYS }): boolean {
  return checkRepeatCaller(history, now, options).repeat;
}
