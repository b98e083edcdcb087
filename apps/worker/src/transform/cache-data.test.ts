import { findSecret } from '@meta-engine/runtime';
import { describe, expect, it } from 'vitest';
import {
  buildMonthCacheData,
  buildWeekCacheData,
  type MetaAccountInfo,
  resolveMonthConversionMetrics,
} from './cache-data.ts';
import { emptyConversionMetrics } from './conversions.ts';
import type { InsightsRow } from './insights-row.ts';

const TOKEN = 'EAAFakeCacheDataTestToken02';

const summer: InsightsRow = {
  campaign_id: '120211000000000001',
  campaign_name: 'Havet - Lato 2026',
  spend: '800.00',
  impressions: '52000',
  clicks: '1400',
  inline_link_clicks: '1000',
  inline_link_click_ctr: '1.923077',
  cost_per_inline_link_click: '0.80',
  cpm: '15.384615',
  cpp: '28.57',
  reach: '28000',
  frequency: '1.857143',
  actions: [
    { action_type: 'omni_search', value: '300' },
    { action_type: 'offsite_conversion.fb_pixel_search', value: '300' },
    { action_type: 'omni_purchase', value: '4' },
    { action_type: 'offsite_conversion.fb_pixel_purchase', value: '4' },
    { action_type: 'offsite_conversion.custom.1470262077092668', value: '9' },
    { action_type: 'click_to_call_call_confirm', value: '12' },
  ],
  action_values: [{ action_type: 'omni_purchase', value: '6400.00' }],
  conversions: [{ action_type: 'omni_purchase', value: '4' }],
  date_start: '2026-07-01',
  date_stop: '2026-07-31',
};

const brand: InsightsRow = {
  campaign_id: '120211000000000002',
  campaign_name: 'Havet - Brand',
  spend: '200.00',
  impressions: '18000',
  clicks: '420',
  inline_link_clicks: '300',
  inline_link_click_ctr: '1.666667',
  cost_per_inline_link_click: '0.666667',
  cpm: '11.11',
  reach: '11000',
  frequency: '1.636364',
  actions: [
    { action_type: 'offsite_conversion.custom.2770488499782793', value: '2' },
    { action_type: 'click_to_call_call_confirm', value: '3' },
  ],
  date_start: '2026-07-01',
  date_stop: '2026-07-31',
};

const accountRow: InsightsRow = {
  spend: '1000.00',
  impressions: '70000',
  inline_link_clicks: '1300',
  inline_link_click_ctr: '1.857143',
  cost_per_inline_link_click: '0.769231',
  date_start: '2026-07-01',
  date_stop: '2026-07-31',
};

const accountInfo: MetaAccountInfo = {
  id: 'act_438600948208231',
  name: 'Havet',
  account_status: 1,
  currency: 'PLN',
  timezone_name: 'Europe/Warsaw',
  spend_cap: '0',
};

const tables = {
  placement: [
    {
      publisher_platform: 'instagram',
      platform_position: 'story',
      spend: '120.5',
      impressions: '9000',
      clicks: '90',
    },
  ],
  demographic: [{ age: '35-44', gender: 'male', spend: '50', impressions: '3000' }],
  geographic: [{ country: 'PL', region: 'Pomorskie', spend: '400', inline_link_clicks: '500' }],
};

describe('buildMonthCacheData', () => {
  const data = buildMonthCacheData({
    client: { id: 'client-uuid-1', name: 'Havet', adAccountId: '438600948208231' },
    campaignRows: [summer, brand],
    accountRow,
    tables,
    accountInfo,
    fetchedAt: new Date('2026-07-20T10:15:00Z'),
  });

  it('has exactly the monthly top-level keys', () => {
    expect(Object.keys(data).sort()).toEqual(
      [
        'accountInfo',
        'cacheAge',
        'campaigns',
        'client',
        'conversionMetrics',
        'fetchedAt',
        'fromCache',
        'metaTables',
        'stats',
      ].sort(),
    );
    expect(data.client).toEqual({ id: 'client-uuid-1', name: 'Havet', adAccountId: '438600948208231' });
    expect(data).toMatchObject({ fetchedAt: '2026-07-20T10:15:00.000Z', fromCache: false, cacheAge: 0 });
  });

  it('normalizes campaigns, every one ACTIVE as in the app', () => {
    expect(data.campaigns.map((c) => [c.campaign_id, c.status, c.clicks, c.ctr])).toEqual([
      ['120211000000000001', 'ACTIVE', 1000, 1.923077],
      ['120211000000000002', 'ACTIVE', 300, 1.666667],
    ]);
  });

  it('applies the account-wide rules: PBM phone for every campaign, Havet e-mail', () => {
    expect(data.campaigns.map((c) => c.click_to_call)).toEqual([9, 0]);
    expect(data.conversionMetrics).toEqual({
      click_to_call: 9,
      email_contacts: 2,
      booking_step_1: 300,
      booking_step_2: 0,
      booking_step_3: 0,
      reservations: 4,
      reservation_value: 6400,
      conversion_value: 6400,
      total_conversion_value: 6400,
      roas: 6.4,
      cost_per_reservation: 250,
    });
  });

  it('sums stats over campaigns and takes CTR/CPC from the account row', () => {
    expect(data.stats).toEqual({
      totalSpend: 1000,
      totalImpressions: 70000,
      totalClicks: 1300,
      totalConversions: 4,
      averageCtr: 1.857143,
      averageCpc: 0.769231,
    });
  });

  it('builds the tables and keeps only the requested account fields', () => {
    expect(data.metaTables?.placementPerformance[0]?.placement).toBe('Instagram - Stories');
    expect(data.metaTables?.adRelevanceResults).toEqual([]);
    expect(data.accountInfo).toEqual(accountInfo);
    const withExtra = { ...accountInfo, access_token: TOKEN } as MetaAccountInfo;
    const built = buildMonthCacheData({
      client: { id: 'c', name: 'n', adAccountId: '1' },
      campaignRows: [],
      tables: null,
      accountInfo: withExtra,
      fetchedAt: '2026-07-20T10:15:00Z',
    });
    expect(built.accountInfo).toEqual(accountInfo);
    expect(findSecret(built, [TOKEN])).toBeUndefined();
  });

  it('gives empty campaigns and zero stats for empty insights, never placeholders', () => {
    const empty = buildMonthCacheData({
      client: { id: 'c', name: 'n', adAccountId: '1' },
      campaignRows: [],
      tables: null,
      accountInfo: null,
      fetchedAt: new Date('2026-07-20T10:15:00Z'),
    });
    expect(empty.campaigns).toEqual([]);
    expect(empty.stats).toEqual({
      totalSpend: 0,
      totalImpressions: 0,
      totalClicks: 0,
      totalConversions: 0,
      averageCtr: 0,
      averageCpc: 0,
    });
    expect(empty.conversionMetrics).toEqual(emptyConversionMetrics());
    expect(empty.metaTables).toBeNull();
    expect(empty.accountInfo).toBeNull();
  });

  it('rejects an invalid fetchedAt', () => {
    expect(() =>
      buildMonthCacheData({
        client: { id: 'c', name: 'n', adAccountId: '1' },
        campaignRows: [],
        tables: null,
        accountInfo: null,
        fetchedAt: 'yesterday',
      }),
    ).toThrow(RangeError);
  });

  it('uses the daily_kpi tier only for fields the fresh parse left at 0', () => {
    const withDaily = buildMonthCacheData({
      client: { id: 'c', name: 'n', adAccountId: '1' },
      campaignRows: [summer, brand],
      accountRow,
      tables: null,
      accountInfo: null,
      dailyKpiTotals: { booking_step_2: 140, reservations: 6, click_to_call: 50 },
      fetchedAt: new Date('2026-07-20T10:15:00Z'),
    });
    expect(withDaily.conversionMetrics).toMatchObject({
      booking_step_2: 140,
      reservations: 4,
      click_to_call: 9,
    });
    expect(withDaily.stats.totalConversions).toBe(6);
  });
});

describe('resolveMonthConversionMetrics', () => {
  it('falls back to the API headline conversions for reservations and recomputes ratios', () => {
    const resolved = resolveMonthConversionMetrics(emptyConversionMetrics(), 300, 3);
    expect(resolved).toMatchObject({
      reservations: 3,
      cost_per_reservation: 100,
      roas: 0,
      booking_step_1: 0,
    });
  });
});

describe('buildWeekCacheData', () => {
  const clientsRow = {
    id: 'client-uuid-1',
    name: 'Havet',
    adAccountId: '438600948208231',
    currency: 'PLN',
    meta_access_token: TOKEN,
    system_user_token: TOKEN,
  };
  const week = buildWeekCacheData({
    client: clientsRow,
    campaignRows: [{ ...summer, date_start: '2026-07-20', date_stop: '2026-07-22' }],
    accountRow: { ...accountRow, cost_per_inline_link_click: undefined },
    tables: null,
    accountInfo,
    dateRange: { start: '2026-07-20', end: '2026-07-22' },
    lastUpdated: new Date('2026-07-22T06:00:00Z'),
  });

  it('has exactly the weekly top-level keys', () => {
    expect(Object.keys(week).sort()).toEqual(
      [
        'accountInfo',
        'campaigns',
        'client',
        'conversionMetrics',
        'dateRange',
        'fromCache',
        'lastUpdated',
        'metaTables',
        'stats',
      ].sort(),
    );
    expect(week).toMatchObject({
      dateRange: { start: '2026-07-20', end: '2026-07-22' },
      fromCache: false,
      lastUpdated: '2026-07-22T06:00:00.000Z',
      accountInfo: { currency: 'PLN', timezone: 'Europe/Warsaw', status: 1 },
    });
  });

  it('copies only id, name, adAccountId and currency into client, so no token can leak', () => {
    expect(week.client).toEqual({
      id: 'client-uuid-1',
      name: 'Havet',
      adAccountId: '438600948208231',
      currency: 'PLN',
    });
    expect(findSecret(week, [TOKEN])).toBeUndefined();
    expect(JSON.stringify(week)).not.toContain(TOKEN);
  });

  it('keeps campaigns raw with parsed fields, and metaTables an object even when not fetched', () => {
    expect(week.campaigns[0]).toMatchObject({
      spend: '800.00',
      clicks: '1400',
      reservations: 4,
      click_to_call: 9,
      conversions: 4,
    });
    expect(week.metaTables).toEqual({
      placementPerformance: [],
      demographicPerformance: [],
      adRelevanceResults: [],
      geographicPerformance: [],
    });
  });

  it('uses parsed reservations for totalConversions and the campaign-weighted CPC when the account lacks it', () => {
    expect(week.stats.totalConversions).toBe(4);
    expect(week.stats.averageCtr).toBe(1.857143);
    expect(week.stats.averageCpc).toBeCloseTo(0.8, 10);
  });

  it.each([
    [undefined],
    [{ start: '2026-07-20' }],
    [{ start: '2026-07-23', end: '2026-07-22' }],
    [{ start: '2026-07-20', end: '2026-7-22' }],
  ])('requires a valid dateRange: %j', (dateRange) => {
    expect(() =>
      buildWeekCacheData({
        client: { id: 'c', name: 'n', adAccountId: '1', currency: 'PLN' },
        campaignRows: [],
        tables: null,
        accountInfo: null,
        dateRange: dateRange as { start: string; end: string },
        lastUpdated: new Date(),
      }),
    ).toThrow(RangeError);
  });
});
