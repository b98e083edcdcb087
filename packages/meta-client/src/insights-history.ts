/**
 * @module insights-history
 * Meta's insights history limit (`reference/meta-graph-api.md` §3.3): `date_preset=maximum` returns at
 * most 37 months, and a time range starting earlier is answered with a 400. Shared by the producer
 * (which refuses such ranges when a run is requested) and the worker (which clamps to it), so both use
 * one rule.
 *
 * @example
 * earliestInsightsDate('2026-07-20') // '2023-06-21'
 */

/** How far back Meta serves insights. */
export const INSIGHTS_HISTORY_MONTHS = 37;

const DAY_MS = 86_400_000;

/**
 * The earliest day Meta serves insights for, seen from `today` (`YYYY-MM-DD`): today minus 37 months
 * (the day clamped to the month's end), plus one day of safety (Meta's own boundary is fuzzy).
 */
export function earliestInsightsDate(today: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!match) throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const monthIndex = year * 12 + month - INSIGHTS_HISTORY_MONTHS;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const ms = Date.UTC(targetYear, targetMonth, Math.min(day, lastDay)) + DAY_MS;
  return new Date(ms).toISOString().slice(0, 10);
}
