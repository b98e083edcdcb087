import { describe, expect, it } from 'vitest';
import { emptyUsage, parseUsageHeaders } from './parse-usage-headers.ts';
import { summarizeUsage } from './summarize-usage.ts';
import { throttledUsageHeaders } from './test-support/reference-bodies.ts';

describe('summarizeUsage', () => {
  it('is all zeros for an empty snapshot', () => {
    expect(summarizeUsage(emptyUsage())).toEqual({
      maxUtilPct: 0,
      appUtilPct: 0,
      maxRegainMs: 0,
      resetMs: 0,
    });
  });

  it('takes the max over every header and field, regain minutes → ms, reset seconds → ms', () => {
    const usage = parseUsageHeaders({
      ...throttledUsageHeaders('123', 19),
      'x-app-usage': '{"call_count": 28, "total_time": 31, "total_cputime": 25}',
    });
    expect(summarizeUsage(usage)).toEqual({
      maxUtilPct: 100,
      appUtilPct: 31,
      maxRegainMs: 19 * 60_000,
      resetMs: 100_000,
    });
  });

  it('sees a high total_cputime even when call_count is low', () => {
    const usage = parseUsageHeaders({
      'x-business-use-case-usage': JSON.stringify({
        '1': [{ type: 'ads_insights', call_count: 3, total_cputime: 96, total_time: 10 }],
        '2': [{ type: 'ads_management', call_count: 1, estimated_time_to_regain_access: 4 }],
      }),
    });
    expect(summarizeUsage(usage)).toMatchObject({ maxUtilPct: 96, maxRegainMs: 240_000 });
  });
});
