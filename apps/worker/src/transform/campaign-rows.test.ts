import { describe, expect, it } from 'vitest';
import { linkClicks, normalizeMonthCampaign, toWeekCampaign } from './campaign-rows.ts';
import { parseConversionMetrics } from './conversions.ts';
import type { InsightsRow } from './insights-row.ts';

const row: InsightsRow = {
  campaign_id: '120208888000000001',
  campaign_name: 'Belmonte - Rezerwacje lato',
  spend: '1523.47',
  impressions: '98214',
  clicks: '2310',
  inline_link_clicks: '1804',
  ctr: '2.351997',
  inline_link_click_ctr: '1.836805',
  cpc: '0.659511',
  cost_per_inline_link_click: '0.844495',
  cpm: '15.511485',
  cpp: '31.203512',
  reach: '48823',
  frequency: '2.011634',
  actions: [
    { action_type: 'link_click', value: '1804' },
    { action_type: 'omni_search', value: '420' },
    { action_type: 'omni_purchase', value: '12' },
    { action_type: 'offsite_conversion.fb_pixel_purchase', value: '12' },
    { action_type: 'click_to_call_native_call_placed', value: '3' },
  ],
  action_values: [{ action_type: 'omni_purchase', value: '18450.50' }],
  conversions: [{ action_type: 'omni_purchase', value: '12' }],
  cost_per_action_type: [{ action_type: 'omni_purchase', value: '126.955833' }],
  date_start: '2026-07-01',
  date_stop: '2026-07-31',
};

describe('normalizeMonthCampaign', () => {
  it('turns a raw row into the all-number monthly campaign object', () => {
    const parsed = parseConversionMetrics([row]).campaigns[0]!;
    const campaign = normalizeMonthCampaign(row, parsed);
    expect(campaign).toEqual({
      campaign_id: '120208888000000001',
      campaign_name: 'Belmonte - Rezerwacje lato',
      status: 'ACTIVE',
      spend: 1523.47,
      impressions: 98214,
      clicks: 1804,
      conversions: 12,
      ctr: 1.836805,
      cpc: 0.844495,
      cpp: 31.203512,
      cpm: 15.511485,
      frequency: 2.011634,
      reach: 48823,
      click_to_call: 3,
      email_contacts: 0,
      booking_step_1: 420,
      booking_step_2: 0,
      booking_step_3: 0,
      reservations: 12,
      reservation_value: 18450.5,
      conversion_value: 18450.5,
      total_conversion_value: 18450.5,
      roas: 18450.5 / 1523.47,
      cost_per_reservation: 1523.47 / 12,
      date_start: '2026-07-01',
      date_stop: '2026-07-31',
    });
    expect(Object.values(campaign).every((v) => typeof v !== 'number' || Number.isFinite(v))).toBe(true);
  });

  it('falls back to all clicks and the generic API rates when link metrics are missing', () => {
    const sparse: InsightsRow = {
      campaign_id: '1',
      spend: '10',
      clicks: '5',
      ctr: '0.5',
      cpc: '2',
      impressions: '',
    };
    const campaign = normalizeMonthCampaign(sparse, parseConversionMetrics([sparse]).campaigns[0]!);
    expect(campaign).toMatchObject({
      clicks: 5,
      ctr: 0.5,
      cpc: 2,
      impressions: 0,
      reach: 0,
      campaign_name: '',
    });
  });

  it('keeps a present zero link-click count instead of falling back', () => {
    expect(linkClicks({ inline_link_clicks: '0', clicks: '40' })).toBe(0);
    expect(linkClicks({ inline_link_clicks: 'NaN', clicks: '40' })).toBe(40);
  });
});

describe('toWeekCampaign', () => {
  it('keeps the raw row and adds the parsed funnel, with conversions as a number', () => {
    const parsed = parseConversionMetrics([row]).campaigns[0]!;
    const week = toWeekCampaign(row, parsed);
    expect(week.spend).toBe('1523.47');
    expect(week.clicks).toBe('2310');
    expect(week.inline_link_clicks).toBe('1804');
    expect(week.actions).toBe(row.actions);
    expect(week.conversions).toBe(12);
    expect(week).toMatchObject({
      reservations: 12,
      reservation_value: 18450.5,
      click_to_call: 3,
      booking_step_1: 420,
    });
  });
});
