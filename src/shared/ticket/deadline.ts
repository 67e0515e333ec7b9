/**
 * Deadline arithmetic (办理时限). Every dispatched ticket carries a due time
 * the handling unit is held to; it is computed here, once, the same way on
 * the console and on the server.
 *
 * Rules are data (a category leaf carries one):
 *  - `{ kind: 'working_days', days }`: ordinary 5–7, complex up to 15.
 *    The acceptance day itself never counts (as 民法典 第二百零一条 counts
 *    periods: "开始的当日不计入，自下一日开始计算"). Day 1 is the first working
 *    day after the center-time date of acceptance, whatever the hour and
 *    whether or not that date is a working day; the case is due at office end
 *    (default 18:00 center time) of the Nth working day. So a case accepted
 *    on a working day after hours, or on a Saturday, Sunday or holiday, is
 *    due at the same time as one accepted that morning: in every case the
 *    unit gets N full working days that start after the case reached it.
 *  - `{ kind: 'hours', hours }`: calendar hours from the moment of acceptance,
 *    nights, weekends and holidays included (2 h emergencies, 24 h outages).
 *
 * Urgency tightens a rule, never loosens it: the due time is the earlier of
 * the rule's and "acceptance + cap hours" (defaults: 一般 no cap, 紧急 24 h,
 * 特急 2 h; configurable per center).
 *
 * A working-day deadline is provisional when any day counted (from the day
 * after acceptance up to the due day) lies in a year the calendar does not
 * know yet; hour deadlines never depend on the calendar.
 */
import { z } from 'zod';
import type { WorkCalendar } from './calendar';
import { addDays, centerDate, centerInstant, formatDateZh, formatInstantZh, isClockTime, yearOf, type IsoDate } from './time';
import type { Urgency } from './vocabulary';

export const DeadlineRule = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('working_days'),
      days: z.number({ error: '工作日数必须是数字' }).int({ error: '工作日数必须是整数' }).min(1, { error: '至少1个工作日' }).max(60, { error: '不超过60个工作日' }),
    }),
    z.object({
      kind: z.literal('hours'),
      hours: z.number({ error: '小时数必须是数字' }).positive({ error: '小时数必须大于0' }).max(720, { error: '不超过720小时' }),
    }),
  ],
  { error: '时限规则应为“工作日”或“小时”' },
);
export type DeadlineRule = z.infer<typeof DeadlineRule>;

/** Per urgency, the most hours a case may take (undefined: the rule stands). */
export type UrgencyPolicy = Record<Urgency, { capHours?: number }>;

export const DEFAULT_URGENCY_POLICY: UrgencyPolicy = {
  一般: {},
  紧急: { capHours: 24 },
  特急: { capHours: 2 },
};

/** Default end of the office day on which a working-day deadline falls. */
export const DEFAULT_OFFICE_END = '18:00';

export interface DeadlineInput {
  acceptedAt: Date;
  rule: DeadlineRule;
  urgency: Urgency;
  calendar: WorkCalendar;
  /** 'HH:MM' center time; default 18:00. */
  officeEnd?: string;
  urgencyPolicy?: UrgencyPolicy;
}

export interface Deadline {
  dueAt: Date;
  /** True when a day counted lies beyond the calendar's known years. */
  provisional: boolean;
  /** For the operator and the unit, in Chinese. */
  explanation: string;
  /** The rule that decided the due time: the category's, or the urgency cap as an hours rule. */
  appliedRule: DeadlineRule;
  /** True when the urgency cap, not the category's rule, decided. */
  cappedByUrgency: boolean;
}

interface RuleResult {
  dueAt: Date;
  provisional: boolean;
  explanation: string;
}

function ruleLabel(rule: DeadlineRule): string {
  return rule.kind === 'working_days' ? `${rule.days}个工作日` : `${rule.hours}小时`;
}

function byHours(acceptedAt: Date, hours: number): RuleResult {
  const dueAt = new Date(acceptedAt.getTime() + hours * 3_600_000);
  return {
    dueAt,
    provisional: false,
    explanation: `按${hours}小时计（自然小时，夜间、周末和节假日照常计算），截止${formatInstantZh(dueAt)}。`,
  };
}

function byWorkingDays(acceptedAt: Date, days: number, calendar: WorkCalendar, officeEnd: string): RuleResult {
  const accepted = centerDate(acceptedAt);
  let date: IsoDate = accepted;
  let counted = 0;
  let provisional = false;
  const unknownYears = new Set<number>();
  const skippedHolidays: string[] = [];
  let skippedDays = 0;
  let firstWorkingDay: IsoDate = accepted;
  while (counted < days) {
    date = addDays(date, 1);
    const day = calendar.day(date);
    if (!day.known) {
      provisional = true;
      unknownYears.add(yearOf(date));
    }
    if (day.working) {
      counted += 1;
      if (counted === 1) firstWorkingDay = date;
    } else {
      skippedDays += 1;
      if (day.kind === 'holiday' && day.name && !skippedHolidays.includes(day.name)) skippedHolidays.push(day.name);
    }
  }
  const dueAt = centerInstant(date, officeEnd);
  const due = calendar.day(date);
  const dueNote = due.kind === 'makeup_workday' ? `，${due.name ?? ''}调休上班日` : '';
  const parts = [
    `按${days}个工作日计：受理当日不计，自次日起算，第1个工作日为${formatDateZh(firstWorkingDay)}，第${days}个工作日为${formatDateZh(date)}${dueNote}，截止该日${officeEnd}。`,
  ];
  if (skippedDays > 0) {
    const names = skippedHolidays.length > 0 ? `（含${skippedHolidays.join('、')}假期）` : '';
    parts.push(`期间跳过${skippedDays}个休息日${names}。`);
  }
  if (provisional) {
    parts.push(`注意：${[...unknownYears].join('、')}年的节假日安排尚未收录，此截止时间为暂定，官方安排公布后可能顺延。`);
  }
  return { dueAt, provisional, explanation: parts.join('') };
}

/** Compute when a ticket is due. See the header for the counting rules. */
export function computeDeadline(input: DeadlineInput): Deadline {
  const { acceptedAt, rule, urgency, calendar } = input;
  const officeEnd = input.officeEnd ?? DEFAULT_OFFICE_END;
  const policy = input.urgencyPolicy ?? DEFAULT_URGENCY_POLICY;
  if (!Number.isFinite(acceptedAt.getTime())) throw new RangeError('acceptedAt is an invalid Date');
  if (!isClockTime(officeEnd)) throw new RangeError(`officeEnd must be 'HH:MM': ${officeEnd}`);
  const parsed = DeadlineRule.parse(rule);

  const byRule = parsed.kind === 'hours' ? byHours(acceptedAt, parsed.hours) : byWorkingDays(acceptedAt, parsed.days, calendar, officeEnd);
  const head = `受理时间${formatInstantZh(acceptedAt)}，${urgency}件。`;

  const capHours = policy[urgency]?.capHours;
  if (capHours !== undefined && capHours > 0) {
    const byCap = byHours(acceptedAt, capHours);
    if (byCap.dueAt.getTime() < byRule.dueAt.getTime()) {
      return {
        dueAt: byCap.dueAt,
        provisional: false,
        explanation: `${head}${urgency}件时限不超过${capHours}小时，短于分类时限（${ruleLabel(parsed)}），${byCap.explanation}`,
        appliedRule: { kind: 'hours', hours: capHours },
        cappedByUrgency: true,
      };
    }
  }
  return { ...byRule, explanation: head + byRule.explanation, appliedRule: parsed, cappedByUrgency: false };
}

/** Working days from the day after `from` up to and including `to` (0 if `to` is not after `from`). */
export function workingDaysBetween(from: IsoDate, to: IsoDate, calendar: WorkCalendar): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) n += 1;
  return n;
}

/** The due instant of a working-day rule counted from a center-time date, e.g. for the 通报 threshold. */
export function endOfNthWorkingDay(from: IsoDate, n: number, calendar: WorkCalendar, officeEnd = DEFAULT_OFFICE_END): Date {
  let date = from;
  let counted = 0;
  while (counted < n) {
    date = addDays(date, 1);
    if (calendar.isWorkingDay(date)) counted += 1;
  }
  return centerInstant(date, officeEnd);
}
