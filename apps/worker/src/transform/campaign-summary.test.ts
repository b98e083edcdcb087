import { describe, expect, it } from 'vitest';
import { buildCampaignSummaryRow, type CampaignSummaryRow, canonicalJson } from './campaign-summary.ts';
import type { InsightsRow } from './insights-row.ts';
import { diffSummaryRows, summaryContentHash } from './summary-diff.ts';
import { driftedMeasures, driftMeasures } from './summary-drift.ts';
import { monthSummaryPeriod, weekSummaryPeriod } from './summary-periods.ts';

const CLIENT = '6f1c2b9e-3d4a-4f5b-8c7d-9e0f1a2b3c4d';
const NOVEMBER = monthSummaryPeriod('2026-11-01');

const summer: InsightsRow = {
  campaign_id: '120211000000000001',
  campaign_name: 'Lato',
  spend: '800.005',
  impressions: '52000',
  clicks: '1400',
  inline_link_clicks: '1000',
  inline_link_click_ctr: '1.923077',
  cost_per_inline_link_click: '0.80',
  reach: '28000',
  frequency: '1.857143',
  actions: [
    { action_type: 'omni_purchase', value: '4' },
    { action_type: 'offsite_conversion.fb_pixel_purchase', value: '3' },
    { action_type: 'omni_search', value: '300' },
  ],
  action_values: [
    { action_type: 'omni_purchase', value: '6400.00' },
    { action_type: 'offsite_conversion.fb_pixel_purchase', value: '4800.00' },
  ],
  conversions: [{ action_type: 'omni_purchase', value: '4' }],
  date_start: '2026-11-01',
  date_stop: '2026-11-30',
};

const paused: InsightsRow = {
  campaign_id: '120211000000000002',
  campaign_name: 'Brand (paused)',
  spend: '0',
  impressions: '0',
  reach: '0',
  date_start: '2026-11-01',
  date_stop: '2026-11-30',
};

const brand: InsightsRow = {
  campaign_id: '120211000000000003',
  campaign_name: 'Brand',
  spend: '200.00',
  impressions: '18000',
  clicks: '420',
  inline_link_clicks: '300',
  reach: '11000',
  actions: [{ action_type: 'click_to_call_call_confirm', value: '3' }],
  date_start: '2026-11-01',
  date_stop: '2026-11-30',
};

/** Account row: reach is de-duplicated across campaigns (below 28000 + 11000). */
const account: InsightsRow = {
  spend: '1000.01',
  impressions: '70000',
  inline_link_clicks: '1300',
  inline_link_click_ctr: '1.857143',
  cost_per_inline_link_click: '0.769238',
  reach: '33500',
  frequency: '2.089552',
  date_start: '2026-11-01',
  date_stop: '2026-11-30',
};

const tables = {
  placement: [
    {
      publisher_platform: 'instagram',
      platform_position: 'feed',
      spend: '100',
      impressions: '9000',
      clicks: '50',
    },
    {
      publisher_platform: 'facebook',
      platform_position: 'feed',
      spend: '900',
      impressions: '61000',
      clicks: '1300',
    },
  ],
  demographic: [{ age: '25-34', gender: 'female', spend: '1000', impressions: '70000', clicks: '1350' }],
  geographic: [{ country: 'PL', region: 'Pomerania', spend: '1000', impressions: '70000', clicks: '1350' }],
  adRelevance: [{ spend: '1000', quality_score_ectr: 'ABOVE_AVERAGE' }],
};

function build(overrides: Partial<Parameters<typeof buildCampaignSummaryRow>[0]> = {}): CampaignSummaryRow {
  const result = buildCampaignSummaryRow({
    clientId: CLIENT,
    period: NOVEMBER,
    campaignRows: [summer, paused, brand],
    accountRow: account,
    tables,
    ...overrides,
  });
  if (result.status !== 'ok') throw new Error(`expected a row, got ${result.status}`);
  return result.row;
}

describe('buildCampaignSummaryRow', () => {
  it('the app shape: integers for BIGINT, reach of the account over the period, CTR/CPC from Meta', () => {
    const row = build();
    expect(row).toMatchObject({
      client_id: CLIENT,
      summary_type: 'monthly',
      summary_date: '2026-11-01',
      platform: 'meta',
      total_spend: 1000.01,
      total_impressions: 70000,
      total_clicks: 1300,
      total_conversions: 4,
      average_ctr: 1.857143,
      average_cpc: 0.769238,
      active_campaigns: 2,
      total_campaigns: 3,
      active_campaign_count: 2,
      reservations: 4,
      reservation_value: 6400,
      booking_step_1: 300,
      click_to_call: 3,
      reach: 33500,
      data_source: 'meta_api',
    });
    // Not the sum of the campaigns' reach (39000): people reached by both count once.
    expect(row.reach).toBeLessThan(28000 + 11000);
    expect(row.roas).toBeCloseTo(6.39994, 5);
    expect(row.cost_per_reservation).toBe(250);
    for (const column of ['total_impressions', 'total_clicks', 'reach', 'reservations'] as const) {
      expect(Number.isInteger(row[column])).toBe(true);
    }
  });

  it('campaign_data: raw rows with the parsed funnel and conversions as a number, in campaign id order', () => {
    const row = build({ campaignRows: [brand, summer] });
    expect(row.campaign_data.map((c) => c.campaign_id)).toEqual(['120211000000000001', '120211000000000003']);
    expect(row.campaign_data[0]).toMatchObject({ spend: '800.005', conversions: 4, reservations: 4 });
    expect(Object.keys(row.meta_tables).sort()).toEqual([
      'adRelevanceResults',
      'demographicPerformance',
      'geographicPerformance',
      'placementPerformance',
    ]);
    expect(row.meta_tables.placementPerformance.map((p) => p.placement)).toEqual([
      'Facebook - Aktualności',
      'Instagram - Aktualności',
    ]);
  });

  it('uses the client’s conversion mappings', () => {
    const row = build({ mappings: { meta: { reservations: ['offsite_conversion.fb_pixel_purchase'] } } });
    expect(row.reservations).toBe(3);
    expect(row.reservation_value).toBe(4800);
  });

  it('a weekly row is keyed on its Monday', () => {
    const row = build({
      period: weekSummaryPeriod('2026-12-28'),
      campaignRows: [{ ...summer, date_start: '2026-12-28', date_stop: '2027-01-03' }],
      accountRow: { ...account, date_start: '2026-12-28', date_stop: '2027-01-03' },
    });
    expect(row).toMatchObject({ summary_type: 'weekly', summary_date: '2026-12-28' });
  });

  it('no delivery: empty (no row, no zeros); campaigns without an account row: incomplete', () => {
    expect(
      buildCampaignSummaryRow({ clientId: CLIENT, period: NOVEMBER, campaignRows: [], tables }).status,
    ).toBe('empty');
    expect(
      buildCampaignSummaryRow({
        clientId: CLIENT,
        period: NOVEMBER,
        campaignRows: [],
        accountRow: { ...account, spend: '0', impressions: '0' },
        tables,
      }).status,
    ).toBe('empty');
    const incomplete = buildCampaignSummaryRow({
      clientId: CLIENT,
      period: NOVEMBER,
      campaignRows: [summer],
      tables,
    });
    expect(incomplete).toEqual({
      status: 'incomplete',
      problem: '2026-11: 1 campaign rows but no account row (period reach and CTR/CPC unknown)',
    });
  });

  it('the same answer in another order gives the same row and hash', () => {
    const a = build({
      campaignRows: [summer, brand],
      tables: { ...tables, placement: [...tables.placement].reverse() },
    });
    const b = build({ campaignRows: [brand, summer] });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(summaryContentHash(a)).toBe(summaryContentHash(b));
    expect(summaryContentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(summaryContentHash(build({ accountRow: { ...account, reach: '33501' } }))).not.toBe(
      summaryContentHash(a),
    );
  });
});

describe('diffSummaryRows', () => {
  it('a stored row read back (numbers as strings, JSON re-ordered) equals the fresh row', () => {
    const fresh = build();
    const stored = JSON.parse(canonicalJson(fresh)) as Record<string, unknown>;
    stored.total_spend = '1000.01';
    stored.reach = '33500';
    expect(diffSummaryRows(stored, fresh)).toEqual({ changed: false, metrics: {}, tables: {} });
  });

  it('records each changed number with before, after and delta, and the JSON parts that changed', () => {
    const before = build();
    const after = build({ accountRow: { ...account, reach: '34000' }, campaignRows: [summer, brand] });
    const diff = diffSummaryRows(before, after);
    expect(diff.changed).toBe(true);
    expect(diff.metrics).toEqual({
      total_campaigns: { before: 3, after: 2, delta: -1 },
      reach: { before: 33500, after: 34000, delta: 500 },
    });
    expect(diff.tables).toEqual({ campaign_data: { before: 3, after: 2 } });
  });

  it('no stored row: every number is new', () => {
    const diff = diffSummaryRows(null, build());
    expect(diff.metrics.total_spend).toEqual({ before: null, after: 1000.01, delta: null });
    expect(Object.keys(diff.tables)).toContain('campaign_data');
  });
});

describe('driftMeasures', () => {
  it('measures every table the engine writes for the month and names what drifted', () => {
    const stored = build();
    const fresh = build({ campaignRows: [summer, paused, { ...brand, spend: '250.00' }] });
    const measures = driftMeasures(stored, fresh, {
      days: 30,
      total_spend: 1000.01,
      total_impressions: 70000,
      total_clicks: 1300,
      reservations: 3,
      reservation_value: 6400,
    });
    const tablesMeasured = new Set(measures.map((m) => m.table));
    expect([...tablesMeasured].sort()).toEqual([
      'campaign_data',
      'campaign_summaries',
      'daily_kpi_data',
      'meta_tables.adRelevanceResults',
      'meta_tables.demographicPerformance',
      'meta_tables.geographicPerformance',
      'meta_tables.placementPerformance',
    ]);
    expect(driftedMeasures(measures)).toEqual([
      { table: 'campaign_summaries', metric: 'total_spend', stored: 1000.01, fresh: 1050.01 },
      { table: 'campaign_summaries', metric: 'average_cpa', stored: 250, fresh: 262.5 },
      { table: 'campaign_summaries', metric: 'roas', stored: stored.roas, fresh: fresh.roas },
      { table: 'campaign_summaries', metric: 'cost_per_reservation', stored: 250, fresh: 262.5 },
      { table: 'campaign_data', metric: 'spend', stored: 1000.01, fresh: 1050.01 },
      { table: 'daily_kpi_data', metric: 'total_spend', stored: 1000.01, fresh: 1050.01 },
      { table: 'daily_kpi_data', metric: 'reservations', stored: 3, fresh: 4 },
    ]);
  });

  it('nothing stored: stored is null everywhere', () => {
    const measures = driftMeasures(null, build(), null);
    expect(measures.every((m) => m.stored === null)).toBe(true);
    expect(driftedMeasures(measures)).toHaveLength(measures.length);
  });

  it('canonical JSON stays byte for byte what the first version wrote (stored content hashes depend on it)', () => {
    // The first version, kept as the reference.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      if (value && typeof value === 'object') {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, inner]) => inner !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
        return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${reference(inner)}`).join(',')}}`;
      }
      return JSON.stringify(value) as string;
    };
    const row = build({ campaignRows: [brand, summer] });
    const odd = {
      b: [1, undefined, null, 'x"y', { z: 1, a: [true, false] }],
      a: { skip: undefined, n: Number.NaN, big: 1e21, neg: -0, day: new Date(0) },
      Z: 'upper',
      é: 'accent',
      '10': 'number-like',
      '9': 'sorted as text',
      nested: [[], {}, [[{}]]],
    };
    expect(canonicalJson(row)).toBe(reference(row));
    expect(canonicalJson(odd)).toBe(reference(odd));
    expect(canonicalJson([odd, row, null, 3, 'text'])).toBe(reference([odd, row, null, 3, 'text']));
  });
});
