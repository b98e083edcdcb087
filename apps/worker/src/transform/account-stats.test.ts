import { describe, expect, it } from 'vitest';
import { apiRates, buildAccountStats } from './account-stats.ts';
import type { InsightsRow } from './insights-row.ts';

const campaignA: InsightsRow = {
  campaign_id: 'A',
  spend: '600.00',
  impressions: '40000',
  clicks: '900',
  inline_link_clicks: '600',
  inline_link_click_ctr: '1.5',
  cost_per_inline_link_click: '1.00',
};
const campaignB: InsightsRow = {
  campaign_id: 'B',
  spend: '400.00',
  impressions: '10000',
  clicks: '250',
  inline_link_clicks: '200',
  inline_link_click_ctr: '2.0',
  cost_per_inline_link_click: '2.00',
};
// Meta de-duplicates across campaigns; its account CTR is not sum(clicks)/sum(impressions) = 1.6.
const accountRow: InsightsRow = {
  spend: '1000.00',
  impressions: '50000',
  inline_link_clicks: '800',
  inline_link_click_ctr: '1.713',
  cost_per_inline_link_click: '1.25',
};

describe('apiRates', () => {
  it('uses the account-level API values first', () => {
    expect(apiRates(accountRow, [campaignA, campaignB])).toEqual({
      ctr: 1.713,
      cpc: 1.25,
      ctrSource: 'account',
      cpcSource: 'account',
    });
  });

  it('falls back to the link-click-weighted average of campaign API values', () => {
    const rates = apiRates(undefined, [campaignA, campaignB]);
    expect(rates.ctr).toBeCloseTo((1.5 * 600 + 2.0 * 200) / 800, 12);
    expect(rates.cpc).toBeCloseTo((1.0 * 600 + 2.0 * 200) / 800, 12);
    expect(rates.ctrSource).toBe('campaigns');
    // Not the value computed from totals.
    expect(rates.ctr).not.toBeCloseTo((800 / 50000) * 100, 3);
  });

  it('resolves CTR and CPC independently (Meta omits cost_per_inline_link_click at zero clicks)', () => {
    const partial: InsightsRow = { inline_link_click_ctr: '0' };
    expect(apiRates(partial, [campaignA])).toEqual({
      ctr: 0,
      cpc: 1,
      ctrSource: 'account',
      cpcSource: 'campaigns',
    });
  });

  it('is 0 when neither the account nor any campaign with clicks has a value', () => {
    const noClicks: InsightsRow = {
      spend: '5',
      impressions: '100',
      inline_link_clicks: '0',
      inline_link_click_ctr: '0',
    };
    expect(apiRates({ inline_link_click_ctr: '' }, [noClicks])).toEqual({
      ctr: 0,
      cpc: 0,
      ctrSource: 'none',
      cpcSource: 'none',
    });
    expect(apiRates(undefined, [])).toEqual({ ctr: 0, cpc: 0, ctrSource: 'none', cpcSource: 'none' });
  });
});

describe('buildAccountStats', () => {
  it('sums campaign rows and takes CTR/CPC from the API', () => {
    expect(
      buildAccountStats({ campaignRows: [campaignA, campaignB], accountRow, totalConversions: 7 }),
    ).toEqual({
      totalSpend: 1000,
      totalImpressions: 50000,
      totalClicks: 800,
      totalConversions: 7,
      averageCtr: 1.713,
      averageCpc: 1.25,
    });
  });

  it('gives zero stats for no rows', () => {
    expect(buildAccountStats({ campaignRows: [], totalConversions: 0 })).toEqual({
      totalSpend: 0,
      totalImpressions: 0,
      totalClicks: 0,
      totalConversions: 0,
      averageCtr: 0,
      averageCpc: 0,
    });
  });
});
