/**
 * @module
 * Calendar arithmetic on "epoch days" (whole days since 1970-01-01, UTC calendar) and
 * time-zone helpers built on Intl. Insights dates are calendar dates in the ad account's zone.
 */

export const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' -> epoch day, or null if the string is not a valid date. */
export function parseIsoDay(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

const isoCache = new Map<number, string>();

/** epoch day -> 'YYYY-MM-DD'. */
export function formatIsoDay(day: number): string {
  let cached = isoCache.get(day);
  if (cached === undefined) {
    cached = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (isoCache.size > 50_000) isoCache.clear();
    isoCache.set(day, cached);
  }
  return cached;
}

export interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

export function toYmd(day: number): YearMonthDay {
  const date = new Date(day * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function fromYmd(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds calendar months, clamping the day of month (Mar 31 - 1 month = Feb 28/29). */
export function addMonths(day: number, months: number): number {
  const ymd = toYmd(day);
  const index = ymd.year * 12 + (ymd.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return fromYmd(year, month, Math.min(ymd.day, daysInMonth(year, month)));
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar day (epoch day) of instant `epochMs` in `timeZone`. */
export function dayInZone(epochMs: number, timeZone: string): number {
  const parts = dayFormatter(timeZone).formatToParts(new Date(epochMs));
  let year = 0;
  let month = 0;
  let dayOfMonth = 0;
  for (const part of parts) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') dayOfMonth = Number(part.value);
  }
  return fromYmd(year, month, dayOfMonth);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** UTC offset of `timeZone` at `epochMs`, in minutes (Europe/Warsaw in winter: 60). */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  const sign = match[1] === '-' ? -1 : 1;
  return sign * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/** True when `timeZone` is an IANA zone Intl understands. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Meta's object timestamp format in a zone: '2025-03-04T10:12:00+0100'. */
export function formatMetaTimestamp(epochMs: number, timeZone: string): string {
  const offset = zoneOffsetMinutes(epochMs, timeZone);
  const local = new Date(epochMs + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}${mm}`;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The date format of Meta's token-expiry message, in Pacific time:
 * 'Wednesday, 14-Feb-18 14:00:00 PST'.
 */
export function formatPacificTimestamp(epochMs: number): string {
  const offset = zoneOffsetMinutes(epochMs, 'America/Los_Angeles');
  const local = new Date(epochMs + offset * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const label = offset === -420 ? 'PDT' : 'PST';
  return (
    `${WEEKDAYS[local.getUTCDay()]}, ${pad(local.getUTCDate())}-${MONTHS[local.getUTCMonth()]}-` +
    `${pad(local.getUTCFullYear() % 100)} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:` +
    `${pad(local.getUTCSeconds())} ${label}`
  );
}
