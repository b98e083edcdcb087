/**
 * Period-level reach (issue 13): reach over a period is computed at period level, never summed
 * over days: for any `time_range`, `time_ranges` and `time_increment` (N days, monthly,
 * all_days), max daily reach <= period reach <= sum of daily reach, and
 * `frequency = impressions / reach` of the period. Also across entities (account <= campaigns).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, range, rowsOf } from './testing.ts';

const [ACCOUNT, PIXEL_ACCOUNT] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'reach', startTime: '2026-11-24T10:00:00Z' });
});
afterAll(async () => {
  await sandbox.close();
});

type Row = Record<string, string>;
const FIELDS = 'fields=campaign_id,impressions,reach,frequency,spend,cpp&limit=5000';

async function rows(path: string): Promise<Row[]> {
  const result = await call(sandbox.url, path);
  expect(result.status, result.text).toBe(200);
  return rowsOf(result) as Row[];
}

/** Daily rows of [since, until] keyed by entity (campaign id or 'account'). */
async function daily(account: string, level: string, since: string, until: string) {
  const list = await rows(
    `/v26.0/act_${account}/insights?level=${level}&time_range=${range(since, until)}&time_increment=1&${FIELDS}`,
  );
  const byEntity = new Map<string, Row[]>();
  for (const row of list) {
    const key = row.campaign_id ?? 'account';
    byEntity.set(key, [...(byEntity.get(key) ?? []), row]);
  }
  return byEntity;
}

function within(days: Row[], since: string, until: string): Row[] {
  return days.filter((d) => (d.date_start as string) >= since && (d.date_start as string) <= until);
}

/** The bounds every period row must meet against its own daily rows. */
function expectPeriodBounds(period: Row, days: Row[]) {
  const reach = Number(period.reach);
  const dailyReach = days.map((d) => Number(d.reach));
  expect(days.length).toBeGreaterThan(0);
  expect(reach).toBeGreaterThanOrEqual(Math.max(...dailyReach));
  expect(reach).toBeLessThanOrEqual(dailyReach.reduce((a, b) => a + b, 0));
  expect(reach).toBeLessThanOrEqual(Number(period.impressions));
  expect(Number(period.impressions)).toBe(days.reduce((a, d) => a + Number(d.impressions), 0));
  expect(Number(period.frequency)).toBeCloseTo(Number(period.impressions) / reach, 5);
  expect(Number(period.cpp)).toBeCloseTo((Number(period.spend) / reach) * 1000, 4);
}

describe('period-level reach', () => {
  it('time_range over 30 days, account and campaign level: within the daily bounds, not their sum', async () => {
    for (const level of ['account', 'campaign']) {
      const days = await daily(ACCOUNT as string, level, '2026-10-20', '2026-11-18');
      const periods = await rows(
        `/v26.0/act_${ACCOUNT}/insights?level=${level}&time_range=${range('2026-10-20', '2026-11-18')}&${FIELDS}`,
      );
      expect(periods.length).toBe(days.size);
      for (const period of periods) {
        const own = days.get(period.campaign_id ?? 'account') ?? [];
        expectPeriodBounds(period, own);
        if (own.length > 3) {
          // Real de-duplication: clearly below the sum of daily reach.
          expect(Number(period.reach)).toBeLessThan(0.8 * own.reduce((a, d) => a + Number(d.reach), 0));
        }
      }
    }
  });

  it('time_increment monthly, 7 days and all_days: each bucket is its own period, equal to a time_range read', async () => {
    const since = '2026-09-01';
    const until = '2026-11-20';
    const days = (await daily(ACCOUNT as string, 'account', since, until)).get('account') ?? [];
    for (const increment of ['monthly', '7', 'all_days']) {
      const buckets = await rows(
        `/v26.0/act_${ACCOUNT}/insights?time_range=${range(since, until)}&time_increment=${increment}&${FIELDS}`,
      );
      expect(buckets.length).toBe(increment === 'monthly' ? 3 : increment === '7' ? 12 : 1);
      for (const bucket of buckets) {
        expectPeriodBounds(bucket, within(days, bucket.date_start as string, bucket.date_stop as string));
        const [alone] = await rows(
          `/v26.0/act_${ACCOUNT}/insights?time_range=${range(bucket.date_start as string, bucket.date_stop as string)}&${FIELDS}`,
        );
        expect(alone?.reach).toBe(bucket.reach);
        expect(alone?.frequency).toBe(bucket.frequency);
      }
    }
  });

  it('time_ranges: every range is its own period (overlapping ranges included)', async () => {
    const days =
      (await daily(PIXEL_ACCOUNT as string, 'account', '2026-11-01', '2026-11-21')).get('account') ?? [];
    const ranges = [
      { since: '2026-11-01', until: '2026-11-07' },
      { since: '2026-11-05', until: '2026-11-21' },
      { since: '2026-11-10', until: '2026-11-10' },
    ];
    const list = await rows(
      `/v26.0/act_${PIXEL_ACCOUNT}/insights?time_ranges=${encodeURIComponent(JSON.stringify(ranges))}&${FIELDS}`,
    );
    expect(list.map((r) => [r.date_start, r.date_stop])).toEqual(ranges.map((r) => [r.since, r.until]));
    for (const [index, row] of list.entries()) {
      const own = within(days, ranges[index]?.since as string, ranges[index]?.until as string);
      expectPeriodBounds(row, own);
    }
    // A one-day range is exactly that day's reach.
    expect(list[2]?.reach).toBe(within(days, '2026-11-10', '2026-11-10')[0]?.reach);
  });

  it('the account reaches fewer people than its campaigns together, at least as many as the largest', async () => {
    const query = `time_range=${range('2026-11-01', '2026-11-20')}&${FIELDS}`;
    const [account] = await rows(`/v26.0/act_${ACCOUNT}/insights?level=account&${query}`);
    const campaigns = await rows(`/v26.0/act_${ACCOUNT}/insights?level=campaign&${query}`);
    const reaches = campaigns.map((c) => Number(c.reach));
    expect(Number(account?.reach)).toBeLessThan(reaches.reduce((a, b) => a + b, 0));
    expect(Number(account?.reach)).toBeGreaterThanOrEqual(Math.max(...reaches));
  });

  it('a day never reaches more people than it has impressions (daily frequency >= 1)', async () => {
    const ads = await rows(
      `/v26.0/act_${ACCOUNT}/insights?level=ad&time_range=${range('2026-08-01', '2026-11-20')}&time_increment=1&fields=ad_id,impressions,reach&limit=10000`,
    );
    expect(ads.length).toBeGreaterThan(500);
    for (const row of ads) expect(Number(row.reach)).toBeLessThanOrEqual(Number(row.impressions));
  });

  it('breakdown cells and metric filters use the period reach', async () => {
    const query = `time_range=${range('2026-11-01', '2026-11-20')}&fields=impressions,reach,frequency&limit=500`;
    const cells = await rows(`/v26.0/act_${ACCOUNT}/insights?breakdowns=age,gender&${query}`);
    for (const cell of cells) {
      expect(Number(cell.reach)).toBeLessThanOrEqual(Number(cell.impressions));
      expect(Number(cell.frequency)).toBeCloseTo(Number(cell.impressions) / Number(cell.reach), 5);
    }
    const campaigns = await rows(`/v26.0/act_${ACCOUNT}/insights?level=campaign&${query}`);
    const threshold = campaigns.map((c) => Number(c.reach)).sort((a, b) => a - b)[
      Math.floor(campaigns.length / 2)
    ];
    const filtering = encodeURIComponent(
      JSON.stringify([{ field: 'campaign.reach', operator: 'GREATER_THAN', value: threshold }]),
    );
    const big = await rows(`/v26.0/act_${ACCOUNT}/insights?level=campaign&${query}&filtering=${filtering}`);
    expect(big.length).toBe(campaigns.filter((c) => Number(c.reach) > (threshold ?? 0)).length);
  });
});
