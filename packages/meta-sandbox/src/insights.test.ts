/**
 * Insights behaviour over HTTP: consistent sums across levels, breakdowns and time increments,
 * filtering, the action types the app parses, account time zones, and the data-size guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, range, rowsOf } from './testing.ts';

const [ACCOUNT, PIXEL_ACCOUNT, NY_ACCOUNT] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

beforeAll(async () => {
  // 02:00 UTC: already 24 Nov in Warsaw, still 23 Nov in New York.
  sandbox = await startSandbox({ seed: 'insights', startTime: '2026-11-24T02:00:00Z' });
});
afterAll(async () => {
  await sandbox.close();
});

type Row = Record<string, unknown>;
type Action = { action_type: string; value: string };

async function rows(path: string): Promise<Row[]> {
  const result = await call(sandbox.url, path);
  expect(result.status, result.text).toBe(200);
  return rowsOf(result);
}

const cents = (value: unknown) => Math.round(Number(value) * 100);
const sum = (list: Row[], key: string, parse: (v: unknown) => number = Number) =>
  list.reduce((total, row) => total + parse(row[key] ?? 0), 0);
const actionCount = (row: Row, type: string, key = 'actions') =>
  Number(((row[key] as Action[] | undefined) ?? []).find((a) => a.action_type === type)?.value ?? 0);
const actionSum = (list: Row[], type: string, key = 'actions') =>
  list.reduce((total, row) => total + actionCount(row, type, key), 0);

const base = `/v26.0/act_${ACCOUNT}/insights`;
const RANGE = `time_range=${range('2026-10-01', '2026-11-23')}`;

describe('aggregation is consistent', () => {
  it('account = sum of campaigns = sum of ad sets = sum of ads (reach: de-duplicated, not summed)', async () => {
    const fields =
      'fields=spend,impressions,clicks,inline_link_clicks,reach,actions,action_values&limit=1000';
    const [account, campaigns, adsets, ads] = (await Promise.all(
      ['account', 'campaign', 'adset', 'ad'].map((level) =>
        rows(`${base}?level=${level}&${RANGE}&${fields}`),
      ),
    )) as [Row[], Row[], Row[], Row[]];
    expect(account).toHaveLength(1);
    expect(campaigns.length).toBeGreaterThan(1);
    expect(ads.length).toBeGreaterThan(campaigns.length);
    for (const list of [campaigns, adsets, ads]) {
      expect(sum(list, 'spend', cents)).toBe(cents(account[0]?.spend));
      for (const key of ['impressions', 'clicks', 'inline_link_clicks']) {
        expect(sum(list, key)).toBe(Number(account[0]?.[key]));
      }
      // People reached by two campaigns count once in the account's reach.
      const accountReach = Number(account[0]?.reach);
      expect(accountReach).toBeLessThan(sum(list, 'reach'));
      expect(accountReach).toBeGreaterThanOrEqual(Math.max(...list.map((r) => Number(r.reach))));
      expect(actionSum(list, 'omni_purchase')).toBe(actionCount(account[0] as Row, 'omni_purchase'));
      expect(actionSum(list, 'omni_purchase', 'action_values')).toBeCloseTo(
        actionCount(account[0] as Row, 'omni_purchase', 'action_values'),
        1,
      );
    }
  });

  it.each([
    ['publisher_platform,platform_position', ['publisher_platform', 'platform_position']],
    ['publisher_platform', ['publisher_platform']],
    ['age,gender', ['age', 'gender']],
    ['gender', ['gender']],
    ['country,region', ['country', 'region']],
    ['country', ['country']],
  ])('breakdowns=%s split the totals exactly', async (breakdowns, columns) => {
    const fields = 'fields=spend,impressions,clicks,inline_link_clicks&limit=1000';
    const [total] = await rows(`${base}?${RANGE}&${fields}`);
    const split = await rows(`${base}?${RANGE}&${fields}&breakdowns=${breakdowns}`);
    expect(split.length).toBeGreaterThan(1);
    for (const column of columns) for (const row of split) expect(typeof row[column]).toBe('string');
    expect(new Set(split.map((r) => columns.map((c) => r[c]).join('|'))).size).toBe(split.length);
    expect(sum(split, 'impressions')).toBe(Number(total?.impressions));
    expect(sum(split, 'clicks')).toBe(Number(total?.clicks));
    expect(sum(split, 'spend', cents)).toBe(cents(total?.spend));
  });

  it('time_increment=1 gives one row per day per campaign that sums to the all_days row', async () => {
    const fields = 'fields=campaign_id,spend,impressions&limit=5000';
    const daily = await rows(`${base}?level=campaign&${RANGE}&time_increment=1&${fields}`);
    const total = await rows(`${base}?level=campaign&${RANGE}&${fields}`);
    for (const row of daily) expect(row.date_start).toBe(row.date_stop);
    for (const campaign of total) {
      const days = daily.filter((r) => r.campaign_id === campaign.campaign_id);
      expect(new Set(days.map((d) => d.date_start)).size).toBe(days.length);
      expect(sum(days, 'impressions')).toBe(Number(campaign.impressions));
      expect(sum(days, 'spend', cents)).toBe(cents(campaign.spend));
    }
  });

  it('time_increment monthly and N days cut buckets at the right dates', async () => {
    const monthly = await rows(`${base}?${RANGE}&time_increment=monthly`);
    expect(monthly.map((r) => [r.date_start, r.date_stop])).toEqual([
      ['2026-10-01', '2026-10-31'],
      ['2026-11-01', '2026-11-23'],
    ]);
    const weekly = await rows(`${base}?time_range=${range('2026-11-01', '2026-11-20')}&time_increment=7`);
    expect(weekly.map((r) => r.date_start)).toEqual(['2026-11-01', '2026-11-08', '2026-11-15']);
    expect(weekly.at(-1)?.date_stop).toBe('2026-11-20');
  });

  it('time_ranges returns one row per range', async () => {
    const ranges = encodeURIComponent(
      JSON.stringify([
        { since: '2026-11-01', until: '2026-11-07' },
        { since: '2026-11-08', until: '2026-11-14' },
      ]),
    );
    const result = await rows(`${base}?time_ranges=${ranges}`);
    expect(result.map((r) => r.date_start)).toEqual(['2026-11-01', '2026-11-08']);
  });
});

describe('filtering', () => {
  it('campaign.id IN and campaign.effective_status IN select campaigns', async () => {
    const all = await rows(`${base}?level=campaign&${RANGE}&fields=campaign_id,impressions&limit=100`);
    const ids = all.slice(0, 2).map((r) => r.campaign_id as string);
    const filtering = encodeURIComponent(
      JSON.stringify([{ field: 'campaign.id', operator: 'IN', value: ids }]),
    );
    const picked = await rows(`${base}?level=campaign&${RANGE}&fields=campaign_id&filtering=${filtering}`);
    expect(picked.map((r) => r.campaign_id)).toEqual(ids);

    const campaigns = rowsOf(
      await call(sandbox.url, `/v26.0/act_${ACCOUNT}/campaigns?fields=id,effective_status&limit=100`),
    );
    const active = new Set(campaigns.filter((c) => c.effective_status === 'ACTIVE').map((c) => c.id));
    const statusFilter = encodeURIComponent(
      JSON.stringify([{ field: 'campaign.effective_status', operator: 'IN', value: ['ACTIVE'] }]),
    );
    const activeRows = await rows(
      `${base}?level=campaign&${RANGE}&fields=campaign_id&filtering=${statusFilter}`,
    );
    expect(activeRows.length).toBeGreaterThan(0);
    for (const row of activeRows) expect(active.has(row.campaign_id as string)).toBe(true);
  });

  it('EQUAL on ad.id and GREATER_THAN on ad.impressions', async () => {
    const ads = await rows(`${base}?level=ad&${RANGE}&fields=ad_id,impressions&limit=1000`);
    const target = ads[0]?.ad_id as string;
    const equal = encodeURIComponent(JSON.stringify([{ field: 'ad.id', operator: 'EQUAL', value: target }]));
    expect(
      (await rows(`${base}?level=ad&${RANGE}&fields=ad_id&filtering=${equal}`)).map((r) => r.ad_id),
    ).toEqual([target]);
    const threshold =
      [...ads.map((r) => Number(r.impressions))].sort((x, y) => x - y)[Math.floor(ads.length / 2)] ?? 0;
    const greater = encodeURIComponent(
      JSON.stringify([{ field: 'ad.impressions', operator: 'GREATER_THAN', value: threshold }]),
    );
    const big = await rows(
      `${base}?level=ad&${RANGE}&fields=ad_id,impressions&limit=1000&filtering=${greater}`,
    );
    expect(big.length).toBe(ads.filter((r) => Number(r.impressions) > threshold).length);
    expect(big.length).toBeGreaterThan(0);
  });

  it('an invalid filter field or operator is a 100 error', async () => {
    for (const filter of [
      { field: 'campaign.colour', operator: 'EQUAL', value: 'x' },
      { field: 'campaign.id', operator: 'LIKE', value: 'x' },
    ]) {
      const result = await call(
        sandbox.url,
        `${base}?filtering=${encodeURIComponent(JSON.stringify([filter]))}`,
      );
      expect(result.status).toBe(400);
      expect(errorOf(result).code).toBe(100);
    }
  });
});

describe('rows look like Meta rows', () => {
  it('metric values are strings and ratios derive from the totals', async () => {
    const [row] = await rows(
      `${base}?level=account&${RANGE}&fields=spend,impressions,clicks,inline_link_clicks,reach,frequency,ctr,cpc,cpm,cpp,inline_link_click_ctr,cost_per_inline_link_click`,
    );
    expect(row).toBeDefined();
    for (const value of Object.values(row as Row)) expect(typeof value).toBe('string');
    const r = row as Record<string, string>;
    expect(r.spend).toMatch(/^\d+\.\d{2}$/);
    expect(Number(r.ctr)).toBeCloseTo((Number(r.clicks) / Number(r.impressions)) * 100, 4);
    expect(Number(r.cpc)).toBeCloseTo(Number(r.spend) / Number(r.clicks), 4);
    expect(Number(r.cpm)).toBeCloseTo((Number(r.spend) / Number(r.impressions)) * 1000, 4);
    expect(Number(r.frequency)).toBeCloseTo(Number(r.impressions) / Number(r.reach), 4);
    expect(Number(r.cost_per_inline_link_click)).toBeCloseTo(
      Number(r.spend) / Number(r.inline_link_clicks),
      4,
    );
    expect(r.date_start).toBe('2026-10-01');
    expect(r.date_stop).toBe('2026-11-23');
  });

  it('omni_* and fb_pixel_* funnel types, the PBM custom conversion and click-to-call variants', async () => {
    const fields = 'fields=actions,action_values,conversions,conversion_values&date_preset=last_90d';
    const [omni] = await rows(`${base}?${fields}`);
    const types = ((omni?.actions as Action[]) ?? []).map((a) => a.action_type);
    expect(types).toEqual(
      expect.arrayContaining([
        'omni_search',
        'offsite_conversion.fb_pixel_search',
        'search',
        'omni_view_content',
        'offsite_conversion.fb_pixel_view_content',
        'omni_initiated_checkout',
        'offsite_conversion.fb_pixel_initiate_checkout',
        'omni_purchase',
        'offsite_conversion.fb_pixel_purchase',
        'offsite_conversion.custom.1470262077092668',
        'link_click',
      ]),
    );
    for (const action of (omni?.actions as Action[] | undefined) ?? []) expect(action.value).toMatch(/^\d+$/);
    const values = (omni?.action_values as Action[] | undefined) ?? [];
    expect(values.find((v) => v.action_type === 'omni_purchase')?.value).toMatch(/^\d+\.\d{2}$/);
    expect(((omni?.conversions as Action[]) ?? []).map((c) => c.action_type)).toContain('omni_purchase');

    const [pixel] = await rows(`/v26.0/act_${PIXEL_ACCOUNT}/insights?${fields}`);
    const pixelTypes = ((pixel?.actions as Action[]) ?? []).map((a) => a.action_type);
    expect(pixelTypes.some((t) => t.startsWith('omni_'))).toBe(false);
    expect(pixelTypes.some((t) => t.startsWith('click_to_call'))).toBe(false);
    expect(pixelTypes).toContain('offsite_conversion.fb_pixel_purchase');
    expect(((pixel?.conversions as Action[]) ?? []).map((c) => c.action_type)).toEqual(
      expect.arrayContaining([
        'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w numer telefonu',
        'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w adres e-mail',
      ]),
    );

    const [native] = await rows(`/v26.0/act_${NY_ACCOUNT}/insights?${fields}`);
    const nativeTypes = ((native?.actions as Action[]) ?? []).map((a) => a.action_type);
    expect(nativeTypes).toContain('click_to_call_native_20s_call_connect');
    expect(
      nativeTypes.filter((t) =>
        [
          'click_to_call_native_call_placed',
          'click_to_call_call_confirm',
          'call_confirm_grouped',
          'phone_number_clicks',
        ].includes(t),
      ),
    ).toHaveLength(1);
  });

  it('action_attribution_windows add per-window values', async () => {
    const [row] = await rows(
      `${base}?${RANGE}&fields=actions&action_attribution_windows=${encodeURIComponent('["7d_click","1d_view"]')}`,
    );
    const link = ((row?.actions as Array<Record<string, string>> | undefined) ?? []).find(
      (a) => a.action_type === 'link_click',
    );
    expect(link).toEqual({
      action_type: 'link_click',
      value: expect.any(String),
      '7d_click': expect.any(String),
      '1d_view': expect.any(String),
    });
  });

  it('insights on a campaign default to campaign level; objects read by id', async () => {
    const [campaign] = rowsOf(await call(sandbox.url, `/v26.0/act_${ACCOUNT}/campaigns?fields=id,name`));
    const id = campaign?.id as string;
    const result = await rows(`/v26.0/${id}/insights?${RANGE}&fields=campaign_id,campaign_name,spend`);
    expect(result).toHaveLength(1);
    expect(result[0]?.campaign_id).toBe(id);
    const object = await call(sandbox.url, `/v26.0/${id}?fields=id,name,status,effective_status,objective`);
    expect(object.body).toMatchObject({
      id,
      name: campaign?.name,
      status: expect.stringMatching(/^(ACTIVE|PAUSED)$/),
    });
  });

  it('rejects unknown fields, unknown breakdowns and mixed breakdown groups with 100', async () => {
    for (const query of ['fields=spend,not_a_metric', 'breakdowns=shoe_size', 'breakdowns=age,country']) {
      const result = await call(sandbox.url, `${base}?${query}`);
      expect(result.status).toBe(400);
      expect(errorOf(result)).toMatchObject({ code: 100, type: 'OAuthException' });
    }
  });
});

describe('time zones', () => {
  it("'today' is computed in each account's time zone", async () => {
    const [warsaw] = await rows(`${base}?date_preset=today`);
    const [newYork] = await rows(`/v26.0/act_${NY_ACCOUNT}/insights?date_preset=today`);
    expect(warsaw?.date_start).toBe('2026-11-24');
    expect(newYork?.date_start).toBe('2026-11-23');
  });

  it('no rows for days after today', async () => {
    const daily = await rows(
      `/v26.0/act_${NY_ACCOUNT}/insights?time_range=${range('2026-11-20', '2026-11-30')}&time_increment=1`,
    );
    expect(daily.map((r) => r.date_start)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']);
  });
});

describe('data-size guard', () => {
  it('plain "reduce the amount of data" error above a row threshold, HTTP 500', async () => {
    sandbox.setFaults({ reduceData: { maxRows: 10, form: 'plain' } });
    const big = await call(sandbox.url, `${base}?level=ad&${RANGE}&time_increment=1`);
    expect(big.status).toBe(500);
    expect(big.body).toEqual({
      error: {
        code: 1,
        message: "Please reduce the amount of data you're asking for, then retry your request",
      },
    });
    expect((await call(sandbox.url, `${base}?level=account&${RANGE}`)).status).toBe(200);
    sandbox.setFaults({ reduceData: { maxRows: 10, form: 'wrapped' } });
    const wrapped = await call(sandbox.url, `${base}?level=ad&${RANGE}&time_increment=1`);
    expect(wrapped.status).toBe(500);
    expect(errorOf(wrapped)).toMatchObject({
      message: 'An unknown error occurred',
      code: 1,
      error_subcode: 99,
      error_user_title: 'Please reduce the amount of data',
      error_user_msg: "Please reduce the amount of data you're asking for, then retry your request",
    });
    sandbox.setFaults({ reduceData: { maxRows: null } });
  });

  it('a per-page data-point limit is cured by a smaller limit', async () => {
    sandbox.setFaults({ reduceData: { maxDataPointsPerPage: 100, form: 'plain' } });
    const query = `${base}?level=campaign&${RANGE}&time_increment=1&fields=campaign_id,spend,impressions,clicks`;
    expect((await call(sandbox.url, `${query}&limit=500`)).status).toBe(500);
    expect((await call(sandbox.url, `${query}&limit=20`)).status).toBe(200);
    sandbox.setFaults({ reduceData: { maxDataPointsPerPage: null } });
  });
});
