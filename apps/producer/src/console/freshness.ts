/**
 * @module console/freshness
 * Freshness objectives: what "up to date" means for one client, with the reporting app's own numbers as
 * defaults (app-contract: a cache row is fresh for 3 h, `CACHE_DURATION_MS`; the validation runs daily, so
 * 26 h leaves a 2 h margin; yesterday's insights are collected at night, due by 06:00 in the account's zone
 * when the agency starts its day). Pure: facts and a clock in, one verdict per objective out.
 *
 * | objective     | task             | met when                                                            |
 * |---------------|------------------|---------------------------------------------------------------------|
 * | `validation`  | validate         | a conclusive check (not `check_failed`) younger than 26 h           |
 * | `month_cache` | refresh-cache    | the current month's row (account zone) written less than 3 h ago    |
 * | `week_cache`  | refresh-cache    | the current ISO week's row (account zone) written less than 3 h ago |
 * | `insights`    | collect-insights | the high-water date reaches yesterday once it is 06:00 locally      |
 *
 * A paused client has no objectives (it gets no jobs); caches and insights apply only to clients with
 * `api_status = 'valid'`, the only ones refreshed and collected. The account's zone comes from its latest
 * validation; without one, UTC (and the view says so).
 */
import { addDays, isTimeZone, localNow, monthPeriodOf, startOfLocalDay, weekPeriodOf } from './local-time.ts';

export const OBJECTIVES = ['validation', 'month_cache', 'week_cache', 'insights'] as const;
export type ObjectiveName = (typeof OBJECTIVES)[number];

/** The task whose runs serve each objective. */
export const OBJECTIVE_TASK = {
  validation: 'validate',
  month_cache: 'refresh-cache',
  week_cache: 'refresh-cache',
  insights: 'collect-insights',
} as const satisfies Record<ObjectiveName, string>;

export interface FreshnessObjectives {
  /** The current month's cache row must be younger than this (ms). */
  monthCacheMaxAgeMs: number;
  /** The current week's cache row must be younger than this (ms). */
  weekCacheMaxAgeMs: number;
  /** Yesterday's insights (account's zone) must be collected by this local hour (0-23). */
  insightsDueHour: number;
  /** A conclusive validation must be younger than this (ms). */
  validationMaxAgeMs: number;
}

const HOUR_MS = 3_600_000;

export const DEFAULT_FRESHNESS: FreshnessObjectives = {
  monthCacheMaxAgeMs: 3 * HOUR_MS,
  weekCacheMaxAgeMs: 3 * HOUR_MS,
  insightsDueHour: 6,
  validationMaxAgeMs: 26 * HOUR_MS,
};

export type ObjectiveState = 'met' | 'not_met' | 'not_applicable';

export interface ObjectiveResult {
  state: ObjectiveState;
  /** Age of what the objective measures (s): the cache row, the check, the collected data; null if none. */
  ageSeconds: number | null;
  /** One line for people: what was found and what was expected. */
  detail: string;
}

/** What the verdicts need to know about a client. */
export interface FreshnessFacts {
  apiStatus: string;
  paused: boolean;
  timezone: string | null;
  lastConclusiveCheckAt: string | null;
  monthCache: readonly { periodId: string; lastUpdated: string }[];
  weekCache: readonly { periodId: string; lastUpdated: string }[];
  /** collect-insights' high-water date (last day collected completely). */
  insightsHighWater: string | null;
}

export interface FreshnessVerdict {
  /** The zone the objectives were judged in. */
  timezone: string;
  /** False when the account's zone is unknown (no validation yet) and UTC was used. */
  timezoneKnown: boolean;
  /** Today in that zone. */
  localDate: string;
  results: Record<ObjectiveName, ObjectiveResult>;
}

export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function ageOf(at: string, now: Date): number {
  return (now.getTime() - Date.parse(at)) / 1000;
}

function withinAge(
  what: string,
  at: string | null,
  maxAgeMs: number,
  now: Date,
  missing: string,
): ObjectiveResult {
  if (at === null) return { state: 'not_met', ageSeconds: null, detail: missing };
  const age = ageOf(at, now);
  return {
    state: age * 1000 < maxAgeMs ? 'met' : 'not_met',
    ageSeconds: age,
    detail: `${what} ${formatAge(age)} ago (objective: under ${formatAge(maxAgeMs / 1000)})`,
  };
}

function cacheResult(
  kind: 'month' | 'week',
  rows: FreshnessFacts['monthCache'],
  periodId: string,
  maxAgeMs: number,
  now: Date,
): ObjectiveResult {
  const row = rows.find((r) => r.periodId === periodId);
  const newest = rows[0];
  const missing = newest
    ? `no ${kind} row for ${periodId} yet (newest is ${newest.periodId})`
    : `no ${kind} cache row yet (${periodId})`;
  return withinAge(`${periodId} written`, row?.lastUpdated ?? null, maxAgeMs, now, missing);
}

function insightsResult(
  highWater: string | null,
  local: { date: string; hour: number },
  timezone: string,
  dueHour: number,
  now: Date,
): ObjectiveResult {
  const yesterday = addDays(local.date, -1);
  // Before the due hour, the day before yesterday is still enough.
  const required = local.hour >= dueHour ? yesterday : addDays(local.date, -2);
  const due = `${yesterday} due by ${String(dueHour).padStart(2, '0')}:00`;
  if (highWater === null)
    return { state: 'not_met', ageSeconds: null, detail: `nothing collected yet; ${due}` };
  const age = (now.getTime() - startOfLocalDay(addDays(highWater, 1), timezone)) / 1000;
  return {
    state: highWater >= required ? 'met' : 'not_met',
    ageSeconds: age,
    detail: `collected through ${highWater}; ${due}`,
  };
}

const NOT_APPLICABLE = (detail: string): ObjectiveResult => ({
  state: 'not_applicable',
  ageSeconds: null,
  detail,
});

/** Judges one client against every objective at `now`. */
export function assessFreshness(
  facts: FreshnessFacts,
  objectives: FreshnessObjectives,
  now: Date,
): FreshnessVerdict {
  const timezoneKnown = facts.timezone !== null && isTimeZone(facts.timezone);
  const timezone = timezoneKnown ? (facts.timezone as string) : 'UTC';
  const local = localNow(now, timezone);
  if (facts.paused) {
    const paused = NOT_APPLICABLE('paused: no jobs until resumed');
    return {
      timezone,
      timezoneKnown,
      localDate: local.date,
      results: { validation: paused, month_cache: paused, week_cache: paused, insights: paused },
    };
  }
  const validation = withinAge(
    'checked',
    facts.lastConclusiveCheckAt,
    objectives.validationMaxAgeMs,
    now,
    'never validated',
  );
  if (facts.apiStatus !== 'valid') {
    const excluded = NOT_APPLICABLE(`api_status ${facts.apiStatus}: not refreshed or collected`);
    return {
      timezone,
      timezoneKnown,
      localDate: local.date,
      results: { validation, month_cache: excluded, week_cache: excluded, insights: excluded },
    };
  }
  return {
    timezone,
    timezoneKnown,
    localDate: local.date,
    results: {
      validation,
      month_cache: cacheResult(
        'month',
        facts.monthCache,
        monthPeriodOf(local.date),
        objectives.monthCacheMaxAgeMs,
        now,
      ),
      week_cache: cacheResult(
        'week',
        facts.weekCache,
        weekPeriodOf(local.date),
        objectives.weekCacheMaxAgeMs,
        now,
      ),
      insights: insightsResult(facts.insightsHighWater, local, timezone, objectives.insightsDueHour, now),
    },
  };
}

export interface ObjectiveSummary {
  met: number;
  notMet: number;
  notApplicable: number;
  /** Age of the oldest data among the clients the objective applies to (s); null when none has any. */
  oldestAgeSeconds: number | null;
}

/** Per objective: clients meeting it, not meeting it, and the oldest age (for the Prometheus gauges). */
export function summarizeFreshness(
  verdicts: readonly Pick<FreshnessVerdict, 'results'>[],
): Record<ObjectiveName, ObjectiveSummary> {
  const summary = Object.fromEntries(
    OBJECTIVES.map((o) => [o, { met: 0, notMet: 0, notApplicable: 0, oldestAgeSeconds: null }]),
  ) as Record<ObjectiveName, ObjectiveSummary>;
  for (const verdict of verdicts) {
    for (const objective of OBJECTIVES) {
      const result = verdict.results[objective];
      const entry = summary[objective];
      if (result.state === 'not_applicable') {
        entry.notApplicable += 1;
        continue;
      }
      if (result.state === 'met') entry.met += 1;
      else entry.notMet += 1;
      if (result.ageSeconds !== null && (entry.oldestAgeSeconds ?? -1) < result.ageSeconds) {
        entry.oldestAgeSeconds = result.ageSeconds;
      }
    }
  }
  return summary;
}
