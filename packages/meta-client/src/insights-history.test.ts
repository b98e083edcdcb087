import { describe, expect, it } from 'vitest';
import { earliestInsightsDate } from './insights-history.ts';

describe('earliestInsightsDate', () => {
  it('is today minus 37 months plus one day, the day clamped to the month end', () => {
    expect(earliestInsightsDate('2026-07-20')).toBe('2023-06-21');
    expect(earliestInsightsDate('2026-05-31')).toBe('2023-05-01');
    expect(earliestInsightsDate('2027-01-31')).toBe('2024-01-01');
  });

  it('refuses what is not a date', () => {
    expect(() => earliestInsightsDate('20260720')).toThrow(/expected a date as YYYY-MM-DD/);
  });
});
