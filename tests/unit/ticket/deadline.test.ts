// How long a unit has: deadlines on the real official calendar (chinese-days 1.5.7).
// Every expected date below was checked by hand against the 2026 schedule as
// chinese-days encodes it (the State Council notice for 2026 that chinese-days cites, gov.cn content_7047091):
//   春节 2月15日（周日）—23日（周一）放假，2月14日（周六）、2月28日（周六）上班
//   劳动节 5月1日—5日放假，5月9日（周六）上班
//   国庆节 10月1日—7日放假，9月20日（周日）、10月10日（周六）上班
// and 2027 is not in the package yet (provisional).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultWorkCalendar } from '../../../src/shared/ticket/calendar';
import { computeDeadline, DeadlineRule, endOfNthWorkingDay, workingDaysBetween } from '../../../src/shared/ticket/deadline';
import { centerDate } from '../../../src/shared/ticket/time';
import type { Urgency } from '../../../src/shared/ticket/vocabulary';

const calendar = defaultWorkCalendar();
/** An instant given as Beijing wall-clock time. */
const bj = (s: string) => new Date(`${s}+08:00`);
const fiveDays = { kind: 'working_days', days: 5 } as const;

function due(acceptedAt: string, rule: DeadlineRule = fiveDays, urgency: Urgency = '一般') {
  return computeDeadline({ acceptedAt: bj(acceptedAt), rule, urgency, calendar });
}

describe('an ordinary case (5 working days) around the 2026 Spring Festival', () => {
  it('filed on Friday 2026-02-13: the make-up Saturday 02-14 is day 1, the break is skipped, due Friday 02-27 18:00', () => {
    // 02-14 (补班) =1, 02-15..02-23 holiday, 02-24 =2, 02-25 =3, 02-26 =4, 02-27 =5
    const d = due('2026-02-13T10:00:00');
    expect(d.dueAt).toEqual(bj('2026-02-27T18:00:00'));
    expect(d.provisional).toBe(false);
    expect(d.explanation).toContain('春节');
    expect(d.explanation).toContain('第1个工作日为2026年2月14日（周六）');
  });

  it('filed on the make-up Saturday 2026-02-14, the day before the break: due on the next make-up Saturday 02-28 18:00', () => {
    // 02-15..02-23 holiday, 02-24 =1, 02-25 =2, 02-26 =3, 02-27 =4, 02-28 (补班) =5
    const d = due('2026-02-14T09:30:00');
    expect(d.dueAt).toEqual(bj('2026-02-28T18:00:00'));
    expect(d.provisional).toBe(false);
    expect(d.explanation).toContain('调休上班日');
    expect(d.explanation).toContain('跳过9个休息日（含春节假期）');
  });

  it('filed during the break (2026-02-18) counts from the first working day after it', () => {
    // 02-24 =1 … 02-27 =4, 02-28 (补班) =5
    expect(due('2026-02-18T15:00:00').dueAt).toEqual(bj('2026-02-28T18:00:00'));
  });
});

describe('National Day 2026', () => {
  it('filed on Wednesday 2026-09-30, the day before the break: due Tuesday 10-13 18:00', () => {
    // 10-01..10-07 holiday, 10-08 =1, 10-09 =2, 10-10 (补班, Saturday) =3, 10-11 Sunday, 10-12 =4, 10-13 =5
    const d = due('2026-09-30T16:45:00');
    expect(d.dueAt).toEqual(bj('2026-10-13T18:00:00'));
    expect(d.explanation).toContain('国庆节');
  });

  it('filed on Saturday 2026-09-19: the make-up Sunday 09-20 is day 1', () => {
    // 09-20 (补班) =1, 09-21 =2, 09-22 =3, 09-23 =4, 09-24 =5 (09-25..27 is 中秋)
    expect(due('2026-09-19T11:00:00').dueAt).toEqual(bj('2026-09-24T18:00:00'));
  });
});

describe('non-working days and after hours', () => {
  it('filed on an ordinary Saturday (2026-03-07) is due Friday 03-13, like a case filed that Friday', () => {
    expect(due('2026-03-07T10:00:00').dueAt).toEqual(bj('2026-03-13T18:00:00'));
    expect(due('2026-03-06T10:00:00').dueAt).toEqual(bj('2026-03-13T18:00:00'));
  });

  it('filed on the make-up working Saturday 2026-05-09 counts from Monday 05-11: due Friday 05-15', () => {
    expect(due('2026-05-09T10:00:00').dueAt).toEqual(bj('2026-05-15T18:00:00'));
  });

  it('filed on a working day after hours (Monday 2026-03-09 21:00) is due the same as that morning: Monday 03-16', () => {
    expect(due('2026-03-09T21:00:00').dueAt).toEqual(bj('2026-03-16T18:00:00'));
    expect(due('2026-03-09T08:00:00').dueAt).toEqual(bj('2026-03-16T18:00:00'));
  });

  it('counts the acceptance date in Beijing, not in the machine’s zone: 23:59 and 00:01 fall on different days', () => {
    // 2026-03-08 23:59 is Sunday; 2026-03-09 00:01 is Monday and Monday does not count
    expect(due('2026-03-08T23:59:00').dueAt).toEqual(bj('2026-03-13T18:00:00'));
    expect(due('2026-03-09T00:01:00').dueAt).toEqual(bj('2026-03-16T18:00:00'));
  });

  it('honours a configured office end', () => {
    const d = computeDeadline({ acceptedAt: bj('2026-03-06T10:00:00'), rule: fiveDays, urgency: '一般', calendar, officeEnd: '17:30' });
    expect(d.dueAt).toEqual(bj('2026-03-13T17:30:00'));
    expect(() => computeDeadline({ acceptedAt: bj('2026-03-06T10:00:00'), rule: fiveDays, urgency: '一般', calendar, officeEnd: '25:00' })).toThrow();
  });
});

describe('hour rules and urgency', () => {
  it('an emergency (2 h) accepted at 23:30 is due at 01:30 the next day', () => {
    const d = due('2026-03-10T23:30:00', { kind: 'hours', hours: 2 }, '特急');
    expect(d.dueAt).toEqual(bj('2026-03-11T01:30:00'));
    expect(d.dueAt.toISOString()).toBe('2026-03-10T17:30:00.000Z');
    expect(centerDate(d.dueAt)).toBe('2026-03-11');
    expect(d.provisional).toBe(false);
  });

  it('a water outage (24 h) reported on the first day of the National Day break still has 24 calendar hours', () => {
    const d = due('2026-10-01T08:15:00', { kind: 'hours', hours: 24 });
    expect(d.dueAt).toEqual(bj('2026-10-02T08:15:00'));
    expect(d.explanation).toContain('自然小时');
  });

  it('特急 tightens an ordinary 5-working-day case to 2 hours', () => {
    const d = due('2026-03-06T10:00:00', fiveDays, '特急');
    expect(d.dueAt).toEqual(bj('2026-03-06T12:00:00'));
    expect(d.cappedByUrgency).toBe(true);
    expect(d.appliedRule).toEqual({ kind: 'hours', hours: 2 });
    expect(d.explanation).toContain('特急件时限不超过2小时');
  });

  it('紧急 caps a working-day case at 24 h but leaves a shorter rule alone', () => {
    expect(due('2026-03-06T10:00:00', fiveDays, '紧急').dueAt).toEqual(bj('2026-03-07T10:00:00'));
    const shorter = due('2026-03-06T10:00:00', { kind: 'hours', hours: 2 }, '紧急');
    expect(shorter.dueAt).toEqual(bj('2026-03-06T12:00:00'));
    expect(shorter.cappedByUrgency).toBe(false);
  });

  it('a center may configure its own urgency caps', () => {
    const d = computeDeadline({
      acceptedAt: bj('2026-03-06T10:00:00'),
      rule: fiveDays,
      urgency: '紧急',
      calendar,
      urgencyPolicy: { 一般: {}, 紧急: { capHours: 48 }, 特急: { capHours: 1 } },
    });
    expect(d.dueAt).toEqual(bj('2026-03-08T10:00:00'));
  });

  it('rejects a malformed rule', () => {
    expect(() => due('2026-03-06T10:00:00', { kind: 'working_days', days: 0 })).toThrow();
    expect(DeadlineRule.safeParse({ kind: 'weeks', weeks: 1 }).success).toBe(false);
  });
});

describe('deadlines that reach into 2027, a year the calendar does not know yet', () => {
  it('filed Thursday 2026-12-24: due Thursday 12-31, still in 2026, not provisional', () => {
    // 12-25 =1, 12-28 =2, 12-29 =3, 12-30 =4, 12-31 =5
    const d = due('2026-12-24T10:00:00');
    expect(d.dueAt).toEqual(bj('2026-12-31T18:00:00'));
    expect(d.provisional).toBe(false);
  });

  it('filed Friday 2026-12-25: day 5 is 2027-01-01, counted as a working day for now, and provisional', () => {
    const d = due('2026-12-25T10:00:00');
    expect(d.dueAt).toEqual(bj('2027-01-01T18:00:00'));
    expect(d.provisional).toBe(true);
    expect(d.explanation).toContain('2027年的节假日安排尚未收录');
  });

  it('a complex case (15 working days) filed in mid-December is provisional', () => {
    expect(due('2026-12-15T10:00:00', { kind: 'working_days', days: 15 }).provisional).toBe(true);
  });

  it('an hours deadline never is', () => {
    expect(due('2026-12-31T23:00:00', { kind: 'hours', hours: 24 }).provisional).toBe(false);
  });
});

describe('helpers for overdue reporting', () => {
  it('counts working days between two dates and finds the end of the Nth working day', () => {
    expect(workingDaysBetween('2026-02-13', '2026-02-28', calendar)).toBe(6);
    expect(workingDaysBetween('2026-02-28', '2026-02-13', calendar)).toBe(0);
    expect(endOfNthWorkingDay('2026-09-30', 5, calendar)).toEqual(bj('2026-10-13T18:00:00'));
  });
});

describe('properties', () => {
  const from = Date.parse('2024-01-01T00:00:00Z');
  const to = Date.parse('2027-06-30T00:00:00Z');
  const instant = fc.integer({ min: from, max: to }).map((t) => new Date(t));
  const days = fc.integer({ min: 1, max: 20 });

  it('a working-day deadline always falls on a working day, at office end', () => {
    fc.assert(
      fc.property(instant, days, (acceptedAt, n) => {
        const d = computeDeadline({ acceptedAt, rule: { kind: 'working_days', days: n }, urgency: '一般', calendar });
        expect(calendar.isWorkingDay(d.dueAt)).toBe(true);
        expect(new Date(d.dueAt.getTime() + 8 * 3_600_000).toISOString().slice(11, 16)).toBe('18:00');
        expect(workingDaysBetween(centerDate(acceptedAt), centerDate(d.dueAt), calendar)).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('more days never give an earlier deadline', () => {
    fc.assert(
      fc.property(instant, days, days, (acceptedAt, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const dLo = computeDeadline({ acceptedAt, rule: { kind: 'working_days', days: lo }, urgency: '一般', calendar });
        const dHi = computeDeadline({ acceptedAt, rule: { kind: 'working_days', days: hi }, urgency: '一般', calendar });
        expect(dHi.dueAt.getTime()).toBeGreaterThanOrEqual(dLo.dueAt.getTime());
        if (hi > lo) expect(dHi.dueAt.getTime()).toBeGreaterThan(dLo.dueAt.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('a later acceptance never gives an earlier deadline', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 10 * 86_400_000 }), days, (acceptedAt, delta, n) => {
        const rule = { kind: 'working_days', days: n } as const;
        const a = computeDeadline({ acceptedAt, rule, urgency: '一般', calendar });
        const b = computeDeadline({ acceptedAt: new Date(acceptedAt.getTime() + delta), rule, urgency: '一般', calendar });
        expect(b.dueAt.getTime()).toBeGreaterThanOrEqual(a.dueAt.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('no deadline is ever before acceptance, whatever the rule and urgency', () => {
    const rule = fc.oneof(
      days.map((n) => ({ kind: 'working_days', days: n }) as DeadlineRule),
      fc.integer({ min: 1, max: 72 }).map((h) => ({ kind: 'hours', hours: h }) as DeadlineRule),
    );
    const urgency = fc.constantFrom<Urgency>('一般', '紧急', '特急');
    fc.assert(
      fc.property(instant, rule, urgency, (acceptedAt, r, u) => {
        const d = computeDeadline({ acceptedAt, rule: r, urgency: u, calendar });
        expect(d.dueAt.getTime()).toBeGreaterThan(acceptedAt.getTime());
        if (u === '特急') expect(d.dueAt.getTime() - acceptedAt.getTime()).toBeLessThanOrEqual(2 * 3_600_000);
      }),
      { numRuns: 300 },
    );
  });

  it('is provisional exactly when a counted day lies after 2026', () => {
    fc.assert(
      fc.property(instant, days, (acceptedAt, n) => {
        const d = computeDeadline({ acceptedAt, rule: { kind: 'working_days', days: n }, urgency: '一般', calendar });
        expect(d.provisional).toBe(centerDate(d.dueAt) >= '2027-01-01');
      }),
      { numRuns: 300 },
    );
  });
});
