import { describe, expect, it } from 'vitest';
import { formatIsoDay, parseIsoDay } from '../util/dates.ts';
import { presetRange, resolveTime, splitByIncrement } from './time-ranges.ts';

const day = (iso: string) => parseIsoDay(iso) as number;
const fmt = (bucket: { start: number; end: number } | null) =>
  bucket && [formatIsoDay(bucket.start), formatIsoDay(bucket.end)];
const TODAY = day('2026-11-24'); // a Tuesday

describe('presetRange', () => {
  it.each([
    ['today', ['2026-11-24', '2026-11-24']],
    ['yesterday', ['2026-11-23', '2026-11-23']],
    ['last_7d', ['2026-11-17', '2026-11-23']],
    ['last_30d', ['2026-10-25', '2026-11-23']],
    ['this_month', ['2026-11-01', '2026-11-24']],
    ['last_month', ['2026-10-01', '2026-10-31']],
    ['this_quarter', ['2026-10-01', '2026-11-24']],
    ['last_quarter', ['2026-07-01', '2026-09-30']],
    ['last_year', ['2025-01-01', '2025-12-31']],
    ['last_week_mon_sun', ['2026-11-16', '2026-11-22']],
    ['last_week_sun_sat', ['2026-11-15', '2026-11-21']],
    ['this_week_mon_today', ['2026-11-23', '2026-11-24']],
    ['maximum', ['2023-10-24', '2026-11-24']],
  ])('%s', (preset, expected) => {
    expect(fmt(presetRange(preset, TODAY))).toEqual(expected);
  });

  it('unknown presets are null', () => {
    expect(presetRange('last_5d', TODAY)).toBeNull();
  });
});

describe('splitByIncrement', () => {
  const span = { start: day('2026-01-30'), end: day('2026-03-02') };
  it('monthly buckets follow calendar months', () => {
    const buckets = splitByIncrement(span, 'monthly');
    expect(Array.isArray(buckets) && buckets.map(fmt)).toEqual([
      ['2026-01-30', '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', '2026-03-02'],
    ]);
  });
  it('N-day buckets start at since and the last one is cut at until', () => {
    const buckets = splitByIncrement(span, '30');
    expect(Array.isArray(buckets) && buckets.map(fmt)).toEqual([
      ['2026-01-30', '2026-02-28'],
      ['2026-03-01', '2026-03-02'],
    ]);
  });
  it.each(['0', '91', 'weekly', '1.5'])('rejects %s', (increment) => {
    expect(typeof splitByIncrement(span, increment)).toBe('string');
  });
});

describe('resolveTime', () => {
  it('defaults to last_30d, all days', () => {
    const result = resolveTime({}, TODAY);
    expect(result.ok && result.value.buckets.map(fmt)).toEqual([['2026-10-25', '2026-11-23']]);
  });
  it('time_ranges override time_range and time_increment', () => {
    const result = resolveTime(
      {
        timeRange: { since: '2026-01-01', until: '2026-01-31' },
        timeIncrement: '1',
        timeRanges: [
          { since: '2026-11-01', until: '2026-11-02' },
          { since: '2026-10-01', until: '2026-10-01' },
        ],
      },
      TODAY,
    );
    expect(result.ok && result.value.buckets.map(fmt)).toEqual([
      ['2026-11-01', '2026-11-02'],
      ['2026-10-01', '2026-10-01'],
    ]);
  });
  it('rejects starts more than 37 months back, accepts exactly 37', () => {
    expect(resolveTime({ timeRange: { since: '2023-10-23', until: '2023-12-01' } }, TODAY)).toMatchObject({
      ok: false,
      tooOld: true,
    });
    expect(resolveTime({ timeRange: { since: '2023-10-24', until: '2023-12-01' } }, TODAY).ok).toBe(true);
  });
  it('rejects malformed and reversed ranges', () => {
    expect(resolveTime({ timeRange: { since: '2026-11-10', until: '2026-11-01' } }, TODAY).ok).toBe(false);
    expect(resolveTime({ timeRange: { since: '2026-13-01', until: '2026-11-01' } }, TODAY).ok).toBe(false);
    expect(resolveTime({ datePreset: 'forever' }, TODAY).ok).toBe(false);
  });
});
