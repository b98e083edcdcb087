import { describe, expect, it } from 'vitest';
import { buildDailyKpiRows, groupRowsByDay, toCampaignInsightRows } from './daily-kpi.ts';
import type { ActionEntry, InsightsRow } from './insights-row.ts';

const a = (action_type: string, value: string): ActionEntry => ({ action_type, value });

function day(date: string, campaignId: string, overrides: InsightsRow): InsightsRow {
  return {
    campaign_id: campaignId,
    campaign_name: `Kampania ${campaignId}`,
    date_start: date,
    date_stop: date,
    ...overrides,
  };
}

// Two campaigns over two days, the second day in a different order; plus one single-campaign day.
const rows: InsightsRow[] = [
  day('2026-07-02', 'B', {
    spend: '40.10',
    impressions: '3000',
    clicks: '70',
    inline_link_clicks: '50',
    inline_link_click_ctr: '1.666667',
    cost_per_inline_link_click: '0.802',
    reach: '2100',
  }),
  day('2026-07-01', 'A', {
    spend: '120.555',
    impressions: '8000.4',
    clicks: '260',
    inline_link_clicks: '180',
    inline_link_click_ctr: '2.25',
    cost_per_inline_link_click: '0.67',
    reach: '5000',
    actions: [
      a('omni_search', '30'),
      a('offsite_conversion.fb_pixel_search', '30'),
      a('omni_purchase', '2'),
      a('offsite_conversion.fb_pixel_purchase', '2'),
      a('click_to_call_native_call_placed', '3'),
      a('click_to_call_call_confirm', '5'),
    ],
    action_values: [a('omni_purchase', '3100.10')],
    conversions: [a('omni_purchase', '2')],
  }),
  day('2026-07-01', 'B', {
    spend: '79.445',
    impressions: '4000',
    clicks: '90',
    inline_link_clicks: '60',
    inline_link_click_ctr: '1.5',
    cost_per_inline_link_click: '1.33',
    reach: '3000',
    actions: [a('click_to_call_call_confirm', '4')],
  }),
  day('2026-07-02', 'A', { spend: '10', impressions: '900', inline_link_clicks: '0', reach: '800' }),
];

describe('buildDailyKpiRows', () => {
  it('produces one row per day with integer BIGINT fields and API-weighted CTR/CPC', () => {
    const kpis = buildDailyKpiRows(rows);
    expect(kpis.map((k) => k.date)).toEqual(['2026-07-01', '2026-07-02']);
    expect(kpis[0]).toEqual({
      date: '2026-07-01',
      total_clicks: 240,
      total_impressions: 12000,
      total_spend: 200,
      total_conversions: 2,
      click_to_call: 3,
      email_contacts: 0,
      booking_step_1: 30,
      booking_step_2: 0,
      booking_step_3: 0,
      reservations: 2,
      reservation_value: 3100.1,
      average_ctr: 2.06,
      average_cpc: 0.84,
      roas: 15.5,
      cost_per_reservation: 100,
      reach: 8000,
      campaigns_count: 2,
      data_source: 'meta_api',
      platform: 'meta',
    });
    for (const kpi of kpis) {
      for (const field of [
        'total_clicks',
        'total_impressions',
        'total_conversions',
        'reach',
        'reservations',
      ] as const) {
        expect(Number.isInteger(kpi[field])).toBe(true);
      }
    }
  });

  it('parses each day separately: the phone type is chosen per day, as the daily cron does', () => {
    // July 1 reads placed calls (B's call_confirm is ignored); July 3 only has call_confirm, so it reads that.
    const kpis = buildDailyKpiRows([
      ...rows,
      day('2026-07-03', 'B', { spend: '5', actions: [a('click_to_call_call_confirm', '4')] }),
    ]);
    expect(kpis.map((k) => k.click_to_call)).toEqual([3, 0, 4]);
  });

  it('weights CTR by link clicks and ignores campaigns without clicks', () => {
    const [, second] = buildDailyKpiRows(rows);
    expect(second).toMatchObject({
      average_ctr: 1.67,
      average_cpc: 0.8,
      total_clicks: 50,
      campaigns_count: 2,
      roas: 0,
    });
  });

  it('prefers account-level daily rows for CTR/CPC when given', () => {
    const accountRows = [
      {
        date_start: '2026-07-01',
        date_stop: '2026-07-01',
        inline_link_click_ctr: '1.95',
        cost_per_inline_link_click: '0.83',
      },
    ];
    const [first] = buildDailyKpiRows(rows, { accountRows });
    expect(first).toMatchObject({ average_ctr: 1.95, average_cpc: 0.83 });
  });

  it('fills requested days without rows with zeros and returns nothing for no input', () => {
    const kpis = buildDailyKpiRows(rows, { days: ['2026-06-30', '2026-07-01', '2026-07-02'] });
    expect(kpis.map((k) => k.date)).toEqual(['2026-06-30', '2026-07-01', '2026-07-02']);
    expect(kpis[0]).toMatchObject({
      total_spend: 0,
      total_clicks: 0,
      reservations: 0,
      campaigns_count: 0,
      average_ctr: 0,
    });
    expect(buildDailyKpiRows([])).toEqual([]);
  });

  it('refuses rows that are not single days', () => {
    expect(() =>
      buildDailyKpiRows([{ campaign_id: 'A', date_start: '2026-07-01', date_stop: '2026-07-31' }]),
    ).toThrow(/time_increment=1/);
    expect(() => groupRowsByDay([{ campaign_id: 'A' }])).toThrow(RangeError);
  });
});

describe('toCampaignInsightRows', () => {
  it('keeps one raw row per campaign and day with numbers and raw arrays', () => {
    const raw = toCampaignInsightRows(rows, 'act_438600948208231', 'client-uuid-1');
    expect(raw).toHaveLength(4);
    expect(raw[1]).toEqual({
      client_id: 'client-uuid-1',
      ad_account_id: '438600948208231',
      campaign_id: 'A',
      campaign_name: 'Kampania A',
      date: '2026-07-01',
      spend: 120.555,
      impressions: 8000,
      clicks: 260,
      inline_link_clicks: 180,
      ctr: 0,
      inline_link_click_ctr: 2.25,
      cpc: 0,
      cost_per_inline_link_click: 0.67,
      cpm: 0,
      cpp: 0,
      reach: 5000,
      frequency: 0,
      actions: rows[1]?.actions,
      action_values: rows[1]?.action_values,
      conversions: rows[1]?.conversions,
      cost_per_action_type: [],
    });
  });

  it('rejects rows without a campaign id or repeating a campaign and day', () => {
    expect(() =>
      toCampaignInsightRows([{ date_start: '2026-07-01', date_stop: '2026-07-01' }], '1', 'c'),
    ).toThrow(/campaign_id/);
    expect(() => toCampaignInsightRows([rows[0]!, rows[0]!], '1', 'c')).toThrow(/repeats campaign B/);
  });
});
