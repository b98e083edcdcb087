/**
 * @module console/local-time
 * Wall-clock facts in an ad account's time zone, for the freshness objectives: the local date and hour
 * now, the month and ISO-week period ids the worker writes for that date, and the instant a local day
 * starts. The worker computes its periods in the account's zone (apps/worker transform/periods.ts); the
 * console must ask about the same periods, so it uses the same rules (ISO week-year: the week belongs to
 * the year of its Thursday). Intl does the zone arithmetic; dates are `YYYY-MM-DD` strings.
 */

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter per zone (few zones, many clients). Throws RangeError for an unknown zone. */
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when Intl knows the zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    wallClock(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Recent answers of `wallClockMs`: a page of 1,000 clients asks about the same instant and the same few
 * zones over and over, and `formatToParts` is the costly part of judging a client.
 */
const recent = new Map<string, number>();

/** The wall clock at `instant` in `timeZone`, as a UTC timestamp with the same fields. */
function wallClockMs(instant: number, timeZone: string): number {
  const key = `${instant}|${timeZone}`;
  const known = recent.get(key);
  if (known !== undefined) return known;
  const value = computeWallClockMs(instant, timeZone);
  if (recent.size >= 1024) recent.clear();
  recent.set(key, value);
  return value;
}

function computeWallClockMs(instant: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of wallClock(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
}

/** Local date (`YYYY-MM-DD`) and hour (0-23) at `instant` in `timeZone`. */
export function localNow(instant: Date, timeZone: string): { date: string; hour: number } {
  const wall = new Date(wallClockMs(instant.getTime(), timeZone));
  return { date: wall.toISOString().slice(0, 10), hour: wall.getUTCHours() };
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM`: the month cache's period id for a local date. */
export function monthPeriodOf(date: string): string {
  return date.slice(0, 7);
}

/** `YYYY-Www`: the week cache's period id (ISO week-year, zero padded) for a local date. */
export function weekPeriodOf(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = day.getUTCDay() || 7;
  const thursday = new Date(day.getTime() + (4 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The instant (ms) local midnight of `date` happens in `timeZone` (DST-safe: the offset is re-read). */
export function startOfLocalDay(date: string, timeZone: string): number {
  const asUtc = Date.parse(`${date}T00:00:00Z`);
  let instant = asUtc - (wallClockMs(asUtc, timeZone) - asUtc);
  instant = asUtc - (wallClockMs(instant, timeZone) - instant);
  return instant;
}
