import { describe, expect, it } from 'vitest';
import { closedPeriods, monthSummaryPeriod, weekSummaryPeriod } from './summary-periods.ts';
import {
  DEFAULT_SUMMARY_PLAN_SETTINGS,
  isEngineRow,
  type PeriodStateInput,
  planSummaryFetches,
  sameInstant,
} from './summary-plan.ts';

const WRITTEN = '2026-12-02T00:31:12.123456+00:00';

function ours(fetchedOn = '2026-12-02'): PeriodStateInput {
  return {
    row: { lastUpdated: WRITTEN, dataSource: 'meta_api' },
    book: { outcome: 'written', fetchedOn, writtenAt: WRITTEN },
  };
}

describe('closedPeriods', () => {
  it('weekly: ISO Mondays before the running week, across the year boundary (2026-W53, 2027-W01)', () => {
    const weeks = closedPeriods('weekly', '2027-01-11', 3);
    expect(weeks.map((w) => [w.label, w.summaryDate, w.since, w.until])).toEqual([
      ['2027-W01', '2027-01-04', '2027-01-04', '2027-01-10'],
      ['2026-W53', '2026-12-28', '2026-12-28', '2027-01-03'],
      ['2026-W52', '2026-12-21', '2026-12-21', '2026-12-27'],
    ]);
    // On Sunday 2027-01-10 the week 2027-W01 is still running.
    expect(closedPeriods('weekly', '2027-01-10', 1)[0]?.label).toBe('2026-W53');
  });

  it('monthly: the months before the running one, 1st to last day', () => {
    expect(closedPeriods('monthly', '2027-01-01', 2).map((m) => [m.summaryDate, m.until])).toEqual([
      ['2026-12-01', '2026-12-31'],
      ['2026-11-01', '2026-11-30'],
    ]);
    expect(monthSummaryPeriod('2024-02-01').until).toBe('2024-02-29');
    expect(() => monthSummaryPeriod('2024-02-02')).toThrow('not the 1st');
    expect(() => weekSummaryPeriod('2026-12-29')).toThrow('not a Monday');
  });

  it('stops at the 37 months Meta serves', () => {
    const months = closedPeriods('monthly', '2026-12-05', 60);
    expect(months).toHaveLength(36);
    expect(months.at(-1)?.summaryDate).toBe('2023-12-01');
  });
});

describe('sameInstant', () => {
  it('compares Postgres timestamps to the microsecond, whatever the notation', () => {
    expect(sameInstant('2026-12-02T00:31:12.123456+00:00', '2026-12-02 01:31:12.123456+01')).toBe(true);
    expect(sameInstant('2026-12-02T00:31:12.123456+00:00', '2026-12-02T00:31:12.123457+00:00')).toBe(false);
    expect(sameInstant('2026-12-02T00:31:12+00:00', '2026-12-02T00:31:12Z')).toBe(true);
    expect(sameInstant(null, WRITTEN)).toBe(false);
    expect(sameInstant('yesterday', 'yesterday')).toBe(false);
  });

  it('a row is the engine’s only while its last_updated is the one the engine wrote', () => {
    expect(isEngineRow(ours())).toBe(true);
    expect(
      isEngineRow({
        ...ours(),
        row: { lastUpdated: '2026-12-03T03:20:00+00:00', dataSource: 'smart_cache_archive' },
      }),
    ).toBe(false);
    expect(isEngineRow({ row: null, book: ours().book })).toBe(false);
  });
});

describe('planSummaryFetches', () => {
  const settings = { ...DEFAULT_SUMMARY_PLAN_SETTINGS, pieceSize: 5 };

  it('a first run fetches the whole horizon, most recent first, in pieces', () => {
    const periods = closedPeriods('monthly', '2026-12-02', 12);
    const plan = planSummaryFetches({
      kind: 'monthly',
      today: '2026-12-02',
      periods,
      states: new Map(),
      settings,
    });
    expect(plan.fetch).toHaveLength(12);
    expect(plan.fetch.every((p) => p.reason === 'missing')).toBe(true);
    expect(plan.pieces.map((piece) => piece.length)).toEqual([5, 5, 2]);
    expect(plan.pieces[0]?.[0]?.summaryDate).toBe('2026-11-01');
    expect(plan.pieces[2]?.[1]?.summaryDate).toBe('2025-12-01');
  });

  it('goes on where it stopped: periods fetched today are done', () => {
    const periods = closedPeriods('monthly', '2026-12-02', 4);
    const states = new Map<string, PeriodStateInput>([
      ['2026-11-01', ours()],
      ['2026-10-01', { row: null, book: { outcome: 'empty', fetchedOn: '2026-12-02', writtenAt: null } }],
    ]);
    const plan = planSummaryFetches({ kind: 'monthly', today: '2026-12-02', periods, states, settings });
    expect(plan.fetch.map((p) => p.summaryDate)).toEqual(['2026-09-01', '2026-08-01']);
  });

  it('replaces rows of other writers, and only those, on an ordinary day', () => {
    const periods = closedPeriods('monthly', '2026-12-03', 3);
    const states = new Map<string, PeriodStateInput>([
      [
        '2026-11-01',
        { row: { lastUpdated: '2026-12-01T03:20:00+00:00', dataSource: 'smart_cache_archive' }, book: null },
      ],
      ['2026-10-01', ours('2026-11-05')],
      ['2026-09-01', ours('2026-10-05')],
    ]);
    const plan = planSummaryFetches({ kind: 'monthly', today: '2026-12-03', periods, states, settings });
    expect(plan.recollecting).toBe(false);
    expect(plan.fetch.map((p) => [p.summaryDate, p.reason])).toEqual([['2026-11-01', 'foreign']]);
  });

  it('on a re-collection day fetches again the periods Meta may still restate (28 days)', () => {
    const periods = closedPeriods('monthly', '2026-12-28', 3);
    const states = new Map<string, PeriodStateInput>([
      ['2026-11-01', ours('2026-12-15')],
      ['2026-10-01', ours('2026-11-28')],
      ['2026-09-01', ours('2026-10-28')],
    ]);
    const plan = planSummaryFetches({ kind: 'monthly', today: '2026-12-28', periods, states, settings });
    expect(plan.recollecting).toBe(true);
    // November ended 28 days ago (still in the window); October 58 days ago (settled).
    expect(plan.fetch.map((p) => [p.summaryDate, p.reason])).toEqual([['2026-11-01', 'restatement']]);
    const wider = planSummaryFetches({
      kind: 'monthly',
      today: '2026-12-28',
      periods,
      states,
      settings: { ...settings, restatementDays: 60 },
    });
    expect(wider.fetch.map((p) => p.summaryDate)).toEqual(['2026-11-01', '2026-10-01']);
  });

  it('weekly rows are re-collected on Mondays; an on-demand run re-collects any day', () => {
    const states = (today: string) =>
      new Map<string, PeriodStateInput>(
        closedPeriods('weekly', today, 6).map((p) => [p.summaryDate, ours('2026-12-01')]),
      );
    const monday = planSummaryFetches({
      kind: 'weekly',
      today: '2026-12-14',
      periods: closedPeriods('weekly', '2026-12-14', 6),
      states: states('2026-12-14'),
      settings,
    });
    // Weeks ending on or after 2026-11-16 (28 days).
    expect(monday.fetch.map((p) => p.label)).toEqual(['2026-W50', '2026-W49', '2026-W48', '2026-W47']);
    const thursday = {
      kind: 'weekly' as const,
      today: '2026-12-17',
      periods: closedPeriods('weekly', '2026-12-17', 6),
      states: states('2026-12-17'),
      settings,
    };
    expect(planSummaryFetches(thursday).fetch).toEqual([]);
    expect(planSummaryFetches({ ...thursday, recollect: true }).fetch.map((p) => p.label)).toEqual([
      '2026-W50',
      '2026-W49',
      '2026-W48',
      '2026-W47',
    ]);
  });

  it('an on-demand re-collection fetches again what was fetched today, but not what it fetched itself', () => {
    const periods = closedPeriods('monthly', '2026-12-03', 2);
    const states = new Map<string, PeriodStateInput>([
      ['2026-11-01', { ...ours('2026-12-03'), book: { ...ours('2026-12-03').book!, runId: 'tick-1' } }],
      ['2026-10-01', { ...ours('2026-12-03'), book: { ...ours('2026-12-03').book!, runId: 'run-7' } }],
    ]);
    const plan = planSummaryFetches({
      kind: 'monthly',
      today: '2026-12-03',
      periods,
      states,
      settings: { ...settings, restatementDays: 60 },
      recollect: true,
      runId: 'run-7',
    });
    expect(plan.fetch.map((p) => [p.summaryDate, p.reason])).toEqual([['2026-11-01', 'restatement']]);
  });

  it('a known empty period is not asked for every day', () => {
    const periods = closedPeriods('monthly', '2026-12-03', 1);
    const states = new Map<string, PeriodStateInput>([
      ['2026-11-01', { row: null, book: { outcome: 'empty', fetchedOn: '2026-12-01', writtenAt: null } }],
    ]);
    expect(
      planSummaryFetches({ kind: 'monthly', today: '2026-12-03', periods, states, settings }).fetch,
    ).toEqual([]);
    expect(
      planSummaryFetches({
        kind: 'monthly',
        today: '2026-12-05',
        periods: closedPeriods('monthly', '2026-12-05', 1),
        states,
        settings,
      }).fetch.map((p) => p.reason),
    ).toEqual(['restatement']);
  });
});
