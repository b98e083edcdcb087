/**
 * @module
 * Dates and period ids in the ad account's time zone (`app-contract.md` one-screen summary, §3.1).
 *
 * The app computes period ids in server UTC; its accounts live in `Europe/Warsaw`, so between
 * 22:00/23:00 UTC and midnight the app puts the data in the wrong day, week or month (pain point
 * §6.9). Meta reports in the account's zone (`meta-graph-api.md` §3.3), so we do too: the
 * instant is turned into the account-local calendar date once, and everything after that is
 * arithmetic on `YYYY-MM-DD` strings in UTC, where every day has 24 hours and DST cannot shift a
 * date. No date library.
 */

import { daysInMonth } from '@meta-engine/meta-client';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** `current_month_cache` period: id `YYYY-MM`, the full calendar month (future days included, as the app does). */
export interface MonthPeriod {
  periodId: string;
  start: IsoDate;
  end: IsoDate;
}

/** `current_week_cache` period: id `YYYY-Www` (ISO week-year), ISO Monday to min(Sunday, today). */
export interface WeekPeriod {
  periodId: string;
  start: IsoDate;
  end: IsoDate;
}

/** Everything a refresh needs to know about "now" for one ad account. */
export interface CurrentPeriods {
  today: IsoDate;
  yesterday: IsoDate;
  month: MonthPeriod;
  week: WeekPeriod;
}

/** Meta refuses insights older than 37 months (`meta-graph-api.md` §3.3). */
export const INSIGHTS_HISTORY_MONTHS = 37;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone: better than silently using UTC.
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Parses `YYYY-MM-DD` to UTC epoch ms, throwing on anything that is not a real calendar date. */
function toUtcMs(date: IsoDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  const day = Number(match[3]);
  // Date.UTC would roll 2026-02-30 over to March and read years 0-99 as 19xx: both are refused first.
  if (year < 100 || month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month + 1)) {
    throw new RangeError(`Not a calendar date: ${date}`);
  }
  return Date.UTC(year, month, day);
}

function fromUtcMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** True for a well-formed, real calendar date. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  try {
    toUtcMs(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar date at `instant` in `timeZone` (an IANA name such as the ad account's
 * `timezone_name`).
 *
 * @example
 * localDate(new Date('2026-03-31T23:30:00Z'), 'Europe/Warsaw') // '2026-04-01'
 */
export function localDate(instant: Date, timeZone: string): IsoDate {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid instant');
  // Since 1980 every zone's offset is whole minutes and every change of it falls on a whole minute of UTC,
  // so the local date is the same for a whole minute: the last answer per zone is reused within it (ICU
  // is slow, and a busy worker asks many times a minute).
  const minute = ms >= WHOLE_MINUTES_SINCE_MS ? Math.floor(ms / MINUTE_MS) : Number.NaN;
  const last = lastLocalDates.get(timeZone);
  if (last && last.minute === minute) return last.date;
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  toUtcMs(date);
  if (!Number.isNaN(minute)) {
    if (lastLocalDates.size >= MAX_REMEMBERED_ZONES) lastLocalDates.clear();
    lastLocalDates.set(timeZone, { minute, date });
  }
  return date;
}

const MINUTE_MS = 60_000;
const WHOLE_MINUTES_SINCE_MS = Date.UTC(1980, 0, 1);
const MAX_REMEMBERED_ZONES = 1_000;
const lastLocalDates = new Map<string, { minute: number; date: IsoDate }>();

/**
 * `date` plus `days` (negative to go back).
 *
 * @example
 * addDays('2026-03-01', -1) // '2026-02-28'
 */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/**
 * `date` plus `months`, the day clamped to the target month's last day.
 *
 * @example
 * addMonths('2026-03-31', -1) // '2026-02-28'
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const d = new Date(toUtcMs(date));
  const monthIndex = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromUtcMs(Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** The earlier of two dates. */
export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  toUtcMs(a);
  toUtcMs(b);
  return a <= b ? a : b;
}

/** The later of two dates. */
export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  toUtcMs(a);
  toUtcMs(b);
  return a >= b ? a : b;
}

/**
 * Every date from `start` to `end`, both included; `[]` when `start` is after `end`.
 *
 * @example
 * dateRange('2026-03-29', '2026-03-31') // ['2026-03-29', '2026-03-30', '2026-03-31']
 */
export function dateRange(start: IsoDate, end: IsoDate): IsoDate[] {
  const first = toUtcMs(start);
  const last = toUtcMs(end);
  const dates: IsoDate[] = [];
  for (let ms = first; ms <= last; ms += DAY_MS) dates.push(fromUtcMs(ms));
  return dates;
}

/** ISO weekday: Monday 1 … Sunday 7. */
export function isoWeekday(date: IsoDate): number {
  const day = new Date(toUtcMs(date)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** `campaign_summaries` CHECK `weekly_must_be_monday` in one function. */
export function isMonday(date: IsoDate): boolean {
  return isoWeekday(date) === 1;
}

/** The ISO Monday of the week containing `date`. */
export function isoMonday(date: IsoDate): IsoDate {
  return addDays(date, 1 - isoWeekday(date));
}

/**
 * ISO week-year and week number: the week belongs to the year of its Thursday, so
 * Mon 2025-12-29 is week 1 of 2026 (the app's New Year bug, §6.9).
 */
export function isoWeek(date: IsoDate): { isoYear: number; week: number } {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const isoYear = Number(thursday.slice(0, 4));
  const dayOfYear = daysBetween(`${thursday.slice(0, 4)}-01-01`, thursday);
  return { isoYear, week: Math.floor(dayOfYear / 7) + 1 };
}

/**
 * `YYYY-Www`, zero padded, ISO week-year.
 *
 * @example
 * weekPeriodId('2025-12-29') // '2026-W01'
 */
export function weekPeriodId(date: IsoDate): string {
  const { isoYear, week } = isoWeek(date);
  return `${isoYear}-W${pad2(week)}`;
}

/**
 * `YYYY-MM` of the date's month.
 *
 * @example
 * monthPeriodId('2026-04-01') // '2026-04'
 */
export function monthPeriodId(date: IsoDate): string {
  toUtcMs(date);
  return date.slice(0, 7);
}

/**
 * The month containing `date`: the full calendar month, future days included (the app's
 * `getMonthBoundaries`, whose range is stored in the cache as is).
 */
export function monthPeriod(date: IsoDate): MonthPeriod {
  const start = `${monthPeriodId(date)}-01`;
  return { periodId: monthPeriodId(date), start, end: addDays(addMonths(start, 1), -1) };
}

/**
 * The ISO week containing `today`: Monday to min(Sunday, today). The app invalidates a weekly
 * row whose `dateRange.end` is not today, so `end` must be today for the current week.
 */
export function weekPeriod(today: IsoDate): WeekPeriod {
  const start = isoMonday(today);
  return { periodId: weekPeriodId(today), start, end: minDate(addDays(start, 6), today) };
}

/**
 * Today, yesterday, the current month and the current ISO week at `now` in the account's zone.
 *
 * @example
 * currentPeriods(new Date('2026-03-31T23:30:00Z'), 'Europe/Warsaw').month.periodId // '2026-04'
 */
export function currentPeriods(now: Date, timeZone: string): CurrentPeriods {
  const today = localDate(now, timeZone);
  return { today, yesterday: addDays(today, -1), month: monthPeriod(today), week: weekPeriod(today) };
}

/**
 * Every day that can belong to "this month" somewhere on Earth at `now`: from the first day of the month of
 * yesterday (UTC) to the last day of the month of tomorrow (UTC). Local time is within a day of UTC (UTC-12
 * to UTC+14), so the month of any ad account's time zone lies inside it; a job can read the rows of that
 * window before it knows the account's zone.
 *
 * @example
 * anyZoneMonthWindow(new Date('2026-08-01T03:00:00Z')) // { since: '2026-07-01', until: '2026-08-31' }
 */
export function anyZoneMonthWindow(now: Date): { since: IsoDate; until: IsoDate } {
  const utcToday = localDate(now, 'UTC');
  return { since: monthPeriod(addDays(utcToday, -1)).start, until: monthPeriod(addDays(utcToday, 1)).end };
}

/** Yesterday in the account's zone: the last complete day collect-insights asks for. */
export function yesterday(now: Date, timeZone: string): IsoDate {
  return addDays(localDate(now, timeZone), -1);
}

/**
 * The earliest date Meta will serve insights for: today minus 37 months, plus one day of safety
 * (Meta's own boundary is fuzzy; a range starting on it is answered with a 400).
 *
 * @example
 * earliestInsightsDate('2026-07-20') // '2023-06-21'
 */
export function earliestInsightsDate(today: IsoDate): IsoDate {
  return addDays(addMonths(today, -INSIGHTS_HISTORY_MONTHS), 1);
}

/** `start`, moved forward to the 37-month limit if it is older. */
export function clampToInsightsHistory(start: IsoDate, today: IsoDate): IsoDate {
  return maxDate(start, earliestInsightsDate(today));
}
