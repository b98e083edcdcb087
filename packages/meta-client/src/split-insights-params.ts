/**
 * Pure date-range splitting for "data too large" insights errors (§2.1 data-size row: split by
 * date range). Splits only where the result is the same rows Meta would have returned for the
 * whole range:
 * - `time_ranges` with 2+ ranges: halve the list (each range is aggregated on its own);
 * - `time_range` with `time_increment` N days: split at a bucket boundary (N-day buckets start at `since`);
 * - `time_range` with `monthly`: split at a calendar month start;
 * - otherwise (`all_days`, the default, a single `time_ranges` entry, `date_preset`, or one bucket,
 *   e.g. a single day): not splittable, because totals such as reach cannot be re-added.
 */
import { DEFAULT_INSIGHTS_LIMIT, type InsightsParams, type TimeRange } from './insights-params.ts';

const DAY_MS = 86_400_000;

export function splitInsightsParams(params: InsightsParams): [InsightsParams, InsightsParams] | undefined {
  if (params.time_ranges !== undefined) {
    if (params.time_ranges.length < 2) return undefined;
    const mid = Math.ceil(params.time_ranges.length / 2);
    return [
      { ...params, time_ranges: params.time_ranges.slice(0, mid) },
      { ...params, time_ranges: params.time_ranges.slice(mid) },
    ];
  }
  const range = params.time_range;
  if (range === undefined) return undefined;
  const halves = splitTimeRange(range, params.time_increment ?? 'all_days');
  if (halves === undefined) return undefined;
  return [
    { ...params, time_range: halves[0] },
    { ...params, time_range: halves[1] },
  ];
}

/** Splits one inclusive range on a boundary of its `time_increment` buckets, or `undefined`. */
export function splitTimeRange(
  range: TimeRange,
  increment: InsightsParams['time_increment'] = 'all_days',
): [TimeRange, TimeRange] | undefined {
  const since = toDay(range.since);
  const until = toDay(range.until);
  if (since === undefined || until === undefined || until <= since) return undefined;
  let boundary: number | undefined;
  if (typeof increment === 'number') {
    const days = until - since + 1;
    const buckets = Math.ceil(days / increment);
    if (buckets < 2) return undefined;
    boundary = since + Math.floor(buckets / 2) * increment;
  } else if (increment === 'monthly') {
    const starts: number[] = [];
    const d = new Date(since * DAY_MS);
    for (let m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)); ; ) {
      const day = m.getTime() / DAY_MS;
      if (day > until) break;
      starts.push(day);
      m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
    }
    if (starts.length === 0) return undefined;
    boundary = starts[Math.floor((starts.length - 1) / 2)];
  }
  if (boundary === undefined) return undefined;
  return [
    { since: range.since, until: fromDay(boundary - 1) },
    { since: fromDay(boundary), until: range.until },
  ];
}

/** Halves the page size (never below `minLimit`); `undefined` when it cannot shrink further. */
export function halveLimit(params: InsightsParams, minLimit = 1): InsightsParams | undefined {
  const current = params.limit ?? DEFAULT_INSIGHTS_LIMIT;
  const next = Math.max(minLimit, Math.floor(current / 2));
  return next < current ? { ...params, limit: next } : undefined;
}

function toDay(date: string): number | undefined {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : Math.round(ms / DAY_MS);
}

function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
