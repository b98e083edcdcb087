import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  anyZoneMonthWindow,
  clampToInsightsHistory,
  currentPeriods,
  dateRange,
  daysBetween,
  earliestInsightsDate,
  isIsoDate,
  isMonday,
  isoWeek,
  localDate,
  monthPeriod,
  weekPeriod,
  weekPeriodId,
  yesterday,
} from './periods.ts';

describe('localDate', () => {
  it.each([
    // UTC and the account's zone disagree about the day.
    ['2026-03-31T23:30:00Z', 'Europe/Warsaw', '2026-04-01'],
    ['2026-03-31T21:59:00Z', 'Europe/Warsaw', '2026-03-31'],
    ['2026-03-31T22:00:00Z', 'Europe/Warsaw', '2026-04-01'],
    ['2026-01-01T05:00:00Z', 'America/Los_Angeles', '2025-12-31'],
    ['2026-01-01T08:00:00Z', 'America/Los_Angeles', '2026-01-01'],
    ['2026-01-31T11:30:00Z', 'Pacific/Auckland', '2026-02-01'],
    ['2026-01-31T10:59:00Z', 'Pacific/Auckland', '2026-01-31'],
    ['2026-07-01T00:30:00Z', 'UTC', '2026-07-01'],
  ])('%s in %s is %s', (instant, zone, expected) => {
    expect(localDate(new Date(instant), zone)).toBe(expected);
  });

  it.each([
    // Warsaw springs forward 2026-03-29 01:00Z (UTC+1 -> UTC+2).
    ['2026-03-28T22:59:00Z', 'Europe/Warsaw', '2026-03-28'],
    ['2026-03-28T23:00:00Z', 'Europe/Warsaw', '2026-03-29'],
    // After the change midnight is 22:00Z: a fixed +1h offset would still say March 29.
    ['2026-03-29T22:30:00Z', 'Europe/Warsaw', '2026-03-30'],
    // Warsaw falls back 2026-10-25 01:00Z: midnight is 23:00Z again.
    ['2026-10-25T22:30:00Z', 'Europe/Warsaw', '2026-10-25'],
    ['2026-10-24T22:30:00Z', 'Europe/Warsaw', '2026-10-25'],
    // Los Angeles springs forward 2026-03-08 10:00Z (UTC-8 -> UTC-7).
    ['2026-03-08T07:30:00Z', 'America/Los_Angeles', '2026-03-07'],
    ['2026-03-09T07:30:00Z', 'America/Los_Angeles', '2026-03-09'],
    // Auckland leaves summer time 2026-04-05 (UTC+13 -> UTC+12).
    ['2026-04-04T11:30:00Z', 'Pacific/Auckland', '2026-04-05'],
    ['2026-04-05T11:30:00Z', 'Pacific/Auckland', '2026-04-05'],
    ['2026-04-05T12:30:00Z', 'Pacific/Auckland', '2026-04-06'],
  ])('across DST: %s in %s is %s', (instant, zone, expected) => {
    expect(localDate(new Date(instant), zone)).toBe(expected);
  });

  it('answers every instant of a run of calls right, across local midnight, in several zones at once', () => {
    // The last answer per zone is reused within a minute of UTC: consecutive calls, a millisecond apart
    // around Warsaw's midnight (22:00Z in summer) and interleaved with other zones, must still change day.
    const start = Date.parse('2026-07-14T21:59:59.990Z');
    const seen: string[] = [];
    for (let ms = start; ms < start + 20; ms++) {
      seen.push(localDate(new Date(ms), 'Europe/Warsaw'));
      expect(localDate(new Date(ms), 'UTC')).toBe('2026-07-14');
      expect(localDate(new Date(ms), 'Asia/Kathmandu')).toBe('2026-07-15');
    }
    expect(seen.slice(0, 10).every((date) => date === '2026-07-14')).toBe(true);
    expect(seen.slice(10).every((date) => date === '2026-07-15')).toBe(true);
    // Before 1980 some offsets had seconds (Liberia, UTC-0:44:30 until 1972): such instants are not reused.
    expect(localDate(new Date('1970-06-01T00:44:00Z'), 'Africa/Monrovia')).toBe('1970-05-31');
    expect(localDate(new Date('1970-06-01T00:44:31Z'), 'Africa/Monrovia')).toBe('1970-06-01');
  });

  it('rejects unknown zones and invalid instants instead of guessing UTC', () => {
    expect(() => localDate(new Date('2026-01-01T00:00:00Z'), 'Europe/Nowhere')).toThrow(RangeError);
    expect(() => localDate(new Date('nope'), 'Europe/Warsaw')).toThrow(RangeError);
  });
});

describe('date arithmetic', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-03-31', 1)).toBe('2026-04-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
  });

  it('is unaffected by DST: the spring-forward day is one day, not 23 hours', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(dateRange('2026-03-28', '2026-03-31')).toEqual([
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
      '2026-03-31',
    ]);
    expect(dateRange('2026-10-24', '2026-10-26')).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
  });

  it('clamps addMonths to the last day of the target month', () => {
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2028-03-31', -1)).toBe('2028-02-29');
    expect(addMonths('2026-01-15', -37)).toBe('2022-12-15');
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
  });

  it('lists inclusive ranges and returns [] for reversed ones', () => {
    expect(dateRange('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(dateRange('2026-05-05', '2026-05-05')).toEqual(['2026-05-05']);
    expect(dateRange('2026-05-06', '2026-05-05')).toEqual([]);
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
  });

  it('rejects malformed and impossible dates', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-2-3', 1)).toThrow(RangeError);
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate(20260228)).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2100-02-29')).toBe(false);
    expect(isIsoDate('2026-00-10')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-04-31')).toBe(false);
    expect(isIsoDate('2026-04-00')).toBe(false);
    expect(isIsoDate('0099-01-01')).toBe(false);
    expect(isIsoDate('2026-12-31')).toBe(true);
  });

  it('knows Mondays', () => {
    expect(isMonday('2026-03-30')).toBe(true);
    expect(isMonday('2026-03-29')).toBe(false);
    expect(isMonday('2025-12-29')).toBe(true);
  });
});

describe('ISO weeks', () => {
  it.each([
    ['2025-12-29', '2026-W01'],
    ['2026-01-01', '2026-W01'],
    ['2026-01-04', '2026-W01'],
    ['2026-01-05', '2026-W02'],
    ['2027-01-01', '2026-W53'],
    ['2021-01-03', '2020-W53'],
    ['2024-12-30', '2025-W01'],
    ['2026-07-20', '2026-W30'],
  ])('%s is in %s', (date, id) => {
    expect(weekPeriodId(date)).toBe(id);
  });

  it('returns the week-year separately from the calendar year', () => {
    expect(isoWeek('2025-12-31')).toEqual({ isoYear: 2026, week: 1 });
  });

  it('ends the current week today, and on Sunday for a past date', () => {
    expect(weekPeriod('2026-04-01')).toEqual({
      periodId: '2026-W14',
      start: '2026-03-30',
      end: '2026-04-01',
    });
    expect(weekPeriod('2026-04-05')).toEqual({
      periodId: '2026-W14',
      start: '2026-03-30',
      end: '2026-04-05',
    });
    expect(weekPeriod('2026-03-30')).toEqual({
      periodId: '2026-W14',
      start: '2026-03-30',
      end: '2026-03-30',
    });
  });

  it('uses the ISO week-year in the New Year week', () => {
    expect(weekPeriod('2026-01-02')).toEqual({
      periodId: '2026-W01',
      start: '2025-12-29',
      end: '2026-01-02',
    });
  });
});

describe('monthPeriod', () => {
  it('covers the full calendar month including future days', () => {
    expect(monthPeriod('2026-04-01')).toEqual({
      periodId: '2026-04',
      start: '2026-04-01',
      end: '2026-04-30',
    });
    expect(monthPeriod('2028-02-10')).toEqual({
      periodId: '2028-02',
      start: '2028-02-01',
      end: '2028-02-29',
    });
    expect(monthPeriod('2026-12-31')).toEqual({
      periodId: '2026-12',
      start: '2026-12-01',
      end: '2026-12-31',
    });
  });
});

describe('currentPeriods', () => {
  it('puts 2026-03-31T23:30Z in April in Warsaw, in a week spanning March and April', () => {
    expect(currentPeriods(new Date('2026-03-31T23:30:00Z'), 'Europe/Warsaw')).toEqual({
      today: '2026-04-01',
      yesterday: '2026-03-31',
      month: { periodId: '2026-04', start: '2026-04-01', end: '2026-04-30' },
      week: { periodId: '2026-W14', start: '2026-03-30', end: '2026-04-01' },
    });
  });

  it('keeps 2026-01-01T05:00Z in December 2025 in Los Angeles', () => {
    const periods = currentPeriods(new Date('2026-01-01T05:00:00Z'), 'America/Los_Angeles');
    expect(periods.today).toBe('2025-12-31');
    expect(periods.month.periodId).toBe('2025-12');
    expect(periods.week).toEqual({ periodId: '2026-W01', start: '2025-12-29', end: '2025-12-31' });
  });

  it('moves Auckland into the next month hours before UTC', () => {
    const periods = currentPeriods(new Date('2026-01-31T11:30:00Z'), 'Pacific/Auckland');
    expect(periods.month.periodId).toBe('2026-02');
    expect(periods.week).toEqual({ periodId: '2026-W05', start: '2026-01-26', end: '2026-02-01' });
  });

  it('gives yesterday in the account zone', () => {
    expect(yesterday(new Date('2026-03-29T22:30:00Z'), 'Europe/Warsaw')).toBe('2026-03-29');
    expect(yesterday(new Date('2026-03-29T22:30:00Z'), 'UTC')).toBe('2026-03-28');
  });
});

describe('37-month history limit', () => {
  it('is today minus 37 months plus one day', () => {
    expect(earliestInsightsDate('2026-07-20')).toBe('2023-06-21');
    // Clamped month end: 2026-05-31 minus 37 months is 2023-04-30.
    expect(earliestInsightsDate('2026-05-31')).toBe('2023-05-01');
  });

  it('moves older starts forward and leaves recent ones alone', () => {
    expect(clampToInsightsHistory('2020-01-01', '2026-07-20')).toBe('2023-06-21');
    expect(clampToInsightsHistory('2026-06-01', '2026-07-20')).toBe('2026-06-01');
  });
});

describe('anyZoneMonthWindow', () => {
  const zones = [
    'Etc/GMT+12',
    'Pacific/Honolulu',
    'America/Los_Angeles',
    'UTC',
    'Europe/Warsaw',
    'Pacific/Auckland',
    'Pacific/Kiritimati',
  ];
  it("holds every zone's current month, at month ends and starts too", () => {
    for (const instant of [
      '2026-07-31T23:59:59Z',
      '2026-08-01T00:00:00Z',
      '2026-08-01T11:00:00Z',
      '2026-08-15T12:00:00Z',
      '2026-12-31T10:30:00Z',
      '2027-01-01T13:00:00Z',
      '2028-02-29T23:00:00Z',
    ]) {
      const now = new Date(instant);
      const window = anyZoneMonthWindow(now);
      for (const zone of zones) {
        const month = monthPeriod(localDate(now, zone));
        expect(month.start >= window.since && month.end <= window.until, `${instant} in ${zone}`).toBe(true);
      }
    }
  });

  it('is the UTC month alone in mid-month, and two months at a month boundary', () => {
    expect(anyZoneMonthWindow(new Date('2026-08-15T12:00:00Z'))).toEqual({
      since: '2026-08-01',
      until: '2026-08-31',
    });
    expect(anyZoneMonthWindow(new Date('2026-08-01T03:00:00Z'))).toEqual({
      since: '2026-07-01',
      until: '2026-08-31',
    });
    expect(anyZoneMonthWindow(new Date('2026-12-31T20:00:00Z'))).toEqual({
      since: '2026-12-01',
      until: '2027-01-31',
    });
  });
});
