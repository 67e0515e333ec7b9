// The phone rings; before the operator types a word, the console says whether this caller is a repeat.
import { describe, expect, it } from 'vitest';
import { checkRepeatCaller, isRepeatCaller, type CallerContact } from '../../../src/shared/ticket/repeat';

const bj = (s: string) => new Date(`${s}+08:00`);
const now = bj('2026-03-20T10:00:00');
const phone = '13812345678';

describe('is this caller a repeat?', () => {
  it.each<[string, CallerContact[], boolean]>([
    ['a first-time caller', [], false],
    ['called 3 days ago, ticket closed', [{ phone, at: bj('2026-03-17T09:00:00'), ticketId: 't1', ticketStatus: 'closed' }], true],
    ['called exactly 7 days ago', [{ phone, at: bj('2026-03-13T10:00:00') }], true],
    ['called 7 days and a minute ago, nothing open', [{ phone, at: bj('2026-03-13T09:59:00'), ticketId: 't1', ticketStatus: 'rated' }], false],
    ['called a month ago, ticket still being handled', [{ phone, at: bj('2026-02-18T09:00:00'), ticketId: 't1', ticketStatus: 'processing' }], true],
    ['called a month ago, ticket sent back and waiting for re-dispatch', [{ phone, at: bj('2026-02-18T09:00:00'), ticketId: 't1', ticketStatus: 'returned' }], true],
    ['called a month ago, ticket called back', [{ phone, at: bj('2026-02-18T09:00:00'), ticketId: 't1', ticketStatus: 'visited' }], false],
  ])('%s → %s', (_story, history, expected) => {
    expect(isRepeatCaller(history, now, { withinDays: 7 })).toBe(expected);
  });

  it('takes each ticket’s status from its newest contact', () => {
    const history: CallerContact[] = [
      { phone, at: bj('2026-02-01T09:00:00'), ticketId: 't1', ticketStatus: 'dispatched' },
      { phone, at: bj('2026-02-10T09:00:00'), ticketId: 't1', ticketStatus: 'closed' },
    ];
    expect(isRepeatCaller(history, now)).toBe(false);
    expect(isRepeatCaller(history.slice().reverse(), now)).toBe(false);
  });

  it('honours another window', () => {
    const history: CallerContact[] = [{ phone, at: bj('2026-03-17T09:00:00') }];
    // 3 days and 1 hour ago
    expect(isRepeatCaller(history, now, { withinDays: 3 })).toBe(false);
    expect(isRepeatCaller(history, now, { withinDays: 4 })).toBe(true);
  });

  it('counts a contact stamped a little after now (a clock running ahead) as recent', () => {
    expect(isRepeatCaller([{ phone, at: bj('2026-03-20T10:01:00') }], now)).toBe(true);
  });

  it('matches the number however it was written, and ignores other numbers', () => {
    const history: CallerContact[] = [
      { phone: '+86 138-1234-5678', at: bj('2026-03-18T09:00:00') },
      { phone: '13900001111', at: bj('2026-03-19T09:00:00'), ticketId: 't9', ticketStatus: 'dispatched' },
    ];
    expect(isRepeatCaller(history, now, { phone: '138 1234 5678' })).toBe(true);
    expect(checkRepeatCaller(history, now, { phone: '13812345678' }).openTicketIds).toEqual([]);
    expect(isRepeatCaller(history, now, { phone: '13700000000' })).toBe(false);
  });

  it('tells the operator which tickets to merge into, newest first', () => {
    const history: CallerContact[] = [
      { phone, at: bj('2026-03-01T09:00:00'), ticketId: 't1', ticketStatus: 'processing' },
      { phone, at: bj('2026-03-19T16:00:00'), ticketId: 't2', ticketStatus: 'dispatched' },
      { phone, at: bj('2026-03-18T11:00:00') },
    ];
    const r = checkRepeatCaller(history, now);
    expect(r).toMatchObject({ repeat: true, reasons: ['open_ticket', 'recent_contact'], openTicketIds: ['t2', 't1'], lastContactAt: bj('2026-03-19T16:00:00') });
    expect(r.recentContacts).toHaveLength(2);
    expect(r.message).toBe('重复来电：该号码有2张未办结工单，请先核对是否同一事项，可合并处理；7天内来电2次。');
  });

  it('refuses a negative window', () => {
    expect(() => isRepeatCaller([], now, { withinDays: -1 })).toThrow();
  });
});
