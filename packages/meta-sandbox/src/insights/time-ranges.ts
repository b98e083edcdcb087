/**
 * @module
 * Resolves `date_preset`, `time_range`, `time_ranges` and `time_increment` into time buckets
 * (inclusive epoch-day ranges) relative to the account's "today". Pure.
 */
import { addMonths, daysInMonth, formatIsoDay, fromYmd, parseIsoDay, toYmd, weekday } from '../util/dates.ts';

export interface TimeBucket {
  start: number;
  end: number;
}

export interface ResolvedTime {
  buckets: TimeBucket[];
  since: number;
  until: number;
}

export type TimeResult = { ok: true; value: ResolvedTime } | { ok: false; message: string; tooOld?: boolean };

export interface TimeParams {
  datePreset?: string | undefined;
  timeRange?: Record<string, unknown> | null | undefined;
  timeRanges?: unknown;
  timeIncrement?: string | undefined;
}

export const DATE_PRESETS = [
  'today',
  'yesterday',
  'this_month',
  'last_month',
  'this_quarter',
  'maximum',
  'data_maximum',
  'last_3d',
  'last_7d',
  'last_14d',
  'last_28d',
  'last_30d',
  'last_90d',
  'last_week_mon_sun',
  'last_week_sun_sat',
  'last_quarter',
  'last_year',
  'this_week_mon_today',
  'this_week_sun_today',
  'this_year',
] as const;

/** The inclusive range of a date preset relative to `today`, or null for an unknown preset. */
export function presetRange(preset: string, today: number): TimeBucket | null {
  const ymd = toYmd(today);
  const quarterStartMonth = Math.floor((ymd.month - 1) / 3) * 3 + 1;
  const lastDays = /^last_(\d+)d$/.exec(preset);
  if (lastDays && (DATE_PRESETS as readonly string[]).includes(preset)) {
    const n = Number(lastDays[1]);
    return { start: today - n, end: today - 1 };
  }
  switch (preset) {
    case 'today':
      return { start: today, end: today };
    case 'yesterday':
      return { start: today - 1, end: today - 1 };
    case 'this_month':
      return { start: fromYmd(ymd.year, ymd.month, 1), end: today };
    case 'last_month': {
      const start = addMonths(fromYmd(ymd.year, ymd.month, 1), -1);
      return { start, end: fromYmd(ymd.year, ymd.month, 1) - 1 };
    }
    case 'this_quarter':
      return { start: fromYmd(ymd.year, quarterStartMonth, 1), end: today };
    case 'last_quarter': {
      const thisQuarter = fromYmd(ymd.year, quarterStartMonth, 1);
      return { start: addMonths(thisQuarter, -3), end: thisQuarter - 1 };
    }
    case 'this_year':
      return { start: fromYmd(ymd.year, 1, 1), end: today };
    case 'last_year':
      return { start: fromYmd(ymd.year - 1, 1, 1), end: fromYmd(ymd.year - 1, 12, 31) };
    case 'maximum':
    case 'data_maximum':
      return { start: addMonths(today, -37), end: today };
    case 'last_week_mon_sun': {
      const monday = today - ((weekday(today) + 6) % 7);
      return { start: monday - 7, end: monday - 1 };
    }
    case 'last_week_sun_sat': {
      const sunday = today - weekday(today);
      return { start: sunday - 7, end: sunday - 1 };
    }
    case 'this_week_mon_today':
      return { start: today - ((weekday(today) + 6) % 7), end: today };
    case 'this_week_sun_today':
      return { start: today - weekday(today), end: today };
    default:
      return null;
  }
}

function parseRange(value: unknown, name: string): TimeBucket | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `${name} must be an object like {'since':'YYYY-MM-DD','until':'YYYY-MM-DD'}`;
  }
  const range = value as Record<string, unknown>;
  const since = typeof range.since === 'string' ? parseIsoDay(range.since) : null;
  const until = typeof range.until === 'string' ? parseIsoDay(range.until) : null;
  if (since === null || until === null) {
    return `${name} must contain 'since' and 'until' dates in YYYY-MM-DD format`;
  }
  if (since > until)
    return `${name}: 'since' (${formatIsoDay(since)}) is after 'until' (${formatIsoDay(until)})`;
  return { start: since, end: until };
}

/** Splits [start, end] by `time_increment` (1..90 days, 'monthly', 'all_days'). */
export function splitByIncrement(range: TimeBucket, increment: string): TimeBucket[] | string {
  if (increment === 'all_days') return [range];
  if (increment === 'monthly') {
    const buckets: TimeBucket[] = [];
    let start = range.start;
    while (start <= range.end) {
      const ymd = toYmd(start);
      const monthEnd = fromYmd(ymd.year, ymd.month, daysInMonth(ymd.year, ymd.month));
      buckets.push({ start, end: Math.min(monthEnd, range.end) });
      start = monthEnd + 1;
    }
    return buckets;
  }
  if (!/^\d+$/.test(increment))
    return "time_increment must be an integer from 1 to 90, 'monthly' or 'all_days'";
  const days = Number(increment);
  if (days < 1 || days > 90) return "time_increment must be an integer from 1 to 90, 'monthly' or 'all_days'";
  const buckets: TimeBucket[] = [];
  for (let start = range.start; start <= range.end; start += days) {
    buckets.push({ start, end: Math.min(start + days - 1, range.end) });
  }
  return buckets;
}

/**
 * Resolves the time parameters: `time_ranges` overrides everything; then `time_range`; then
 * `date_preset` (default `last_30d`). Ranges starting before today - 37 months are rejected.
 */
export function resolveTime(params: TimeParams, today: number): TimeResult {
  const oldest = addMonths(today, -37);
  let buckets: TimeBucket[];
  if (params.timeRanges !== undefined) {
    if (!Array.isArray(params.timeRanges) || params.timeRanges.length === 0) {
      return { ok: false, message: 'time_ranges must be a non-empty list of {since, until} objects' };
    }
    buckets = [];
    for (const item of params.timeRanges) {
      const range = parseRange(item, 'time_ranges');
      if (typeof range === 'string') return { ok: false, message: range };
      buckets.push(range);
    }
  } else {
    let range: TimeBucket;
    if (params.timeRange !== undefined) {
      const parsed = parseRange(params.timeRange, 'time_range');
      if (typeof parsed === 'string') return { ok: false, message: parsed };
      range = parsed;
    } else {
      const preset = params.datePreset ?? 'last_30d';
      const resolved = presetRange(preset, today);
      if (!resolved) {
        return {
          ok: false,
          message: `date_preset must be one of the following values: ${DATE_PRESETS.join(', ')}`,
        };
      }
      range = resolved;
    }
    const split = splitByIncrement(range, params.timeIncrement ?? 'all_days');
    if (typeof split === 'string') return { ok: false, message: split };
    buckets = split;
  }
  let since = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  for (const bucket of buckets) {
    if (bucket.start < oldest) return { ok: false, message: 'too old', tooOld: true };
    since = Math.min(since, bucket.start);
    until = Math.max(until, bucket.end);
  }
  return { ok: true, value: { buckets, since, until } };
}
