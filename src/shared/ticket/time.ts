/**
 * Center time. The hotline works on Beijing time (Asia/Shanghai, UTC+8, no
 * daylight saving since 1991) whatever the workstation's or server's TZ is.
 * Every calendar date in the ticket domain is an `IsoDate` ('YYYY-MM-DD') in
 * center time, and every conversion between instants and center dates goes
 * through this module, using UTC arithmetic only, never the machine's zone.
 */

/** A calendar date in center time, 'YYYY-MM-DD'. */
export type IsoDate = string;

export const CENTER_TIME_ZONE = 'Asia/Shanghai';
/** Offset of center time from UTC, in minutes (UTC+8, no DST). */
export const CENTER_UTC_OFFSET_MINUTES = 8 * 60;

const OFFSET_MS = CENTER_UTC_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parts of an instant as a wall clock in the center shows them. */
export interface CenterClock {
  date: IsoDate;
  year: number;
  month: number; // 1-12
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  hour: number;
  minute: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The center's wall clock at an instant. */
export function centerClock(at: Date): CenterClock {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw new RangeError('Invalid Date');
  const shifted = new Date(t + OFFSET_MS);
  const year = shifted.getUTCFullYear();
  const month = shifted.getUTCMonth() + 1;
  const day = shifted.getUTCDate();
  const hour = shifted.getUTCHours();
  const minute = shifted.getUTCMinutes();
  return {
    date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    year,
    month,
    day,
    weekday: shifted.getUTCDay(),
    hour,
    minute,
    minuteOfDay: hour * 60 + minute,
  };
}

/** The center-time calendar date of an instant. */
export function centerDate(at: Date): IsoDate {
  return centerClock(at).date;
}

/** True if `s` is a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

function dateParts(date: IsoDate): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m || !isIsoDate(date)) throw new RangeError(`not a date 'YYYY-MM-DD': ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Year of an IsoDate. */
export function yearOf(date: IsoDate): number {
  return dateParts(date)[0];
}

/** Day of week of an IsoDate: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: IsoDate): number {
  const [y, m, d] = dateParts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The date `n` days after (or before, if negative) `date`. */
export function addDays(date: IsoDate, n: number): IsoDate {
  const [y, m, d] = dateParts(date);
  const t = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Minutes since midnight of a 'HH:MM' wall-clock time. */
export function parseClockTime(hhmm: string): number {
  const m = HH_MM.exec(hhmm);
  if (!m) throw new RangeError(`not a time 'HH:MM': ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isClockTime(s: string): boolean {
  return HH_MM.test(s);
}

/** The instant at which the center's clock shows `date` `hhmm`. */
export function centerInstant(date: IsoDate, hhmm = '00:00'): Date {
  const [y, m, d] = dateParts(date);
  return new Date(Date.UTC(y, m - 1, d) + parseClockTime(hhmm) * 60_000 - OFFSET_MS);
}

const WEEKDAY_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

/** '周一' … '周日' for an IsoDate. */
export function weekdayZh(date: IsoDate): string {
  return WEEKDAY_ZH[weekdayOf(date)]!;
}

/** '2026年2月14日（周六）' */
export function formatDateZh(date: IsoDate): string {
  const [y, m, d] = dateParts(date);
  return `${y}年${m}月${d}日（${weekdayZh(date)}）`;
}

/** '2026年2月14日（周六）10:05' in center time. */
export function formatInstantZh(at: Date): string {
  const c = centerClock(at);
  return `${formatDateZh(c.date)}${pad(c.hour)}:${pad(c.minute)}`;
}
