import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { assessFreshness, DEFAULT_FRESHNESS, type FreshnessFacts, summarizeFreshness } from './freshness.ts';

// 2026-07-20 08:00 in Warsaw (UTC+2): yesterday there is 2026-07-19, the current week 2026-W30.
const NOW = new Date('2026-07-20T06:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

function facts(overrides: Partial<FreshnessFacts> = {}): FreshnessFacts {
  return {
    apiStatus: 'valid',
    paused: false,
    timezone: 'Europe/Warsaw',
    lastConclusiveCheckAt: hoursAgo(2),
    monthCache: [{ periodId: '2026-07', lastUpdated: hoursAgo(1) }],
    weekCache: [{ periodId: '2026-W30', lastUpdated: hoursAgo(1) }],
    insightsHighWater: '2026-07-19',
    ...overrides,
  };
}

describe('assessFreshness with the app defaults', () => {
  it('meets every objective when everything is recent', () => {
    const verdict = assessFreshness(facts(), DEFAULT_FRESHNESS, NOW);
    expect(verdict).toMatchObject({
      timezone: 'Europe/Warsaw',
      timezoneKnown: true,
      localDate: '2026-07-20',
    });
    for (const result of Object.values(verdict.results)) expect(result.state).toBe('met');
    expect(verdict.results.month_cache.ageSeconds).toBe(3600);
    // Collected through yesterday: the data is as old as today is (08:00 local = 8 h).
    expect(verdict.results.insights.ageSeconds).toBe(8 * 3600);
  });

  it.each([
    [
      'a month row 3 h old',
      { monthCache: [{ periodId: '2026-07', lastUpdated: hoursAgo(3) }] },
      'month_cache',
      'objective: under 3 h',
    ],
    [
      'only last month’s row',
      { monthCache: [{ periodId: '2026-06', lastUpdated: hoursAgo(0.1) }] },
      'month_cache',
      'no month row for 2026-07 yet (newest is 2026-06)',
    ],
    [
      'last week’s row (the app drops it)',
      { weekCache: [{ periodId: '2026-W29', lastUpdated: hoursAgo(1) }] },
      'week_cache',
      'no week row for 2026-W30',
    ],
    ['no week row at all', { weekCache: [] }, 'week_cache', 'no week cache row yet (2026-W30)'],
    ['a check 26 h old', { lastConclusiveCheckAt: hoursAgo(26) }, 'validation', 'checked 26 h ago'],
    ['no conclusive check', { lastConclusiveCheckAt: null }, 'validation', 'never validated'],
    [
      'insights through the day before yesterday after 06:00',
      { insightsHighWater: '2026-07-18' },
      'insights',
      'collected through 2026-07-18; 2026-07-19 due by 06:00',
    ],
    ['nothing collected', { insightsHighWater: null }, 'insights', 'nothing collected yet'],
  ] as const)('does not meet it with %s', (_, overrides, objective, detail) => {
    const verdict = assessFreshness(facts(overrides as Partial<FreshnessFacts>), DEFAULT_FRESHNESS, NOW);
    expect(verdict.results[objective].state).toBe('not_met');
    expect(verdict.results[objective].detail).toContain(detail);
  });

  it('gives the night until 06:00 local for yesterday’s insights, in the account’s zone', () => {
    const early = new Date('2026-07-20T03:30:00Z'); // 05:30 in Warsaw, 03:30 in UTC
    const behind = facts({ insightsHighWater: '2026-07-18' });
    expect(assessFreshness(behind, DEFAULT_FRESHNESS, early).results.insights.state).toBe('met');
    // The same instant is 06:30 in Tbilisi (UTC+4): yesterday is due there.
    expect(
      assessFreshness({ ...behind, timezone: 'Asia/Tbilisi' }, DEFAULT_FRESHNESS, early).results.insights
        .state,
    ).toBe('not_met');
    expect(
      assessFreshness(behind, { ...DEFAULT_FRESHNESS, insightsDueHour: 5 }, early).results.insights.state,
    ).toBe('not_met');
  });

  it('judges periods in the account’s zone: just after midnight in Warsaw it is already the next month', () => {
    const justAfter = new Date('2026-07-31T22:30:00Z'); // 2026-08-01 00:30 in Warsaw
    const july = facts({ monthCache: [{ periodId: '2026-07', lastUpdated: '2026-07-31T22:00:00Z' }] });
    expect(assessFreshness(july, DEFAULT_FRESHNESS, justAfter).results.month_cache.state).toBe('not_met');
    expect(
      assessFreshness({ ...july, timezone: 'UTC' }, DEFAULT_FRESHNESS, justAfter).results.month_cache.state,
    ).toBe('met');
  });

  it('uses UTC when the zone is unknown, and says so', () => {
    for (const timezone of [null, 'Mars/Olympus']) {
      const verdict = assessFreshness(facts({ timezone }), DEFAULT_FRESHNESS, NOW);
      expect(verdict).toMatchObject({ timezone: 'UTC', timezoneKnown: false, localDate: '2026-07-20' });
    }
  });

  it('has nothing to judge for a paused client, and only the validation for one the app excludes', () => {
    const paused = assessFreshness(
      facts({ paused: true, lastConclusiveCheckAt: null }),
      DEFAULT_FRESHNESS,
      NOW,
    );
    expect(Object.values(paused.results).map((r) => r.state)).toEqual(Array(4).fill('not_applicable'));
    const invalid = assessFreshness(facts({ apiStatus: 'invalid', monthCache: [] }), DEFAULT_FRESHNESS, NOW);
    expect(invalid.results.validation.state).toBe('met');
    expect(invalid.results.month_cache).toMatchObject({
      state: 'not_applicable',
      detail: 'api_status invalid: not refreshed or collected',
    });
  });

  it('follows configured objectives', () => {
    const strict = { ...DEFAULT_FRESHNESS, monthCacheMaxAgeMs: 30 * 60_000, validationMaxAgeMs: 3_600_000 };
    const verdict = assessFreshness(facts(), strict, NOW);
    expect(verdict.results.month_cache.state).toBe('not_met');
    expect(verdict.results.validation.state).toBe('not_met');
    expect(verdict.results.week_cache.state).toBe('met');
  });
});

describe('summarizeFreshness', () => {
  it('counts met / not met / not applicable per objective and keeps the oldest age', () => {
    const verdicts = [
      assessFreshness(facts(), DEFAULT_FRESHNESS, NOW),
      assessFreshness(facts({ lastConclusiveCheckAt: hoursAgo(30) }), DEFAULT_FRESHNESS, NOW),
      assessFreshness(facts({ lastConclusiveCheckAt: null }), DEFAULT_FRESHNESS, NOW),
      assessFreshness(facts({ paused: true }), DEFAULT_FRESHNESS, NOW),
    ];
    const summary = summarizeFreshness(verdicts);
    expect(summary.validation).toEqual({ met: 1, notMet: 2, notApplicable: 1, oldestAgeSeconds: 30 * 3600 });
    expect(summary.month_cache).toEqual({ met: 3, notMet: 0, notApplicable: 1, oldestAgeSeconds: 3600 });
    expect(summarizeFreshness([]).insights).toEqual({
      met: 0,
      notMet: 0,
      notApplicable: 0,
      oldestAgeSeconds: null,
    });
  });
});

describe('FRESHNESS_* configuration', () => {
  const BASE = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    SUPABASE_URL: 'https://project.supabase.co',
    SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
  };

  it('defaults to the app’s objectives', () => {
    expect(loadConfig(BASE).freshness).toEqual(DEFAULT_FRESHNESS);
  });

  it('reads each variable and names a bad one', () => {
    const config = loadConfig({
      ...BASE,
      FRESHNESS_MONTH_CACHE_MAX_AGE_MINUTES: '90',
      FRESHNESS_WEEK_CACHE_MAX_AGE_MINUTES: '120',
      FRESHNESS_INSIGHTS_DUE_HOUR: '7',
      FRESHNESS_VALIDATION_MAX_AGE_HOURS: '30',
    });
    expect(config.freshness).toEqual({
      monthCacheMaxAgeMs: 90 * 60_000,
      weekCacheMaxAgeMs: 120 * 60_000,
      insightsDueHour: 7,
      validationMaxAgeMs: 30 * 3_600_000,
    });
    expect(() => loadConfig({ ...BASE, FRESHNESS_INSIGHTS_DUE_HOUR: '24' })).toThrow(
      "FRESHNESS_INSIGHTS_DUE_HOUR: must be at most 23, got '24'",
    );
    expect(() => loadConfig({ ...BASE, FRESHNESS_VALIDATION_MAX_AGE_HOURS: 'soon' })).toThrow(
      "FRESHNESS_VALIDATION_MAX_AGE_HOURS: expected an integer, got 'soon'",
    );
  });
});
