import { describe, expect, it } from 'vitest';
import { cronPatternProblem } from './cron-pattern.ts';

describe('cronPatternProblem', () => {
  it.each([
    '0 6 * * *',
    '0 7-21/2 * * *',
    '30 2 * * *',
    '*/15 * * * *',
    '0 0 1 jan,jul *',
    '0 9 * * mon-fri',
    '0 0 ? * 7',
    '30 0 6 * * *',
  ])('accepts %s', (pattern) => {
    expect(cronPatternProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['@daily', 'expected 5 or 6 space-separated fields, got 1'],
    ['0 25 * * *', 'hour value 25 is outside 0-23'],
    ['61 * * * *', 'minute value 61 is outside 0-59'],
    ['0 0 0 * *', 'day-of-month value 0 is outside 1-31'],
    ['0 0 * 13 *', 'month value 13 is outside 1-12'],
    ['0 0 * * 8', 'day-of-week value 8 is outside 0-7'],
    ['0 21-7 * * *', 'hour range "21-7" runs backwards'],
    ['*/0 * * * *', 'minute step "0" must be a positive whole number'],
    ['0 0 * * funday', 'day-of-week value "funday" is not valid'],
    ['0 1-2-3 * * *', 'hour field "1-2-3" is not a number, range or list'],
  ])('rejects %s: %s', (pattern, problem) => {
    expect(cronPatternProblem(pattern)).toBe(problem);
  });
});
