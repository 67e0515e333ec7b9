/**
 * The official working-day calendar (工作日历). Deadlines for dispatched
 * tickets count working days on the State Council's schedule: public holidays
 * are off even on weekdays, and make-up working days (调休上班) are on even on
 * weekends. The schedule for a year is published late in the year before, so
 * the calendar is data: the `chinese-days` package's tables by default, plus
 * years an admin uploads in the running system (`CalendarYear`), and it says
 * which years it knows, so a deadline beyond them can be shown as provisional.
 *
 * Days in a year the calendar does not know fall back to "Monday to Friday".
 * All dates are center-time dates (see time.ts).
 */
import { z } from 'zod';
import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, centerDate, isIsoDate, weekdayOf, yearOf, type IsoDate } from './time';

/** Plain data behind a WorkCalendar; what the server sends the consoles. */
export interface WorkCalendarData {
  /** Public holidays (放假日), date → holiday name in Chinese. Weekend days inside a break are listed too. */
  holidays: Record<IsoDate, string>;
  /** Make-up working days (调休上班日), date → name of the holiday they belong to. */
  workdays: Record<IsoDate, string>;
  /** Years whose official schedule this data holds. */
  knownYears: number[];
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

export interface CalendarDay {
  date: IsoDate;
  working: boolean;
  kind: DayKind;
  /** Holiday name for holidays and make-up working days. */
  name?: string;
  /** False when the day lies in a year the calendar does not know. */
  known: boolean;
}

export interface WorkCalendar {
  /** Is this center-time date (or the center date of this instant) a working day? */
  isWorkingDay(date: IsoDate | Date): boolean;
  /** Does the calendar know the official schedule of this date's year? */
  knows(date: IsoDate | Date): boolean;
  /** Everything the calendar says about a day. */
  day(date: IsoDate | Date): CalendarDay;
  /** Known years, ascending. */
  readonly knownYears: readonly number[];
  /** The data it was built from (a copy). */
  toData(): WorkCalendarData;
}

function toIsoDate(date: IsoDate | Date): IsoDate {
  if (date instanceof Date) return centerDate(date);
  if (!isIsoDate(date)) throw new RangeError(`not a date 'YYYY-MM-DD': ${date}`);
  return date;
}

/** Build a calendar from data. */
export function createWorkCalendar(data: WorkCalendarData): WorkCalendar {
  const holidays = new Map(Object.entries(data.holidays));
  const workdays = new Map(Object.entries(data.workdays));
  const years = [...new Set(data.knownYears)].sort((a, b) => a - b);
  const known = new Set(years);

  function day(input: IsoDate | Date): CalendarDay {
    const date = toIsoDate(input);
    const isKnown = known.has(yearOf(date));
    const makeup = workdays.get(date);
    if (makeup !== undefined) return { date, working: true, kind: 'makeup_workday', name: makeup, known: isKnown };
    const holiday = holidays.get(date);
    if (holiday !== undefined) return { date, working: false, kind: 'holiday', name: holiday, known: isKnown };
    const wd = weekdayOf(date);
    const weekend = wd === 0 || wd === 6;
    return { date, working: !weekend, kind: weekend ? 'weekend' : 'workday', known: isKnown };
  }

  return {
    day,
    isWorkingDay: (date) => day(date).working,
    knows: (date) => known.has(yearOf(toIsoDate(date))),
    knownYears: years,
    toData: () => ({ holidays: Object.fromEntries(holidays), workdays: Object.fromEntries(workdays), knownYears: [...years] }),
  };
}

// ---------------------------------------------------------------------------
// Admin upload: one year's schedule
// ---------------------------------------------------------------------------

const DateString = z
  .string({ error: '日期必须是文字，格式为 YYYY-MM-DD' })
  .refine(isIsoDate, { error: '日期格式应为 YYYY-MM-DD，且必须是真实存在的日期' });

/**
 * One year's official schedule as an admin uploads it (from the State
 * Council's notice 国务院办公厅关于XXXX年部分节假日安排的通知). An upload is
 * the complete schedule of that year: it replaces whatever the package or an
 * earlier upload said about that year.
 */
export const CalendarYear = z
  .object({
    year: z
      .number({ error: '年份必须是数字' })
      .int({ error: '年份必须是整数' })
      .min(2000, { error: '年份不能早于2000年' })
      .max(2100, { error: '年份不能晚于2100年' }),
    holidays: z
      .array(
        z.object({
          date: DateString,
          name: z.string({ error: '请填写节日名称' }).trim().min(1, { error: '请填写节日名称' }).max(20, { error: '节日名称不超过20个字' }),
        }),
        { error: '放假日期必须是列表' },
      )
      .min(1, { error: '至少要有一个放假日期' }),
    workdays: z.array(DateString, { error: '调休上班日期必须是列表' }).default([]),
  })
  .superRefine((y, ctx) => {
    const seen = new Set<string>();
    y.holidays.forEach((h, i) => {
      if (!isIsoDate(h.date)) return;
      if (yearOf(h.date) !== y.year) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'date'], message: `放假日期 ${h.date} 不在 ${y.year} 年内` });
      if (seen.has(h.date)) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'date'], message: `放假日期 ${h.date} 重复` });
      seen.add(h.date);
    });
    const seenWork = new Set<string>();
    y.workdays.forEach((d, i) => {
      if (!isIsoDate(d)) return;
      if (yearOf(d) !== y.year) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `调休上班日 ${d} 不在 ${y.year} 年内` });
      if (seen.has(d)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${d} 不能既是放假日又是调休上班日` });
      if (seenWork.has(d)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `调休上班日 ${d} 重复` });
      const wd = weekdayOf(d);
      if (wd !== 0 && wd !== 6) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `调休上班日 ${d} 应是周六或周日（工作日本来就上班）` });
      seenWork.add(d);
    });
  });
export type CalendarYear = z.infer<typeof CalendarYear>;

/**
 * Merge uploaded years into calendar data. Each uploaded year replaces all
 * holidays and make-up days of that year in `base` and becomes known; later
 * uploads of the same year win. Returns new data; `base` is not changed.
 */
export function mergeCalendarYears(base: WorkCalendarData, uploads: readonly CalendarYear[]): WorkCalendarData {
  const holidays: Record<IsoDate, string> = { ...base.holidays };
  const workdays: Record<IsoDate, string> = { ...base.workdays };
  const knownYears = new Set(base.knownYears);
  for (const upload of uploads) {
    const prefix = `${upload.year}-`;
    for (const d of Object.keys(holidays)) if (d.startsWith(prefix)) delete holidays[d];
    for (const d of Object.keys(workdays)) if (d.startsWith(prefix)) delete workdays[d];
    for (const h of upload.holidays) holidays[h.date] = h.name;
    for (const d of upload.workdays) workdays[d] = nearestHolidayName(upload, d);
    knownYears.add(upload.year);
  }
  return { holidays, workdays, knownYears: [...knownYears].sort((a, b) => a - b) };
}

/** A make-up day belongs to the nearest break; name it after it. */
function nearestHolidayName(upload: CalendarYear, date: IsoDate): string {
  for (let k = 1; k <= 14; k++) {
    for (const probe of [addDays(date, k), addDays(date, -k)]) {
      const h = upload.holidays.find((x) => x.date === probe);
      if (h) return h.name;
    }
  }
  return '调休';
}

// ---------------------------------------------------------------------------
// Default: the chinese-days package
// ---------------------------------------------------------------------------

/** chinese-days stores names as "Spring Festival,春节,4": English, Chinese, length of the break. */
function chineseName(raw: string): string {
  return raw.split(',')[1]?.trim() || raw;
}

/**
 * The years chinese-days really knows. A year counts only when the package
 * lists both its Spring Festival and its National Day break, which every
 * State Council notice has and which never spill into another year; a year
 * that merely holds a few days of a neighbouring year's New Year break (e.g.
 * 2023-12-30 from the 2024 notice) is therefore not taken as known.
 */
export function yearsWithOfficialSchedule(holidays: Record<IsoDate, string>): number[] {
  const spring = new Set<number>();
  const national = new Set<number>();
  for (const [date, raw] of Object.entries(holidays)) {
    const name = chineseName(raw);
    if (name === '春节') spring.add(yearOf(date));
    if (name === '国庆节') national.add(yearOf(date));
  }
  return [...spring].filter((y) => national.has(y)).sort((a, b) => a - b);
}

let packageData: WorkCalendarData | undefined;

/** The official schedule as carried by the installed chinese-days package. */
export function chineseDaysCalendarData(): WorkCalendarData {
  if (!packageData) {
    const raw = chineseDays as { holidays: Record<string, string>; workdays: Record<string, string> };
    const holidays = Object.fromEntries(Object.entries(raw.holidays).map(([d, n]) => [d, chineseName(n)]));
    const workdays = Object.fromEntries(Object.entries(raw.workdays).map(([d, n]) => [d, chineseName(n)]));
    packageData = { holidays, workdays, knownYears: yearsWithOfficialSchedule(raw.holidays) };
  }
  return { holidays: { ...packageData.holidays }, workdays: { ...packageData.workdays }, knownYears: [...packageData.knownYears] };
}

/** The default calendar: chinese-days, overridden by any years an admin uploaded. */
export function defaultWorkCalendar(uploads: readonly CalendarYear[] = []): WorkCalendar {
  return createWorkCalendar(mergeCalendarYears(chineseDaysCalendarData(), uploads));
}
