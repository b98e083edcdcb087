/**
 * Acceptance (issue 6): refresh-cache. Rows match the app's shapes and period ids, computed in the ad
 * account's time zone on a date where UTC disagrees (2026-03-31 22:30 UTC is 2026-04-01 00:30 in Warsaw)
 * and whose ISO week spans two months; at most 6 Meta calls per refresh (sandbox counters); a sandbox
 * failure (500s for the account) leaves the previous rows unchanged.
 */
import { DEFAULT_ACCOUNT_IDS } from '@meta-engine/meta-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.ts';

const [WARSAW, , NEW_YORK] = DEFAULT_ACCOUNT_IDS;
/** UTC date 2026-03-31; Warsaw (CEST, UTC+2) 2026-04-01 00:30; New York (EDT) 2026-03-31 18:30. */
const START = '2026-03-31T22:30:00Z';

interface CacheRow {
  client_id: string;
  period_id: string;
  cache_data: Record<string, unknown>;
  last_updated: Date;
}

describe('worker: refresh-cache', () => {
  let h: WorkerHarness;
  let warsawClient: string;
  let newYorkClient: string;

  beforeAll(async () => {
    h = await startWorkerHarness({ sandbox: { startTime: START, seed: 11 } });
    await h.startApp({ settings: { includeAdRelevance: true } });
    warsawClient = await h.seedClient({ name: 'Hotel Warszawa', adAccountId: WARSAW });
    newYorkClient = await h.seedClient({ name: 'Closed NY', adAccountId: NEW_YORK });
    // A validation first: refresh-cache then reads time zone and currency from it (no extra Meta call).
    const validations = await Promise.all([
      h.addJob('validate', { clientId: warsawClient, adAccountId: WARSAW, runId: 'v1' }),
      h.addJob('validate', { clientId: newYorkClient, adAccountId: NEW_YORK, runId: 'v1' }),
    ]);
    await h.waitForJobs(
      'validate',
      validations.map((job) => job.id!),
      { states: ['completed'] },
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  const cacheRows = async (table: 'current_month_cache' | 'current_week_cache', clientId: string) =>
    h.sql.unsafe<CacheRow[]>(
      `select client_id, period_id, cache_data, last_updated from ${table} where client_id = $1 order by period_id`,
      [clientId],
    );

  it('writes month and week rows in the app shapes, with period ids of the account time zone, in 6 calls', async () => {
    const before = h.sandbox.counters().accounts[WARSAW]!;
    const job = await h.addJob('refresh-cache', { clientId: warsawClient, adAccountId: WARSAW, runId: 'r1' });
    const [done] = await h.waitForJobs('refresh-cache', [job.id!], { states: ['completed'] });
    const after = h.sandbox.counters().accounts[WARSAW]!;
    const calls =
      after.ads_insights.calls -
      before.ads_insights.calls +
      (after.ads_management.calls - before.ads_management.calls);
    expect(calls).toBe(6);
    expect(after.ads_management.calls - before.ads_management.calls).toBe(0);
    expect(done?.returnvalue).toMatchObject({
      monthPeriodId: '2026-04',
      weekPeriodId: '2026-W14',
      metaCalls: 6,
    });

    const [month] = await cacheRows('current_month_cache', warsawClient);
    const [week] = await cacheRows('current_week_cache', warsawClient);
    // UTC would say 2026-03 and the same week; the account's day is 2026-04-01.
    expect(month?.period_id).toBe('2026-04');
    expect(week?.period_id).toBe('2026-W14');

    const monthData = month!.cache_data;
    expect(Object.keys(monthData).sort()).toEqual(
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
    expect(monthData.client).toEqual({ id: warsawClient, name: 'Hotel Warszawa', adAccountId: WARSAW });
    expect(monthData).toMatchObject({ fromCache: false, cacheAge: 0 });
    expect(monthData.accountInfo).toMatchObject({
      id: `act_${WARSAW}`,
      currency: 'PLN',
      timezone_name: 'Europe/Warsaw',
      account_status: 1,
    });
    const monthCampaigns = monthData.campaigns as Array<Record<string, unknown>>;
    expect(monthCampaigns.length).toBeGreaterThan(0);
    for (const campaign of monthCampaigns) {
      expect(campaign).toMatchObject({ date_start: '2026-04-01', date_stop: '2026-04-01', status: 'ACTIVE' });
      expect(typeof campaign.spend).toBe('number');
      expect(typeof campaign.reservations).toBe('number');
    }
    expect(Object.keys(monthData.stats as object).sort()).toEqual(
      [
        'averageCpc',
        'averageCtr',
        'totalClicks',
        'totalConversions',
        'totalImpressions',
        'totalSpend',
      ].sort(),
    );
    expect(Object.keys(monthData.conversionMetrics as object)).toEqual(
      expect.arrayContaining([
        'reservations',
        'reservation_value',
        'roas',
        'booking_step_1',
        'click_to_call',
      ]),
    );
    const tables = monthData.metaTables as Record<string, unknown[]>;
    expect(Object.keys(tables).sort()).toEqual(
      [
        'adRelevanceResults',
        'demographicPerformance',
        'geographicPerformance',
        'placementPerformance',
      ].sort(),
    );
    expect(tables.placementPerformance!.length).toBeGreaterThan(0);
    expect(tables.adRelevanceResults!.length).toBeGreaterThan(0);

    const weekData = week!.cache_data;
    // The week spans two months: Monday 2026-03-30 to today (2026-04-01).
    expect(weekData.dateRange).toEqual({ start: '2026-03-30', end: '2026-04-01' });
    expect(weekData.client).toEqual({
      id: warsawClient,
      name: 'Hotel Warszawa',
      adAccountId: WARSAW,
      currency: 'PLN',
    });
    expect(weekData.accountInfo).toEqual({ currency: 'PLN', timezone: 'Europe/Warsaw', status: 1 });
    expect(weekData).toMatchObject({ fromCache: false });
    const weekCampaigns = weekData.campaigns as Array<Record<string, unknown>>;
    expect(weekCampaigns.length).toBeGreaterThan(0);
    for (const campaign of weekCampaigns) {
      expect(campaign).toMatchObject({ date_start: '2026-03-30', date_stop: '2026-04-01' });
      expect(typeof campaign.spend).toBe('string');
    }
    // Week spend covers three days, the month only one: the week must be larger.
    const spend = (data: Record<string, unknown>) => (data.stats as { totalSpend: number }).totalSpend;
    expect(spend(weekData)).toBeGreaterThan(spend(monthData));
    expect(month!.last_updated).toBeInstanceOf(Date);
  });

  it('uses each account its own time zone: New York is still on 2026-03-31', async () => {
    const job = await h.addJob('refresh-cache', {
      clientId: newYorkClient,
      adAccountId: NEW_YORK,
      runId: 'r1',
    });
    const [done] = await h.waitForJobs('refresh-cache', [job.id!], { states: ['completed'] });
    expect(done?.returnvalue).toMatchObject({ monthPeriodId: '2026-03', weekPeriodId: '2026-W14' });
    const [week] = await cacheRows('current_week_cache', newYorkClient);
    expect(week?.cache_data.dateRange).toEqual({ start: '2026-03-30', end: '2026-03-31' });
    expect((await cacheRows('current_month_cache', newYorkClient))[0]?.period_id).toBe('2026-03');
  });

  it("takes the month's daily_kpi_data Meta sums as the second tier (app-contract §3.3)", async () => {
    // Two Meta days of this month (Warsaw's April) and a Google row that must not count.
    await h.sql`
      insert into daily_kpi_data (client_id, date, data_source, platform, reservations, email_contacts)
      values (${warsawClient}, '2026-04-01', 'meta_api', 'meta', 700, 0),
             (${warsawClient}, '2026-03-31', 'meta_api', 'meta', 5000, 5000),
             (${newYorkClient}, '2026-04-01', 'meta_api', 'meta', 9000, 9000)`;
    await h.sql`
      insert into daily_kpi_data (client_id, date, data_source, platform, reservations)
      values (${warsawClient}, '2026-04-02', 'google_ads', 'google', 40)`;
    try {
      const job = await h.addJob('refresh-cache', {
        clientId: warsawClient,
        adAccountId: WARSAW,
        runId: 'rk',
      });
      await h.waitForJobs('refresh-cache', [job.id!], { states: ['completed'] });
      const [month] = await cacheRows('current_month_cache', warsawClient);
      // Only April's Meta row of this client: 700 (not March's 5000, New York's 9000 or Google's 40).
      expect((month!.cache_data.stats as { totalConversions: number }).totalConversions).toBe(700);
    } finally {
      await h.sql`delete from daily_kpi_data where client_id in (${warsawClient}, ${newYorkClient})`;
    }
  });

  it('leaves the previous rows unchanged when a fetch fails (500s for the account)', async () => {
    const monthBefore = await cacheRows('current_month_cache', warsawClient);
    const weekBefore = await cacheRows('current_week_cache', warsawClient);
    expect(monthBefore).toHaveLength(1);
    h.sandbox.setFaults({ byAccount: { [WARSAW]: { serverErrorRate: 1 } } });
    try {
      const job = await h.addJob(
        'refresh-cache',
        { clientId: warsawClient, adAccountId: WARSAW, runId: 'r2' },
        { attempts: 1 },
      );
      const [failed] = await h.waitForJobs('refresh-cache', [job.id!], { states: ['failed'] });
      expect(failed?.failedReason).toMatch(/\(#[12], transient\)/);
    } finally {
      h.sandbox.setFaults({ byAccount: { [WARSAW]: null } });
    }
    expect(await cacheRows('current_month_cache', warsawClient)).toEqual(monthBefore);
    expect(await cacheRows('current_week_cache', warsawClient)).toEqual(weekBefore);
    const [state] = await h.sql<{ last_error: { category: string; code: number | null } }[]>`
      select last_error from meta_sync_state where client_id = ${warsawClient} and task = 'refresh-cache'`;
    expect(state?.last_error.category).toBe('transient');
  });
});
