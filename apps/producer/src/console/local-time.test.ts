import { describe, expect, it } from 'vitest';
import { addDays, isTimeZone, localNow, monthPeriodOf, startOfLocalDay, weekPeriodOf } from './local-time.ts';

describe('localNow', () => {
  it.each([
    ['2026-03-31T22:30:00Z', 'Europe/Warsaw', { date: '2026-04-01', hour: 0 }],
    ['2026-03-31T21:30:00Z', 'Europe/Warsaw', { date: '2026-03-31', hour: 23 }],
    ['2026-07-20T03:59:59Z', 'Europe/Warsaw', { date: '2026-07-20', hour: 5 }],
    ['2026-07-20T04:00:00Z', 'Europe/Warsaw', { date: '2026-07-20', hour: 6 }],
    ['2026-01-01T00:30:00Z', 'America/New_York', { date: '2025-12-31', hour: 19 }],
    ['2026-01-01T00:30:00Z', 'UTC', { date: '2026-01-01', hour: 0 }],
  ])('%s in %s', (instant, zone, expected) => {
    expect(localNow(new Date(instant), zone)).toEqual(expected);
  });
});

describe('period ids (the worker writes the account-zone periods)', () => {
  it.each([
    ['2025-12-29', '2025-12', '2026-W01'],
    ['2026-01-01', '2026-01', '2026-W01'],
    ['2027-01-01', '2027-01', '2026-W53'],
    ['2026-07-20', '2026-07', '2026-W30'],
    ['2026-07-19', '2026-07', '2026-W29'],
    ['2021-01-03', '2021-01', '2020-W53'],
  ])('%s -> %s, %s', (date, month, week) => {
    expect(monthPeriodOf(date)).toBe(month);
    expect(weekPeriodOf(date)).toBe(week);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });
});

describe('startOfLocalDay', () => {
  it('finds local midnight, also on the days the clocks change', () => {
    expect(new Date(startOfLocalDay('2026-07-20', 'Europe/Warsaw')).toISOString()).toBe(
      '2026-07-19T22:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-01-20', 'Europe/Warsaw')).toISOString()).toBe(
      '2026-01-19T23:00:00.000Z',
    );
    // 2026-03-29: Warsaw goes from +01:00 to +02:00 at 02:00; midnight is still +01:00.
    expect(new Date(startOfLocalDay('2026-03-29', 'Europe/Warsaw')).toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-10-25', 'Europe/Warsaw')).toISOString()).toBe(
      '2026-10-24T22:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2026-07-20', 'UTC')).toISOString()).toBe('2026-07-20T00:00:00.000Z');
  });

  it('knows which zones exist', () => {
    expect(isTimeZone('Europe/Warsaw')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
