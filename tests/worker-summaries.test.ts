/**
 * Acceptance (issue 13): the summaries task writes Meta's monthly and weekly `campaign_summaries` rows into
 * the app's REAL table (its columns, CHECK weekly_must_be_monday, UNIQUE per platform and the
 * check_data_freshness_trigger), through supabase-js on the local stack, against the Meta sandbox.
 *
 * The sandbox clock starts at 2027-01-11 02:00 UTC: Monday 11:00 in Tokyo, Sunday 18:00 in Los Angeles, so
 * the closed ISO weeks cross the year boundary (2026-W53 = 2026-12-28..2027-01-03, 2027-W01) and Tokyo has
 * closed 2027-W01 while Los Angeles has not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CAMPAIGN_SUMMARIES_SQL, APP_SCHEMA_SQL } from '../packages/db/src/test-support/app-schema.ts';
import { startWorkerHarness, type TestApp, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const TOKYO = '4100000000000001';
const LOS_ANGELES = '4100000000000002';
const START = '2027-01-11T02:00:00Z';
const DAY_MS = 86_400_000;

interface SummaryRow {
  summary_type: string;
  summary_date: string;
  total_spend: string;
  total_impressions: string;
  total_clicks: string;
  total_conversions: string;
  reach: string;
  reservations: string;
  reservation_value: string;
  data_source: string;
  campaign_data: Array<Record<string, unknown>>;
  meta_tables: Record<string, unknown[]>;
  last_updated: Date;
  json: string;
}

interface Insight {
  spend?: string;
  impressions?: string;
  inline_link_clicks?: string;
  reach?: string;
  actions?: Array<{ action_type: string; value: string }>;
  date_start: string;
  date_stop: string;
}

describe('worker: summaries into the app’s campaign_summaries', () => {
  let h: WorkerHarness;
  let worker: TestApp;
  let tokyo: string;
  let tokyoMapped: string;
  let losAngeles: string;

  /** The sandbox's own answer (read directly, not through the worker). */
  async function sandboxInsights(account: string, params: Record<string, string>): Promise<Insight[]> {
    const query = new URLSearchParams({ limit: '1000', ...params });
    const res = await fetch(`${h.sandbox.url}/v26.0/act_${account}/insights?${query}`, {
      headers: { authorization: `Bearer ${h.token}` },
    });
    const body = (await res.json()) as { data: Insight[] };
    return body.data;
  }

  async function rows(clientId: string, type?: string): Promise<SummaryRow[]> {
    return h.sql.unsafe<SummaryRow[]>(
      `select to_char(summary_date, 'YYYY-MM-DD') as summary_date, summary_type, total_spend::text, total_impressions::text,
              total_clicks::text, total_conversions::text, reach::text, reservations::text, reservation_value::text,
              data_source, campaign_data, meta_tables, last_updated, row_to_json(s)::text as json
       from campaign_summaries s where client_id = $1 ${type ? 'and summary_type = $2' : ''}
       order by summary_type, summary_date desc`,
      type ? [clientId, type] : [clientId],
    );
  }

  async function summarize(clientId: string, adAccountId: string, kind: string, runId: string, extra = {}) {
    const job = await h.addJob(
      'summaries',
      { clientId, adAccountId, kind, runId, ...extra },
      { attempts: 1 },
    );
    const [done] = await h.waitForJobs('summaries', [job.id!], { timeoutMs: 60_000 });
    return done!;
  }

  const insightCalls = (account: string) => h.sandbox.counters().accounts[account]?.ads_insights.calls ?? 0;

  beforeAll(async () => {
    h = await startWorkerHarness({
      sandbox: {
        startTime: START,
        seed: 'summaries',
        accounts: [
          { id: TOKYO, name: 'Hotel Tokyo', timezone: 'Asia/Tokyo', currency: 'JPY', campaigns: 4 },
          {
            id: LOS_ANGELES,
            name: 'Hotel LA',
            timezone: 'America/Los_Angeles',
            currency: 'USD',
            campaigns: 4,
          },
        ],
      },
      // The app's own campaign_summaries (and its freshness trigger) exist before the engine's migrations.
      beforeMigrate: async (url) => {
        const postgres = (await import('postgres')).default;
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        try {
          await sql.unsafe(APP_SCHEMA_SQL);
          await sql.unsafe(APP_CAMPAIGN_SUMMARIES_SQL);
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
    });
    worker = await h.startApp({
      settings: {
        summariesBackfillMonths: 3,
        summariesBackfillWeeks: 4,
        summariesPieceMonths: 2,
        summariesPieceWeeks: 3,
        includeAdRelevance: true,
        maxParksWithoutProgress: 3,
        // Meta's waits (throttle retry times) pass 3600 times faster, as on the sandbox's fast clock.
        metaTimeScale: 3600,
      },
      limiter: { appFallbackBlockMs: 17 },
    });
    tokyo = await h.seedClient({ name: 'Tokyo', adAccountId: TOKYO, apiStatus: 'valid' });
    tokyoMapped = await h.seedClient({ name: 'Tokyo (mapped)', adAccountId: TOKYO, apiStatus: 'valid' });
    losAngeles = await h.seedClient({ name: 'Los Angeles', adAccountId: LOS_ANGELES, apiStatus: 'valid' });
    await h.sql`insert into client_dashboard_config (client_id, conversion_mappings)
                values (${tokyoMapped}, ${h.sql.json({ meta: { reservations: ['offsite_conversion.fb_pixel_initiate_checkout'] } })})`;
    // The app's archive left a November row for Los Angeles (cache objects, its own numbers).
    await h.sql`insert into campaign_summaries (client_id, summary_type, summary_date, total_spend, campaign_data, data_source, last_updated)
                values (${losAngeles}, 'monthly', '2026-11-01', 1, '[{"campaign_id":"x"}]', 'smart_cache_archive', now() - interval '30 days')`;
    const validations = await Promise.all(
      [
        [tokyo, TOKYO],
        [tokyoMapped, TOKYO],
        [losAngeles, LOS_ANGELES],
      ].map(([clientId, adAccountId]) => h.addJob('validate', { clientId, adAccountId, runId: 'v1' })),
    );
    await h.waitForJobs(
      'validate',
      validations.map((job) => job.id!),
      { states: ['completed'] },
    );
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('writes monthly and weekly rows equal to the sandbox’s period totals, reach from the period', async () => {
    const before = insightCalls(TOKYO);
    const weekly = await summarize(tokyo, TOKYO, 'weekly', 'first');
    expect(weekly.failedReason).toBeUndefined();
    // 4 weeks in pieces of 3: two sets of 6 calls, whatever the number of periods in each.
    expect(weekly.returnvalue).toMatchObject({ kind: 'weekly', today: '2027-01-11', pieces: 2 });
    expect(weekly.returnvalue.metaCalls).toBe(insightCalls(TOKYO) - before);
    expect(weekly.returnvalue.metaCalls).toBeGreaterThanOrEqual(12);
    expect(weekly.returnvalue.metaCalls).toBeLessThanOrEqual(16);
    const monthly = await summarize(tokyo, TOKYO, 'monthly', 'first');
    expect(monthly.returnvalue.periods.map((p: { label: string }) => p.label)).toEqual([
      '2026-12',
      '2026-11',
      '2026-10',
    ]);

    const weeks = await rows(tokyo, 'weekly');
    // Recent first; the ISO Mondays across the year boundary.
    expect(weeks.map((w) => w.summary_date)).toEqual([
      '2027-01-04',
      '2026-12-28',
      '2026-12-21',
      '2026-12-14',
    ]);
    for (const [index, week] of weeks.entries()) {
      const since = week.summary_date;
      const until = new Date(Date.parse(`${since}T00:00:00Z`) + 6 * DAY_MS).toISOString().slice(0, 10);
      const [account] = await sandboxInsights(TOKYO, {
        level: 'account',
        time_range: JSON.stringify({ since, until }),
        fields: 'spend,impressions,inline_link_clicks,reach',
      });
      expect(Number(week.total_spend), `week ${index}`).toBeCloseTo(Number(account!.spend), 2);
      expect(week.total_impressions).toBe(account!.impressions);
      expect(week.total_clicks).toBe(account!.inline_link_clicks);
      expect(week.reach).toBe(account!.reach);
      expect(week.data_source).toBe('meta_api');
      expect(Object.keys(week.meta_tables).sort()).toEqual([
        'adRelevanceResults',
        'demographicPerformance',
        'geographicPerformance',
        'placementPerformance',
      ]);
      expect(week.campaign_data.length).toBeGreaterThan(0);
    }
    const w53 = weeks[1]!;
    expect(w53.campaign_data[0]).toMatchObject({ date_start: '2026-12-28', date_stop: '2027-01-03' });

    const [december] = await rows(tokyo, 'monthly');
    expect(december?.summary_date).toBe('2026-12-01');
    const range = JSON.stringify({ since: '2026-12-01', until: '2026-12-31' });
    const [account] = await sandboxInsights(TOKYO, {
      level: 'account',
      time_range: range,
      fields: 'spend,impressions,inline_link_clicks,reach,actions',
    });
    expect(december!.total_impressions).toBe(account!.impressions);
    expect(december!.reach).toBe(account!.reach);
    const purchases = account!.actions?.find((a) => a.action_type === 'omni_purchase')?.value;
    expect(december!.reservations).toBe(purchases);
    // Reach is the period's: below the sum of the days' and of the campaigns' reach.
    const days = await sandboxInsights(TOKYO, {
      level: 'account',
      time_range: range,
      time_increment: '1',
      fields: 'reach',
    });
    const campaigns = await sandboxInsights(TOKYO, { level: 'campaign', time_range: range, fields: 'reach' });
    const sum = (list: Insight[]) => list.reduce((total, row) => total + Number(row.reach ?? 0), 0);
    expect(days).toHaveLength(31);
    expect(Number(december!.reach)).toBeLessThan(sum(days));
    expect(Number(december!.reach)).toBeLessThan(sum(campaigns));

    const changes = await h.sql`select change from meta_summary_changes where client_id = ${tokyo}`;
    expect(changes).toHaveLength(7);
    expect(new Set(changes.map((c) => c.change))).toEqual(new Set(['created']));
    // Written with last_updated = now(): the app's freshness trigger logged nothing.
    expect(await h.sql`select * from system_logs`).toHaveLength(0);
  });

  it('uses each account’s time zone: Los Angeles (still Sunday 2027-01-10) has no 2027-W01 row yet', async () => {
    await summarize(losAngeles, LOS_ANGELES, 'weekly', 'first');
    const monthly = await summarize(losAngeles, LOS_ANGELES, 'monthly', 'first');
    const weeks = await rows(losAngeles, 'weekly');
    expect(weeks.map((w) => w.summary_date)).toEqual([
      '2026-12-28',
      '2026-12-21',
      '2026-12-14',
      '2026-12-07',
    ]);
    const [account] = await sandboxInsights(LOS_ANGELES, {
      level: 'account',
      time_range: JSON.stringify({ since: '2026-12-28', until: '2027-01-03' }),
      fields: 'impressions,reach',
    });
    expect(weeks[0]!.reach).toBe(account!.reach);
    expect(weeks[0]!.total_impressions).toBe(account!.impressions);
    // The archive's November row was another writer's: replaced by the complete fetch, with its history.
    expect(monthly.returnvalue.periods).toContainEqual({
      label: '2026-11',
      reason: 'foreign',
      outcome: 'replaced',
    });
    const [replaced] = await h.sql<
      { change: string; previous_source: string; metrics: Record<string, { before: number }> }[]
    >`
      select change, previous_source, metrics from meta_summary_changes
      where client_id = ${losAngeles} and summary_date = '2026-11-01'`;
    expect(replaced).toMatchObject({ change: 'replaced', previous_source: 'smart_cache_archive' });
    expect(replaced!.metrics.total_spend?.before).toBe(1);
    const november = (await rows(losAngeles, 'monthly')).find((m) => m.summary_date === '2026-11-01');
    expect(november?.data_source).toBe('meta_api');
    expect(Number(november?.total_spend)).toBeGreaterThan(1);
  });

  it('parses conversions with the client’s own mappings', async () => {
    await summarize(tokyoMapped, TOKYO, 'monthly', 'first');
    const [mapped] = await rows(tokyoMapped, 'monthly');
    const [plain] = await rows(tokyo, 'monthly');
    const [account] = await sandboxInsights(TOKYO, {
      level: 'account',
      time_range: JSON.stringify({ since: '2026-12-01', until: '2026-12-31' }),
      fields: 'actions',
    });
    const checkouts = account!.actions?.find(
      (a) => a.action_type === 'offsite_conversion.fb_pixel_initiate_checkout',
    )?.value;
    expect(mapped!.reservations).toBe(checkouts);
    expect(Number(mapped!.reservations)).toBeGreaterThan(Number(plain!.reservations));
    expect(mapped!.total_spend).toBe(plain!.total_spend);
  });

  it('a restated day rewrites the affected rows on the next re-collection and records the change; the rest stays', async () => {
    const weeksBefore = await rows(tokyo, 'weekly');
    const monthsBefore = await rows(tokyo, 'monthly');
    // Meta restates Tuesday 2026-12-22 (in 2026-W52 and December).
    h.sandbox.restate({ accountId: TOKYO, since: '2026-12-22', factor: 1.5 });

    // Friday 2027-01-15 in Tokyo: a monthly re-collection day (the app's 5th/8th/11th/15th/28th).
    h.sandbox.advanceTime(4 * DAY_MS);
    const friday = await summarize(tokyo, TOKYO, 'monthly', 'jan15');
    expect(friday.returnvalue.today).toBe('2027-01-15');
    // December is still in the 28-day window and changed; November and October are settled (not fetched).
    expect(friday.returnvalue.periods).toEqual([
      { label: '2026-12', reason: 'restatement', outcome: 'restated' },
    ]);
    const monthsAfter = await rows(tokyo, 'monthly');
    expect(Number(monthsAfter[0]!.total_spend)).toBeGreaterThan(Number(monthsBefore[0]!.total_spend));
    expect(monthsAfter[1]!.json).toBe(monthsBefore[1]!.json);
    const [account] = await sandboxInsights(TOKYO, {
      level: 'account',
      time_range: JSON.stringify({ since: '2026-12-01', until: '2026-12-31' }),
      fields: 'impressions,reach',
    });
    expect(monthsAfter[0]!.total_impressions).toBe(account!.impressions);
    expect(monthsAfter[0]!.reach).toBe(account!.reach);
    const [restated] = await h.sql<
      { metrics: Record<string, { before: number; after: number; delta: number }> }[]
    >`
      select metrics from meta_summary_changes
      where client_id = ${tokyo} and summary_date = '2026-12-01' and change = 'restated'`;
    expect(restated!.metrics.total_spend!.delta).toBeGreaterThan(0);
    expect(restated!.metrics.total_impressions!.after).toBe(Number(account!.impressions));

    // Monday 2027-01-18: the weekly close and re-collection (weeks that ended within 28 days).
    h.sandbox.advanceTime(3 * DAY_MS);
    const monday = await summarize(tokyo, TOKYO, 'weekly', 'jan18');
    expect(monday.returnvalue.periods).toEqual([
      { label: '2027-W02', reason: 'missing', outcome: 'created' },
      { label: '2027-W01', reason: 'restatement', outcome: 'unchanged' },
      { label: '2026-W53', reason: 'restatement', outcome: 'unchanged' },
      { label: '2026-W52', reason: 'restatement', outcome: 'restated' },
    ]);
    const weeksAfter = await rows(tokyo, 'weekly');
    const byDate = (list: SummaryRow[], date: string) => list.find((w) => w.summary_date === date)!;
    // Unchanged periods are not rewritten: the very same row, last_updated included.
    for (const date of ['2027-01-04', '2026-12-28', '2026-12-14']) {
      expect(byDate(weeksAfter, date).json).toBe(byDate(weeksBefore, date).json);
    }
    expect(byDate(weeksAfter, '2026-12-21').json).not.toBe(byDate(weeksBefore, '2026-12-21').json);
    const history = await h.sql<{ summary_date: string; change: string }[]>`
      select to_char(summary_date, 'YYYY-MM-DD') as summary_date, change from meta_summary_changes
      where client_id = ${tokyo} and changed_at > now() - interval '5 minutes' and change <> 'created'
      order by summary_date`;
    expect(history).toEqual([
      { summary_date: '2026-12-01', change: 'restated' },
      { summary_date: '2026-12-21', change: 'restated' },
    ]);
    expect(await h.sql`select * from system_logs`).toHaveLength(0);
  });

  it('the drift check records stored against fresh per table and metric, and rewrites nothing', async () => {
    const before = (await rows(tokyo, 'monthly'))[0]!;
    // Meta restates another December day after the last re-collection.
    h.sandbox.restate({ accountId: TOKYO, since: '2026-12-05', factors: { spend: 2 } });
    const job = await h.addJob(
      'drift-check',
      { clientId: tokyo, adAccountId: TOKYO, runId: 'drift1' },
      { attempts: 1 },
    );
    const [done] = await h.waitForJobs('drift-check', [job.id!], { timeoutMs: 60_000 });
    expect(done!.failedReason).toBeUndefined();
    expect(done!.returnvalue).toMatchObject({ month: '2026-12', storedMissing: false });
    const drifted = done!.returnvalue.drifted as Array<{ table: string; metric: string }>;
    expect(drifted).toContainEqual(
      expect.objectContaining({ table: 'campaign_summaries', metric: 'total_spend' }),
    );
    expect(drifted).toContainEqual(expect.objectContaining({ table: 'campaign_data', metric: 'spend' }));
    expect(drifted.some((d) => d.table === 'campaign_summaries' && d.metric === 'total_impressions')).toBe(
      false,
    );
    const recorded = await h.sql<
      { table_name: string; metric: string; stored: string; fresh: string; delta: string }[]
    >`
      select table_name, metric, stored::text, fresh::text, delta::text from meta_summary_drift
      where client_id = ${tokyo} and check_id = ${done!.returnvalue.checkId} order by table_name, metric`;
    const spend = recorded.find((r) => r.table_name === 'campaign_summaries' && r.metric === 'total_spend')!;
    expect(Number(spend.stored)).toBe(Number(before.total_spend));
    expect(Number(spend.delta)).toBeGreaterThan(0);
    expect(new Set(recorded.map((r) => r.table_name))).toEqual(
      new Set([
        'campaign_summaries',
        'campaign_data',
        'meta_tables.placementPerformance',
        'meta_tables.demographicPerformance',
        'meta_tables.geographicPerformance',
        'meta_tables.adRelevanceResults',
        'daily_kpi_data',
      ]),
    );
    // No daily rows were collected in this suite: nothing stored to compare with.
    expect(recorded.filter((r) => r.table_name === 'daily_kpi_data').every((r) => r.stored === null)).toBe(
      true,
    );
    expect((await rows(tokyo, 'monthly'))[0]!.json).toBe(before.json);
  });

  describe('a failed fetch leaves every previous row byte for byte', () => {
    const snapshot = async () => (await rows(tokyo)).map((r) => r.json);

    it('5xx', async () => {
      // The app's archive overwrote October after the engine: a foreign row now.
      await h.sql`update campaign_summaries set data_source = 'smart_cache_archive', total_spend = 1, last_updated = now()
                  where client_id = ${tokyo} and summary_type = 'monthly' and summary_date = '2026-10-01'`;
      const before = await snapshot();
      h.sandbox.setFaults({ byAccount: { [TOKYO]: { serverErrorRate: 1 } } });
      try {
        const failed = await summarize(tokyo, TOKYO, 'monthly', 'fail5xx', { recollect: true });
        expect(failed.failedReason).toMatch(/transient/);
      } finally {
        h.sandbox.setFaults({ byAccount: { [TOKYO]: null } });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('a throttle storm (every insights call refused for the app): the job gives up, nothing written', async () => {
      const before = await snapshot();
      h.sandbox.updateConfig({ appInsightsLoad: { enabled: true, maxCallsPerSecond: null } });
      try {
        const failed = await summarize(tokyo, TOKYO, 'weekly', 'storm', { recollect: true });
        expect(failed.failedReason).toMatch(/^gave_up_waiting/);
      } finally {
        h.sandbox.updateConfig({ appInsightsLoad: { enabled: false } });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('and once Meta answers again, the foreign October row is replaced by the complete fetch', async () => {
      // Wait out the app-throttle pause the storm left on the queues.
      for (const queue of Object.values(worker.app.queues)) await queue.removeRateLimitKey();
      const done = await summarize(tokyo, TOKYO, 'monthly', 'after-storm');
      expect(done.returnvalue.periods).toContainEqual({
        label: '2026-10',
        reason: 'foreign',
        outcome: 'replaced',
      });
    });

    it('token revoked: every queue pauses, the job is handed back, nothing written', async () => {
      const before = await snapshot();
      h.sandbox.revokeToken(h.token);
      const job = await h.addJob('summaries', {
        clientId: tokyo,
        adAccountId: TOKYO,
        kind: 'monthly',
        runId: 'revoked',
        recollect: true,
      });
      await waitUntil(() => h.queues.summaries.isPaused(), {
        timeoutMs: 20_000,
        what: 'the queues to pause',
      });
      // Handed back to its paused queue: neither failed nor completed.
      await h.waitForJobs('summaries', [job.id!], {
        states: ['delayed', 'waiting', 'prioritized'],
        timeoutMs: 20_000,
      });
      const state = await h.sql<{ last_error: { category: string } }[]>`
        select last_error from meta_sync_state where client_id = ${tokyo} and task = 'summaries'`;
      expect(state[0]?.last_error.category).toBe('token_fatal');
      expect(await snapshot()).toEqual(before);
    });
  });
});
