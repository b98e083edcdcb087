import { describe, expect, it } from 'vitest';
import { emptyUsage, parseUsageHeaders } from './parse-usage-headers.ts';
import { parseRetryAfter, suggestRetryAfterMs } from './retry-timing.ts';
import { throttledUsageHeaders } from './test-support/reference-bodies.ts';

const tierHeader = (tier: string) => ({
  'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 100, ads_api_access_tier: tier }),
});

describe('suggestRetryAfterMs', () => {
  it('BUC throttle: estimated_time_to_regain_access minutes → ms from the error response', () => {
    const usage = parseUsageHeaders(throttledUsageHeaders('123', 19));
    expect(suggestRetryAfterMs({ category: 'account_throttle', code: 80004, subcode: 2446079, usage })).toBe(
      1_140_000,
    );
  });

  it("prefers the call's own ad account entries over other keys", () => {
    const usage = parseUsageHeaders({
      'x-business-use-case-usage': JSON.stringify({
        '111': [{ type: 'ads_insights', estimated_time_to_regain_access: 50 }],
        '222': [{ type: 'ads_insights', estimated_time_to_regain_access: 3 }],
      }),
    });
    const input = { category: 'account_throttle' as const, code: 80000, subcode: 2446079, usage };
    expect(suggestRetryAfterMs({ ...input, adAccountId: '222' })).toBe(180_000);
    expect(suggestRetryAfterMs(input)).toBe(3_000_000);
    expect(suggestRetryAfterMs({ ...input, adAccountId: '999' })).toBe(3_000_000);
  });

  it('BUC throttle without a regain time: undefined (caller backs off)', () => {
    expect(
      suggestRetryAfterMs({
        category: 'account_throttle',
        code: 80000,
        subcode: 2446079,
        usage: emptyUsage(),
      }),
    ).toBeUndefined();
  });

  it.each([
    [17, 2446079],
    [613, 1487742],
  ])('score limit %i/%i: reset_time_duration seconds → ms', (code, subcode) => {
    const usage = parseUsageHeaders({
      'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":42}',
    });
    expect(suggestRetryAfterMs({ category: 'account_throttle', code, subcode, usage })).toBe(42_000);
  });

  it.each([
    ['standard_access', 60_000],
    ['development_access', 300_000],
    ['unknown tier', 300_000],
  ])('score limit without reset_time_duration: documented block for %s', (tier, expected) => {
    const usage = parseUsageHeaders(tier === 'unknown tier' ? {} : tierHeader(tier));
    expect(suggestRetryAfterMs({ category: 'account_throttle', code: 17, subcode: 2446079, usage })).toBe(
      expected,
    );
    expect(suggestRetryAfterMs({ category: 'account_throttle', code: 613, subcode: 1487742, usage })).toBe(
      expected,
    );
  });

  it('score limit: the longer of block and regain time', () => {
    const usage = parseUsageHeaders({ ...tierHeader('standard_access'), ...throttledUsageHeaders('1', 5) });
    expect(suggestRetryAfterMs({ category: 'account_throttle', code: 17, subcode: 2446079, usage })).toBe(
      300_000,
    );
  });

  it('app throttle uses the regain time when present', () => {
    const usage = parseUsageHeaders(throttledUsageHeaders('1', 2));
    expect(suggestRetryAfterMs({ category: 'app_throttle', code: 4, usage })).toBe(120_000);
    expect(suggestRetryAfterMs({ category: 'app_throttle', code: 4, usage: emptyUsage() })).toBeUndefined();
  });

  it('613/1487632 budget changes: one hour', () => {
    expect(
      suggestRetryAfterMs({ category: 'account_throttle', code: 613, subcode: 1487632, usage: emptyUsage() }),
    ).toBe(3_600_000);
  });

  it('transient: Retry-After seconds or HTTP date', () => {
    const now = Date.parse('2026-07-01T00:00:00Z');
    expect(suggestRetryAfterMs({ category: 'transient', usage: emptyUsage(), retryAfterHeader: '7' })).toBe(
      7000,
    );
    expect(
      suggestRetryAfterMs({
        category: 'transient',
        usage: emptyUsage(),
        retryAfterHeader: 'Wed, 01 Jul 2026 00:00:30 GMT',
        now,
      }),
    ).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it.each(['token_fatal', 'account_fatal', 'request_bug', 'policy', 'data_too_large'] as const)(
    '%s: no suggestion',
    (category) => {
      expect(
        suggestRetryAfterMs({ category, usage: parseUsageHeaders(throttledUsageHeaders('1')) }),
      ).toBeUndefined();
    },
  );
});
