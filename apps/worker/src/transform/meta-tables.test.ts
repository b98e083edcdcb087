import { describe, expect, it } from 'vitest';
import type { InsightsRow } from './insights-row.ts';
import {
  buildDemographicRows,
  buildGeographicRows,
  buildMetaTables,
  buildPlacementRows,
  emptyMetaTables,
  placementLabel,
  polishCountryName,
  tableReservations,
} from './meta-tables.ts';

const placementRow: InsightsRow = {
  publisher_platform: 'facebook',
  platform_position: 'feed',
  impressions: '61234',
  clicks: '1650',
  spend: '920.46',
  cpm: '15.031518',
  cpc: '0.557855',
  ctr: '2.694581',
  actions: [
    { action_type: 'link_click', value: '1201' },
    { action_type: 'omni_purchase', value: '6' },
    { action_type: 'offsite_conversion.fb_pixel_purchase', value: '6' },
  ],
  action_values: [{ action_type: 'omni_purchase', value: '9120.00' }],
  date_start: '2026-07-01',
  date_stop: '2026-07-20',
};

describe('placement rows', () => {
  it.each([
    ['facebook', 'feed', 'Facebook - Aktualności'],
    ['instagram', 'story', 'Instagram - Stories'],
    ['facebook', 'marketplace', 'Facebook - Marketplace'],
    ['audience_network', 'rewarded_video', 'Audience Network - Wideo z nagrodą'],
    ['instagram', 'instagram_reels', 'Instagram - instagram_reels'],
    ['threads', 'threads_feed', 'Threads - threads_feed'],
    ['oculus', 'feed', 'oculus - Aktualności'],
    ['messenger', '', 'Messenger'],
    ['', '', 'Nieznane'],
  ])('%s/%s is labelled %s', (platform, position, label) => {
    expect(placementLabel(platform, position)).toBe(label);
  });

  it('builds the placement object with numbers and reservations', () => {
    expect(buildPlacementRows([placementRow])).toEqual([
      {
        placement: 'Facebook - Aktualności',
        publisher_platform: 'facebook',
        platform_position: 'feed',
        spend: 920.46,
        impressions: 61234,
        clicks: 1650,
        ctr: 2.694581,
        cpc: 0.557855,
        cpm: 15.031518,
        reservation_value: 9120,
        reservations: 6,
      },
    ]);
  });
});

describe('tableReservations (the app cruder rule)', () => {
  it('takes the first matching entry in Meta order, not the omni priority', () => {
    const row: InsightsRow = {
      actions: [
        { action_type: 'offsite_conversion.fb_pixel_complete_registration', value: '2' },
        { action_type: 'omni_purchase', value: '9' },
      ],
      action_values: [
        { action_type: 'offsite_conversion.fb_pixel_purchase', value: '450.5' },
        { action_type: 'omni_purchase', value: '900' },
      ],
    };
    expect(tableReservations(row)).toEqual({ reservations: 2, reservation_value: 450.5 });
  });

  it('is zero without matching actions', () => {
    expect(tableReservations({ actions: [{ action_type: 'lead', value: '4' }] })).toEqual({
      reservations: 0,
      reservation_value: 0,
    });
  });
});

describe('demographic rows', () => {
  it('keeps the raw row and adds reservation numbers', () => {
    const raw: InsightsRow = {
      age: '25-34',
      gender: 'female',
      impressions: '12001',
      spend: '210.10',
      actions: [{ action_type: 'omni_purchase', value: '3' }],
      action_values: [{ action_type: 'omni_purchase', value: '4100.00' }],
    };
    const [row] = buildDemographicRows([raw]);
    expect(row).toMatchObject({
      age: '25-34',
      gender: 'female',
      spend: '210.10',
      reservations: 3,
      reservation_value: 4100,
    });
    expect(row?.actions).toEqual(raw.actions);
  });
});

describe('geographic rows', () => {
  it('builds the app geographic object from a country,region row', () => {
    const raw: InsightsRow = {
      country: 'PL',
      region: 'Pomorskie',
      impressions: '30211',
      clicks: '801',
      inline_link_clicks: '640',
      inline_link_click_ctr: '2.118434',
      cost_per_inline_link_click: '0.71',
      ctr: '2.651',
      cpc: '0.567',
      spend: '454.40',
      actions: [{ action_type: 'omni_purchase', value: '2' }],
      action_values: [{ action_type: 'omni_purchase', value: '2272.00' }],
    };
    expect(buildGeographicRows([raw])).toEqual([
      {
        countryCode: 'PL',
        countryName: 'Polska',
        regionName: 'Pomorskie',
        cityName: '(nieznane)',
        spend: 454.4,
        impressions: 30211,
        clicks: 640,
        ctr: 2.118434,
        cpc: 0.71,
        conversions: 2,
        conversion_value: 2272,
        reservations: 2,
        reservation_value: 2272,
        roas: 5,
      },
    ]);
  });

  it('marks unknown regions and names foreign countries in Polish', () => {
    const [row] = buildGeographicRows([{ country: 'DE', region: 'Unknown', spend: '0' }]);
    expect(row).toMatchObject({
      countryCode: 'DE',
      countryName: 'Niemcy',
      regionName: '(nieznane)',
      roas: 0,
    });
    expect(polishCountryName('XX')).toBe('XX');
    expect(polishCountryName('gb')).toBe('Wielka Brytania');
  });
});

describe('buildMetaTables', () => {
  it('builds all four tables, ad relevance raw and [] when not fetched', () => {
    const relevance: InsightsRow = { ad_id: '1', quality_ranking: 'ABOVE_AVERAGE', spend: '12.00' };
    const tables = buildMetaTables({
      placement: [placementRow],
      demographic: [],
      geographic: [],
      adRelevance: [relevance],
    });
    expect(tables.placementPerformance).toHaveLength(1);
    expect(tables.adRelevanceResults).toEqual([relevance]);
    expect(tables.adRelevanceResults[0]).not.toBe(relevance);
    expect(buildMetaTables({ placement: [], demographic: [], geographic: [] })).toEqual(emptyMetaTables());
  });
});
