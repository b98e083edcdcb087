import { describe, expect, it } from 'vitest';
import {
  buildCollectInsightsRequest,
  buildRefreshCachePlan,
  CAMPAIGN_INSIGHTS_FIELDS,
  collectInsightsRange,
  splitRowsByRange,
} from './insights-requests.ts';
import type { InsightsRow } from './insights-row.ts';

describe('buildRefreshCachePlan', () => {
  it('asks each question once for month and week: 5 calls, 6 with ad relevance', () => {
    const plan = buildRefreshCachePlan({ today: '2026-04-01' });
    expect(plan.requests.map((r) => r.purpose)).toEqual([
      'campaigns',
      'account',
      'placement',
      'demographic',
      'geographic',
    ]);
    expect(buildRefreshCachePlan({ today: '2026-04-01', includeAdRelevance: true }).requests).toHaveLength(6);
    expect(
      buildRefreshCachePlan({ today: '2026-04-01', includeAdRelevance: true }).requests.at(-1),
    ).toMatchObject({
      purpose: 'ad_relevance',
      optional: true,
      params: { level: 'ad' },
    });
  });

  it('sends both ranges in every call, for a week spanning two months', () => {
    const plan = buildRefreshCachePlan({ today: '2026-04-01' });
    expect(plan.periods).toEqual({
      month: { periodId: '2026-04', start: '2026-04-01', end: '2026-04-30' },
      week: { periodId: '2026-W14', start: '2026-03-30', end: '2026-04-01' },
    });
    expect(plan.ranges).toEqual({
      month: { since: '2026-04-01', until: '2026-04-01' },
      week: { since: '2026-03-30', until: '2026-04-01' },
    });
    for (const request of plan.requests) {
      expect(request.params.time_ranges).toEqual([plan.ranges.month, plan.ranges.week]);
      expect(request.params.time_range).toBeUndefined();
      expect(request.params.time_increment).toBeUndefined();
      expect(request.params.limit).toBe(500);
      expect(request.why.length).toBeGreaterThan(10);
    }
  });

  it('asks the month only up to today, and one range when month and week coincide', () => {
    expect(buildRefreshCachePlan({ today: '2026-07-20' }).ranges.month).toEqual({
      since: '2026-07-01',
      until: '2026-07-20',
    });
    // Monday 2026-06-01: the month so far and the week so far are the same day.
    const plan = buildRefreshCachePlan({ today: '2026-06-01' });
    expect(plan.requests[0]?.params.time_ranges).toEqual([{ since: '2026-06-01', until: '2026-06-01' }]);
  });

  it('uses the app fields, levels, breakdowns and attribution per call', () => {
    const [campaigns, account, placement, demographic, geographic] = buildRefreshCachePlan({
      today: '2026-07-20',
    }).requests;
    expect(campaigns?.params).toMatchObject({ level: 'campaign', use_unified_attribution_setting: true });
    expect(campaigns?.params.fields).toEqual(CAMPAIGN_INSIGHTS_FIELDS);
    expect(account?.params).toMatchObject({ level: 'account' });
    expect(account?.params.fields).toContain('inline_link_click_ctr');
    expect(account?.params.fields).toContain('cost_per_inline_link_click');
    expect(placement?.params.breakdowns).toEqual(['publisher_platform', 'platform_position']);
    expect(demographic?.params.breakdowns).toEqual(['age', 'gender']);
    expect(geographic?.params.breakdowns).toEqual(['country', 'region']);
    expect(geographic?.params.fields).toContain('inline_link_clicks');
  });

  it('rejects a malformed today', () => {
    expect(() => buildRefreshCachePlan({ today: '2026-13-01' })).toThrow(RangeError);
  });
});

describe('splitRowsByRange', () => {
  const plan = buildRefreshCachePlan({ today: '2026-04-01' });
  const row = (campaign: string, since: string, until: string): InsightsRow => ({
    campaign_id: campaign,
    spend: '1',
    date_start: since,
    date_stop: until,
  });

  it('splits a time_ranges answer into month and week rows', () => {
    const rows = [
      row('A', '2026-04-01', '2026-04-01'),
      row('A', '2026-03-30', '2026-04-01'),
      row('B', '2026-03-30', '2026-04-01'),
      row('C', '2026-03-01', '2026-03-31'),
      // Same start as the week but a different stop: not the week's aggregate.
      row('D', '2026-03-30', '2026-04-05'),
    ];
    const { byRange, unmatched } = splitRowsByRange(rows, plan.ranges);
    expect(byRange.month.map((r) => r.campaign_id)).toEqual(['A']);
    expect(byRange.week.map((r) => r.campaign_id)).toEqual(['A', 'B']);
    expect(unmatched.map((r) => r.campaign_id)).toEqual(['C', 'D']);
  });

  it('gives rows to both periods when their ranges are identical', () => {
    const same = buildRefreshCachePlan({ today: '2026-06-01' });
    const { byRange, unmatched } = splitRowsByRange([row('A', '2026-06-01', '2026-06-01')], same.ranges);
    expect(byRange.month).toHaveLength(1);
    expect(byRange.week).toHaveLength(1);
    expect(unmatched).toEqual([]);
  });

  it('returns empty lists for every range when there are no rows', () => {
    expect(splitRowsByRange([], plan.ranges)).toEqual({ byRange: { month: [], week: [] }, unmatched: [] });
  });
});

describe('collect-insights', () => {
  it('requests campaign x day rows with the app fields', () => {
    expect(buildCollectInsightsRequest({ since: '2026-06-21', until: '2026-07-19' })).toMatchObject({
      purpose: 'campaign_days',
      params: {
        level: 'campaign',
        time_range: { since: '2026-06-21', until: '2026-07-19' },
        time_increment: 1,
        use_unified_attribution_setting: true,
        limit: 500,
        fields: CAMPAIGN_INSIGHTS_FIELDS,
      },
    });
    expect(() => buildCollectInsightsRequest({ since: '2026-07-20', until: '2026-07-19' })).toThrow(
      RangeError,
    );
  });

  it.each([
    [
      're-reads the lookback from the high-water date',
      { highWaterDate: '2026-07-19' },
      { since: '2026-06-21', until: '2026-07-19' },
    ],
    [
      'uses a custom lookback',
      { highWaterDate: '2026-07-19', lookbackDays: 3 },
      { since: '2026-07-16', until: '2026-07-19' },
    ],
    [
      'backfills N days ending yesterday on the first run',
      { highWaterDate: null, backfillDays: 60 },
      { since: '2026-05-21', until: '2026-07-19' },
    ],
    [
      'clamps a long backfill to 37 months',
      { backfillDays: 5000 },
      { since: '2023-06-21', until: '2026-07-19' },
    ],
    [
      'has nothing to do when the high-water date is ahead',
      { highWaterDate: '2026-08-30', lookbackDays: 0 },
      null,
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(collectInsightsRange({ today: '2026-07-20', backfillDays: 90, ...overrides })).toEqual(expected);
  });

  it('rejects invalid lookback and backfill settings', () => {
    expect(() => collectInsightsRange({ today: '2026-07-20', backfillDays: 0 })).toThrow(RangeError);
    expect(() => collectInsightsRange({ today: '2026-07-20', backfillDays: 5, lookbackDays: -1 })).toThrow(
      RangeError,
    );
  });
});
