import { describe, expect, it } from 'vitest';
import { halveLimit, splitInsightsParams, splitTimeRange } from './split-insights-params.ts';

describe('splitTimeRange', () => {
  it.each([
    // [since, until, increment, expected halves]
    [
      '2026-07-01',
      '2026-07-02',
      1,
      [
        ['2026-07-01', '2026-07-01'],
        ['2026-07-02', '2026-07-02'],
      ],
    ],
    [
      '2026-07-01',
      '2026-07-31',
      1,
      [
        ['2026-07-01', '2026-07-15'],
        ['2026-07-16', '2026-07-31'],
      ],
    ],
    [
      '2026-07-01',
      '2026-07-03',
      1,
      [
        ['2026-07-01', '2026-07-01'],
        ['2026-07-02', '2026-07-03'],
      ],
    ],
    [
      '2026-02-20',
      '2026-03-10',
      1,
      [
        ['2026-02-20', '2026-02-28'],
        ['2026-03-01', '2026-03-10'],
      ],
    ],
    [
      '2024-02-28',
      '2024-03-01',
      1,
      [
        ['2024-02-28', '2024-02-28'],
        ['2024-02-29', '2024-03-01'],
      ],
    ],
    // 7-day buckets from since: 4 buckets (28 days) → split after 2 buckets.
    [
      '2026-07-01',
      '2026-07-28',
      7,
      [
        ['2026-07-01', '2026-07-14'],
        ['2026-07-15', '2026-07-28'],
      ],
    ],
    // 3 buckets of 7 (last one partial) → split after 1 bucket.
    [
      '2026-07-01',
      '2026-07-17',
      7,
      [
        ['2026-07-01', '2026-07-07'],
        ['2026-07-08', '2026-07-17'],
      ],
    ],
    [
      '2026-01-15',
      '2026-04-10',
      'monthly',
      [
        ['2026-01-15', '2026-02-28'],
        ['2026-03-01', '2026-04-10'],
      ],
    ],
    [
      '2026-01-31',
      '2026-02-01',
      'monthly',
      [
        ['2026-01-31', '2026-01-31'],
        ['2026-02-01', '2026-02-01'],
      ],
    ],
  ] as const)('%s..%s by %s', (since, until, increment, expected) => {
    const halves = splitTimeRange({ since, until }, increment);
    expect(halves?.map((r) => [r.since, r.until])).toEqual(expected);
  });

  it.each([
    ['a single day', '2026-07-01', '2026-07-01', 1],
    ['one 7-day bucket', '2026-07-01', '2026-07-07', 7],
    ['one month', '2026-07-01', '2026-07-31', 'monthly'],
    ['all_days (totals cannot be re-added)', '2026-07-01', '2026-07-31', 'all_days'],
    ['an inverted range', '2026-07-05', '2026-07-01', 1],
  ] as const)('does not split %s', (_name, since, until, increment) => {
    expect(splitTimeRange({ since, until }, increment)).toBeUndefined();
  });
});

describe('splitInsightsParams', () => {
  it('halves a time_ranges list and keeps every other param', () => {
    const ranges = [1, 2, 3].map((d) => ({ since: `2026-07-0${d}`, until: `2026-07-0${d}` }));
    const halves = splitInsightsParams({
      level: 'campaign',
      fields: ['spend'],
      time_ranges: ranges,
      limit: 50,
    });
    expect(halves).toEqual([
      { level: 'campaign', fields: ['spend'], time_ranges: ranges.slice(0, 2), limit: 50 },
      { level: 'campaign', fields: ['spend'], time_ranges: ranges.slice(2), limit: 50 },
    ]);
  });

  it('splits time_range with daily increments', () => {
    const halves = splitInsightsParams({
      time_range: { since: '2026-07-01', until: '2026-07-04' },
      time_increment: 1,
    });
    expect(halves?.map((p) => p.time_range)).toEqual([
      { since: '2026-07-01', until: '2026-07-02' },
      { since: '2026-07-03', until: '2026-07-04' },
    ]);
  });

  it.each([
    ['a single time_ranges entry', { time_ranges: [{ since: '2026-07-01', until: '2026-07-31' }] }],
    ['time_range with the default all_days', { time_range: { since: '2026-07-01', until: '2026-07-31' } }],
    ['date_preset only', { date_preset: 'last_30d' }],
    ['a single day', { time_range: { since: '2026-07-01', until: '2026-07-01' }, time_increment: 1 }],
  ])('cannot split %s', (_name, params) => {
    expect(splitInsightsParams(params)).toBeUndefined();
  });
});

describe('halveLimit', () => {
  it.each([
    [{ limit: 100 }, 1, 50],
    [{ limit: 25 }, 1, 12],
    [{}, 1, 50],
    [{ limit: 15 }, 10, 10],
  ])('%j (min %i) → %i', (params, min, expected) => {
    expect(halveLimit(params, min)?.limit).toBe(expected);
  });

  it('cannot shrink below the floor', () => {
    expect(halveLimit({ limit: 10 }, 10)).toBeUndefined();
    expect(halveLimit({ limit: 1 })).toBeUndefined();
  });
});
