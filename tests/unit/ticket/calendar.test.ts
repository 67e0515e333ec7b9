// The working-day calendar the deadlines count on: the official State Council
// schedule as carried by chinese-days, plus years an admin uploads.
import { describe, expect, it } from 'vitest';
import {
  CalendarYear,
  chineseDaysCalendarData,
  createWorkCalendar,
  defaultWorkCalendar,
  mergeCalendarYears,
  yearsWithOfficialSchedule,
} from '../../../src/shared/ticket/calendar';
import { addDays, centerDate, centerInstant, weekdayOf } from '../../../src/shared/ticket/time';

const calendar = defaultWorkCalendar();

describe('the official calendar from chinese-days', () => {
  it('knows 2004 to 2026 and not 2027: derived from the package data, not hard-coded', () => {
    const years = calendar.knownYears;
    expect(years[0]).toBe(2004);
    expect(years.at(-1)).toBe(2026);
    expect(years).toHaveLength(2026 - 2004 + 1);
    expect(calendar.knows('2026-12-31')).toBe(true);
    expect(calendar.knows('2027-01-01')).toBe(false);
  });

  // The 2026 State Council schedule (gov.cn content_7047091, cited in chinese-days 1.5.7), as the package encodes it:
  // 春节 2月15日（周日）至23日（周一）放假，2月14日（周六）、2月28日（周六）上班；
  // 国庆节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班。
  it.each([
    ['2026-02-13', true, 'workday'], // Friday before the break
    ['2026-02-14', true, 'makeup_workday'], // Saturday, make-up working day
    ['2026-02-15', false, 'holiday'], // first day of the Spring Festival break (Sunday)
    ['2026-02-23', false, 'holiday'], // Monday, last day of the break
    ['2026-02-24', true, 'workday'],
    ['2026-02-28', true, 'makeup_workday'], // Saturday, make-up working day
    ['2026-03-07', false, 'weekend'],
    ['2026-09-20', true, 'makeup_workday'], // Sunday before National Day
    ['2026-10-01', false, 'holiday'],
    ['2026-10-07', false, 'holiday'],
    ['2026-10-08', true, 'workday'],
    ['2026-10-10', true, 'makeup_workday'], // Saturday after National Day
  ])('%s: working=%s (%s)', (date, working, kind) => {
    expect(calendar.isWorkingDay(date)).toBe(working);
    expect(calendar.day(date).kind).toBe(kind);
    expect(calendar.day(date).known).toBe(true);
  });

  it('names holidays and make-up days in Chinese', () => {
    expect(calendar.day('2026-02-16').name).toBe('春节');
    expect(calendar.day('2026-02-14').name).toBe('春节');
    expect(calendar.day('2026-10-02').name).toBe('国庆节');
  });

  it('falls back to Monday–Friday in a year it does not know (2027-01-01, a Friday, counts as working)', () => {
    expect(calendar.isWorkingDay('2027-01-01')).toBe(true);
    expect(calendar.day('2027-01-01')).toMatchObject({ kind: 'workday', known: false });
    expect(calendar.isWorkingDay('2027-01-02')).toBe(false);
  });

  it('reads an instant as a center-time (UTC+8) date, whatever the machine TZ', () => {
    // 2026-02-14 16:30 UTC is already Sunday 2026-02-15 00:30 in Beijing: a holiday.
    const instant = new Date('2026-02-14T16:30:00Z');
    expect(centerDate(instant)).toBe('2026-02-15');
    expect(calendar.isWorkingDay(instant)).toBe(false);
    // 2026-02-14 15:59 UTC is still Saturday 23:59 in Beijing: the make-up working day.
    expect(calendar.isWorkingDay(new Date('2026-02-14T15:59:00Z'))).toBe(true);
    expect(centerInstant('2026-02-28', '18:00').toISOString()).toBe('2026-02-28T10:00:00.000Z');
  });

  it('does not take a year as known from a neighbouring New Year break that spills into it', () => {
    // The 2024 notice gave 2023-12-30/31 off; with only that, 2023 is not a known year.
    expect(
      yearsWithOfficialSchedule({
        '2023-12-30': "New Year's Day,元旦,1",
        '2023-12-31': "New Year's Day,元旦,1",
        '2024-01-01': "New Year's Day,元旦,1",
        '2024-02-10': 'Spring Festival,春节,4',
        '2024-10-01': 'National Day,国庆节,3',
      }),
    ).toEqual([2024]);
  });
});

describe('an admin uploads next year’s schedule', () => {
  // A made-up 2027 schedule, as an admin would type it in from the notice (test data, not the official one).
  const upload2027 = {
    year: 2027,
    holidays: [
      { date: '2027-01-01', name: '元旦' },
      { date: '2027-01-02', name: '元旦' },
      { date: '2027-01-03', name: '元旦' },
      { date: '2027-02-06', name: '春节' },
    ],
    workdays: ['2027-02-20'],
  };

  it('accepts a valid year and makes it known', () => {
    const parsed = CalendarYear.parse(upload2027);
    const cal = defaultWorkCalendar([parsed]);
    expect(cal.knows('2027-06-01')).toBe(true);
    expect(cal.isWorkingDay('2027-01-01')).toBe(false);
    expect(cal.day('2027-01-01')).toMatchObject({ kind: 'holiday', name: '元旦', known: true });
    expect(cal.day('2027-02-20')).toMatchObject({ kind: 'makeup_workday', name: '春节' });
    expect(cal.knows('2028-01-03')).toBe(false);
  });

  it('replaces the package’s data for a year it already had', () => {
    const override = CalendarYear.parse({ year: 2026, holidays: [{ date: '2026-10-01', name: '国庆节' }], workdays: [] });
    const cal = defaultWorkCalendar([override]);
    expect(cal.isWorkingDay('2026-10-02')).toBe(true); // no longer a holiday
    expect(cal.isWorkingDay('2026-02-14')).toBe(false); // no longer a make-up working day
    expect(cal.isWorkingDay('2026-10-01')).toBe(false);
    expect(cal.isWorkingDay('2025-10-01')).toBe(false); // other years untouched
  });

  it('does not change the data it merges into', () => {
    const base = chineseDaysCalendarData();
    const before = Object.keys(base.holidays).length;
    mergeCalendarYears(base, [CalendarYear.parse(upload2027)]);
    expect(Object.keys(base.holidays)).toHaveLength(before);
    expect(base.knownYears).not.toContain(2027);
  });

  it('the later upload of the same year wins', () => {
    const a = CalendarYear.parse({ year: 2027, holidays: [{ date: '2027-01-01', name: '元旦' }] });
    const b = CalendarYear.parse({ year: 2027, holidays: [{ date: '2027-01-04', name: '元旦' }] });
    const cal = createWorkCalendar(mergeCalendarYears({ holidays: {}, workdays: {}, knownYears: [] }, [a, b]));
    expect(cal.isWorkingDay('2027-01-01')).toBe(true);
    expect(cal.isWorkingDay('2027-01-04')).toBe(false);
  });

  it.each([
    [{ ...upload2027, year: 1999 }, 'year', '年份不能早于2000年'],
    [{ ...upload2027, holidays: [] }, 'holidays', '至少要有一个放假日期'],
    [{ ...upload2027, holidays: [{ date: '2027-02-30', name: '春节' }] }, 'holidays.0.date', '日期格式应为 YYYY-MM-DD，且必须是真实存在的日期'],
    [{ ...upload2027, holidays: [{ date: '2026-12-31', name: '元旦' }] }, 'holidays.0.date', '放假日期 2026-12-31 不在 2027 年内'],
    [{ ...upload2027, holidays: [{ date: '2027-01-01', name: '' }] }, 'holidays.0.name', '请填写节日名称'],
    [{ ...upload2027, workdays: ['2027-01-01'] }, 'workdays.0', '2027-01-01 不能既是放假日又是调休上班日'],
    [{ ...upload2027, workdays: ['2027-02-22'] }, 'workdays.0', '调休上班日 2027-02-22 应是周六或周日（工作日本来就上班）'],
    [{ ...upload2027, workdays: ['2027-02-20', '2027-02-20'] }, 'workdays.1', '调休上班日 2027-02-20 重复'],
  ])('rejects a bad upload with a Chinese message at the field (%#)', (input, path, message) => {
    const r = CalendarYear.safeParse(input);
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toContainEqual([path, message]);
  });
});

describe('center-time date arithmetic', () => {
  it('steps over month and year ends and knows weekdays', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-01-01')).toBe(4); // Thursday
    expect(weekdayOf('2027-01-01')).toBe(5); // Friday
  });
});
