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

  // The one throttle-timing rule: every combination of hints, for each kind of throttle. A hint is a moment
  // before which access will not return, so the longest wins; without hints, the documented block or none.
  const REGAIN_1_MIN = {
    'x-business-use-case-usage': JSON.stringify({
      '77': [{ type: 'ads_insights', call_count: 100, estimated_time_to_regain_access: 1 }],
    }),
  };
  const RESET_300_S = {
    'x-ad-account-usage': JSON.stringify({
      acc_id_util_pct: 100,
      reset_time_duration: 300,
      ads_api_access_tier: 'standard_access',
    }),
  };
  const RETRY_AFTER_90_S = '90';
  const kinds = [
    {
      kind: 'BUC 80004/2446079',
      category: 'account_throttle',
      code: 80004,
      subcode: 2446079,
      none: undefined,
    },
    { kind: 'score 17/2446079', category: 'account_throttle', code: 17, subcode: 2446079, none: 300_000 },
    { kind: 'score 613/1487742', category: 'account_throttle', code: 613, subcode: 1487742, none: 300_000 },
    {
      kind: 'budget 613/1487632',
      category: 'account_throttle',
      code: 613,
      subcode: 1487632,
      none: 3_600_000,
    },
    { kind: 'app 4/1504022', category: 'app_throttle', code: 4, subcode: 1504022, none: undefined },
  ] as const;
  const hintSets = [
    { hints: 'none', regain: false, reset: false, retryAfter: false },
    { hints: 'regain 1 min', regain: true, reset: false, retryAfter: false },
    { hints: 'reset 300 s', regain: false, reset: true, retryAfter: false },
    { hints: 'Retry-After 90 s', regain: false, reset: false, retryAfter: true },
    { hints: 'regain + reset', regain: true, reset: true, retryAfter: false },
    { hints: 'regain + Retry-After', regain: true, reset: false, retryAfter: true },
    { hints: 'reset + Retry-After', regain: false, reset: true, retryAfter: true },
    { hints: 'all three', regain: true, reset: true, retryAfter: true },
  ];
  const table = kinds.flatMap((k) =>
    hintSets.map((h) => {
      const candidates = [h.regain ? 60_000 : 0, h.reset ? 300_000 : 0, h.retryAfter ? 90_000 : 0];
      const longest = Math.max(...candidates);
      // With only the standard-tier reset header the score limits' documented block would be 60 s; every
      // case here either gives a hint (the longest wins) or gives none (the documented block for the kind).
      return { ...k, ...h, expected: longest > 0 ? longest : k.none };
    }),
  );
  it.each(table)('$kind with $hints → $expected ms', (row) => {
    const usage = parseUsageHeaders({
      ...(row.regain ? REGAIN_1_MIN : {}),
      ...(row.reset ? RESET_300_S : {}),
    });
    expect(
      suggestRetryAfterMs({
        category: row.category,
        code: row.code,
        subcode: row.subcode,
        usage,
        adAccountId: '77',
        ...(row.retryAfter ? { retryAfterHeader: RETRY_AFTER_90_S } : {}),
      }),
    ).toBe(row.expected);
  });
});
