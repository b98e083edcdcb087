import { describe, expect, it } from 'vitest';
import { MetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import { validateInsightsParams } from './insights-params.ts';

describe('validateInsightsParams: time_range dates', () => {
  it.each(['2026-07-31', '2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01'])(
    'accepts the real day %s',
    (day) => {
      expect(validateInsightsParams({ time_range: { since: day, until: day } })).toEqual({
        time_range: { since: day, until: day },
      });
    },
  );

  it.each([
    ['2026-02-29', 'not a calendar date'],
    ['2100-02-29', 'not a calendar date'],
    ['2026-04-31', 'not a calendar date'],
    ['2026-13-01', 'not a calendar date'],
    ['2026-00-10', 'not a calendar date'],
    ['2026-05-00', 'not a calendar date'],
    ['2026-5-1', 'expected YYYY-MM-DD'],
  ])('refuses %s (%s), naming the field', (day, why) => {
    const call = () =>
      validateInsightsParams({ time_range: { since: day, until: '2026-12-31' } }, '/act_1/insights');
    expect(call).toThrow(MetaInvalidRequestError);
    expect(call).toThrow(`Invalid insights params: time_range.since: ${why}`);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() =>
      validateInsightsParams({ time_range: { since: '2026-07-02', until: '2026-07-01' } }),
    ).toThrow('since is after until');
  });
});
