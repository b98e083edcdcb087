/**
 * `summaries-backfill`: 100 clients' first summaries run, the last 12 closed months and 54 ISO weeks each
 * (the app's `collect-monthly-summaries` + `collect-weekly-summaries` Sunday pattern), under
 * development-tier limits on the sandbox's scaled clock: the BUC quotas of reference §1.2 (ads_insights
 * 600 + 400 × active ads per hour) and the ad-account score limit of §1.3 (60 points per 300 s, a read
 * costs 1, blocked 300 s at the limit), with one Meta hour passing in 3600 / TIME_SCALE real seconds.
 *
 * The engine runs as in production: `producer enqueue summaries --all` (the fan-out: one job per client and
 * kind), one worker process with the default summaries settings (pieces of 6 months / 27 weeks, every call
 * booked with the limiter). Reported: wall time from the fan-out to the last job, Meta calls per client
 * (sandbox counters, pages included), rows written, throttles, parks and failed jobs, against
 *
 * - the quota-bound minimum of the engine's calls: with C calls per account, accounts in parallel, the
 *   score limit admits 60 at once and then one per 5 s, so T_min = max(0, C − 60) × 5 s of Meta time; the
 *   steady (sustained-rate) bound is C × 5 s;
 * - the app's pattern (app-contract §5): about 6 calls per month and per week, 12 × 6 + 54 × 6 = 396 calls
 *   per client, whose own quota-bound minimum under the same limits is (396 − 60) × 5 s of Meta time per
 *   account (derived: the app has no limiter, it would get throttled instead and lose periods).
 */
import { createMetaClient, type InsightsParams } from '@meta-engine/meta-client';
import { startRunInline, waitForRun } from '@meta-engine/producer';
import { measureBareWorker } from '../lib/bare-baseline.ts';
import { engineEnv, metricSum, openProducer, startWorkerProcess } from '../lib/engine.ts';
import type { Figure, Goal } from '../lib/results.ts';
import { accountIds, BENCH_TOKEN, startSandboxProcess } from '../lib/sandbox.ts';
import { seedClients, startBenchStack } from '../lib/stack.ts';
import { nullOut, sleep } from '../lib/stats.ts';
import { Cleanup, type Suite } from '../lib/suite.ts';
import { costFigures, measurePart } from '../lib/worker-cost.ts';

/** One Meta hour = 3600 / 60 = 60 real seconds; the score limit's 300 s = 5 real seconds. */
const TIME_SCALE = 60;
const MONTHS = 12;
const WEEKS = 54;
/** The app's calls per period (app-contract §5: "monthly ≈ 8 … weekly ≈ 7–8; Sunday collections about 12×6 + 54×6 ≈ 400"). */
const APP_CALLS_PER_PERIOD = 6;
/** Clients the app's own sequential loop is run on (it takes minutes of Meta time per client). */
const APP_SUBSET = 2;
/** Development tier: the ad-account score limit (reference §1.3). */
const SCORE_MAX = 60;
const SCORE_DECAY_S = 300;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The app's closed periods, UTC (its server's zone): 12 months before this one, 54 weeks before this one. */
function appPeriods(now: Date): Array<{ since: string; until: string }> {
  const periods: Array<{ since: string; until: string }> = [];
  for (let back = 1; back <= MONTHS; back++) {
    const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1);
    const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back + 1, 0);
    periods.push({ since: iso(first), until: iso(last) });
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * 86_400_000;
  for (let back = 1; back <= WEEKS; back++) {
    const start = monday - back * 7 * 86_400_000;
    periods.push({ since: iso(start), until: iso(start + 6 * 86_400_000) });
  }
  return periods;
}

/** The app's six reads per period (app-contract §2.1), each a separate request. */
function appRequests(range: { since: string; until: string }): InsightsParams[] {
  const time_range = range;
  const tableFields = [
    'impressions',
    'clicks',
    'spend',
    'cpm',
    'cpc',
    'ctr',
    'actions',
    'action_values',
    'conversions',
    'conversion_values',
  ];
  return [
    {
      level: 'campaign',
      time_range,
      fields: [
        'campaign_id',
        'campaign_name',
        'spend',
        'impressions',
        'clicks',
        'inline_link_clicks',
        'ctr',
        'inline_link_click_ctr',
        'cpc',
        'cost_per_inline_link_click',
        'cpm',
        'cpp',
        'reach',
        'frequency',
        'conversions',
        'actions',
        'action_values',
        'cost_per_action_type',
      ],
      limit: 500,
      use_unified_attribution_setting: true,
    },
    {
      level: 'account',
      time_range,
      fields: [
        'spend',
        'impressions',
        'clicks',
        'inline_link_clicks',
        'ctr',
        'inline_link_click_ctr',
        'cpc',
        'cost_per_inline_link_click',
        'cpm',
        'cpp',
        'reach',
        'frequency',
        'conversions',
      ],
    },
    { time_range, fields: tableFields, breakdowns: ['publisher_platform', 'platform_position'], limit: 500 },
    { time_range, fields: tableFields, breakdowns: ['age', 'gender'], limit: 500 },
    {
      level: 'ad',
      time_range,
      fields: [
        'impressions',
        'clicks',
        'spend',
        'quality_score_ectr',
        'quality_score_ecvr',
        'engagement_rate_ranking',
        'conversion_rate_ranking',
      ],
      limit: 500,
    },
    {
      time_range,
      fields: [...tableFields, 'inline_link_clicks'],
      breakdowns: ['country', 'region'],
      limit: 500,
      use_unified_attribution_setting: true,
    },
  ];
}

export const summariesBackfill: Suite = {
  name: 'summaries-backfill',
  title: '100 clients: 12 months + 54 weeks of campaign_summaries under development-tier limits',
  async run({ quick, log }) {
    const clients = quick ? 20 : 100;
    const secondsPerCall = SCORE_DECAY_S / SCORE_MAX;
    const cleanup = new Cleanup();
    try {
      const stack = await startBenchStack();
      cleanup.add(() => stack.stop());
      const accounts = {
        count: clients,
        idBase: 7_000_000_000_000_000,
        campaigns: 3,
        adsetsPerCampaign: 1,
        adsPerAdset: 2,
      };
      const sandbox = await startSandboxProcess({
        seed: 'bench-summaries',
        timeScale: TIME_SCALE,
        accounts,
        accountDefaults: { tier: 'development' },
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: true, windowMinutes: 60, blockMinutes: 'window' },
        scoreLimiter: { enabled: true },
      });
      cleanup.add(() => sandbox.close());
      const ids = accountIds(accounts);
      const clientIds = await seedClients(stack.sql, ids);

      const env = engineEnv({
        stack,
        sandboxUrl: sandbox.url,
        queuePrefix: '{bench-summaries}',
        extra: {
          META_TIME_SCALE: String(TIME_SCALE),
          CONCURRENCY_VALIDATE: '20',
          CONCURRENCY_SUMMARIES: '20',
          SUMMARIES_BACKFILL_MONTHS: String(MONTHS),
          SUMMARIES_BACKFILL_WEEKS: String(WEEKS),
        },
      });
      const worker = await startWorkerProcess(env);
      cleanup.add(() => worker.close());
      const runtime = await openProducer(env);
      cleanup.add(() => runtime.close());
      const inline = {
        directory: runtime.directory,
        pageSize: runtime.config.fanout.pageSize,
        fanout: runtime.fanout,
      };

      // As in production the accounts were validated first (each account's time zone comes from that).
      const validation = await startRunInline(inline, { task: 'validate' }, 'cli');
      await waitForRun(runtime, validation.runId, { out: nullOut, intervalMs: 100 });
      // Let the validation's calls leave the score window, then count only the summaries run.
      await sleep(((SCORE_DECAY_S * 1000) / TIME_SCALE) * 1.2);
      await sandbox.reset();

      log(
        `engine: ${clients} clients x (${MONTHS} months + ${WEEKS} weeks), development tier with the score limit, one Meta hour = ${3600 / TIME_SCALE} s`,
      );
      const started = Date.now();
      const measured = await measurePart([worker], async () => {
        const run = await startRunInline(inline, { task: 'summaries' }, 'cli');
        return waitForRun(runtime, run.runId, {
          out: nullOut,
          intervalMs: 200,
          signal: AbortSignal.timeout(20 * 60_000),
        });
      });
      const final = measured.result;
      if (!final.finished) throw new Error(`the summaries run did not finish within 20 minutes`);
      const seconds = (Date.now() - started) / 1000;
      const counters = await sandbox.counters();
      const closed = await worker.close();
      const bare = await measureBareWorker({ redisUrl: stack.redisUrl, jobs: 1_000, concurrency: 20 });
      const [rows] = await stack.sql<{ monthly: number; weekly: number; clients: number }[]>`
        select count(*) filter (where summary_type = 'monthly')::int as monthly,
               count(*) filter (where summary_type = 'weekly')::int as weekly,
               count(distinct client_id)::int as clients
        from campaign_summaries where platform = 'meta'`;
      const [history] = await stack.sql<{ created: number }[]>`
        select count(*)::int as created from meta_summary_changes where change = 'created'`;
      const [empty] = await stack.sql<{ empty: number }[]>`
        select count(*)::int as empty from meta_summary_periods where outcome = 'empty'`;

      // --- The app's Sunday loop, on a subset: sequential, its sleeps scaled to Meta time, no retries (its
      // Meta service logs an error and returns [], so a failed read is a lost or zeroed period). ------------
      await sleep(((SCORE_DECAY_S * 1000) / TIME_SCALE) * 1.2);
      await sandbox.reset();
      log(
        `the app's loop: ${APP_SUBSET} clients, ${(MONTHS + WEEKS) * APP_CALLS_PER_PERIOD} reads each, sequential`,
      );
      const meta = createMetaClient({ accessToken: BENCH_TOKEN, baseUrl: sandbox.url, retry: { limit: 0 } });
      cleanup.add(() => meta.close());
      let appLost = 0;
      let appFailedCalls = 0;
      const appStarted = Date.now();
      for (const id of ids.slice(0, APP_SUBSET)) {
        for (const period of appPeriods(new Date())) {
          let lost = false;
          for (const params of appRequests(period)) {
            try {
              await meta.getInsights(id, params, { split: false });
            } catch {
              appFailedCalls++;
              lost = true;
            }
          }
          if (lost) appLost++;
          await sleep(100 / TIME_SCALE);
        }
        await sleep(500 / TIME_SCALE);
      }
      const appSeconds = (Date.now() - appStarted) / 1000;
      const appCounters = await sandbox.counters();

      const calls = counters.insights.calls + counters.management.calls;
      const perClient = calls / clients;
      const perAccount = Object.values(counters.perAccount);
      const maxPerAccount = Math.max(0, ...perAccount);
      const appPerClient = (MONTHS + WEEKS) * APP_CALLS_PER_PERIOD;
      // Accounts run in parallel: the bound is one account's (the busiest one's).
      const minimumS = (Math.max(0, maxPerAccount - SCORE_MAX) * secondsPerCall) / TIME_SCALE;
      const sustainedS = (maxPerAccount * secondsPerCall) / TIME_SCALE;
      const failed = final.failed;
      const expectedRows = clients * (MONTHS + WEEKS);
      const written = (rows?.monthly ?? 0) + (rows?.weekly ?? 0);
      const throttles = counters.insights.throttles + counters.management.throttles;
      const parks = metricSum(closed.metrics, 'meta_worker_limiter_waits_total');

      const figures: Figure[] = [
        {
          label: 'wall time, fan-out to last job',
          value: seconds,
          unit: 's',
          kind: 'measured',
          note: `one Meta hour = ${3600 / TIME_SCALE} s; bound by this machine's CPU, not by Meta`,
        },
        {
          label: 'Meta calls per client (pages included)',
          value: perClient,
          unit: '',
          baseline: appPerClient,
          ratio: appPerClient / perClient,
          kind: 'measured',
          baselineKind: 'derived',
          note: `app pattern ${MONTHS}×${APP_CALLS_PER_PERIOD} + ${WEEKS}×${APP_CALLS_PER_PERIOD}; busiest account ${maxPerAccount}`,
        },
        {
          label: 'quota-bound minimum of these calls max(0, C−60)·5 s',
          value: minimumS,
          unit: 's',
          kind: 'derived',
          note: 'the whole backfill fits in the 60-point score burst when C ≤ 60',
        },
        {
          label: 'sustained-rate bound C·5 s (one call per 5 s of Meta time)',
          value: sustainedS,
          unit: 's',
          kind: 'derived',
        },
        {
          label: 'Meta time the development-tier limits impose per account (sustained rate, C·5 s)',
          value: (maxPerAccount * secondsPerCall) / 60,
          unit: 'min',
          baseline: (appPerClient * secondsPerCall) / 60,
          ratio: appPerClient / Math.max(1, maxPerAccount),
          kind: 'derived',
          baselineKind: 'derived',
          note: `with the 60-point burst: engine ${(Math.max(0, maxPerAccount - SCORE_MAX) * secondsPerCall) / 60} min, the app pattern ${((appPerClient - SCORE_MAX) * secondsPerCall) / 60} min; on Meta's real clock, not this compressed one`,
        },
        {
          label: 'rows written (monthly + weekly)',
          value: written,
          unit: '',
          kind: 'measured',
          note: `${rows?.monthly ?? 0} monthly + ${rows?.weekly ?? 0} weekly for ${rows?.clients ?? 0} clients; ${empty?.empty ?? 0} periods without delivery (no row); ${history?.created ?? 0} 'created' history rows`,
        },
        {
          label: 'throttle errors received',
          value: throttles,
          unit: '',
          kind: 'measured',
          note: `ads_insights ${counters.insights.throttles}, ads_management ${counters.management.throttles}`,
        },
        { label: 'limiter parks (park events)', value: parks, unit: '', kind: 'measured' },
        { label: 'jobs', value: final.total, unit: '', kind: 'measured', note: 'one per client and kind' },
        { label: 'jobs failed', value: failed, unit: '', kind: 'measured' },
        {
          label: `the app's loop (${APP_SUBSET} clients, no limiter): reads refused by Meta`,
          value: appFailedCalls,
          unit: '',
          kind: 'measured',
          note: `${appCounters.insights.calls} reads sent, ${appLost} of ${APP_SUBSET * (MONTHS + WEEKS)} periods lost or zeroed, ${appSeconds.toFixed(1)} s`,
        },
        ...costFigures(measured.cost, bare.cost, measured.load),
      ];
      const goals: Goal[] = [
        { goal: 'zero failed jobs', met: failed === 0, detail: `${failed} of ${final.total} failed` },
        {
          goal: 'at most a tenth of the app pattern’s Meta calls per client',
          met: perClient * 10 <= appPerClient,
          detail: `${perClient.toFixed(1)} calls per client vs ${appPerClient}`,
        },
        {
          goal: 'every closed period with delivery written',
          met: written + (empty?.empty ?? 0) === expectedRows,
          detail: `${written} rows + ${empty?.empty ?? 0} empty periods of ${expectedRows}`,
        },
        {
          goal: 'no throttle error',
          met: throttles === 0,
          detail: `${throttles} throttled calls of ${calls}`,
        },
      ];
      return {
        name: 'summaries-backfill',
        title: summariesBackfill.title,
        config: {
          clients,
          months: MONTHS,
          weeks: WEEKS,
          pieces: { months: 6, weeks: 27 },
          concurrency: { summaries: 20 },
          sandbox: {
            timeScale: TIME_SCALE,
            tier: 'development',
            scoreLimiter: { maxScore: SCORE_MAX, decaySeconds: SCORE_DECAY_S },
            accounts: { campaigns: accounts.campaigns, adsetsPerCampaign: 1, adsPerAdset: 2 },
          },
          clientIdsSample: clientIds.slice(0, 2),
        },
        figures,
        goals,
        notes: [
          'Each job asks Meta for a piece of periods at once (`time_ranges`): campaign rows, the account row (period reach, CTR/CPC) and the four breakdown tables, 6 calls per piece whatever its length; 12 months are 2 pieces, 54 weeks 2 pieces, plus extra pages where a table has more than 500 rows.',
          'The app fetched every period separately (about 6 calls per month and per week) in one long Sunday invocation; under the development tier its 396 calls per account cannot finish faster than (396 − 60) × 5 s of Meta time, and without a limiter it is throttled and loses periods instead: its loop is run here as it is written (sequential, its 100 ms / 500 ms sleeps scaled to Meta time, no retry) on a subset, and the refused reads and lost periods are counted.',
          'The engine books every call with the limiter (the account-wide pace of the development score limit, 720 per Meta hour × 0.9), so the calls of one account are spread at about 5.6 s of Meta time each: its floor is about 1.1x the sustained-rate bound; with the backfill under the 60-point burst, what bounds the wall time on this machine is CPU (the sandbox computes every period from day records, the worker builds and writes 66 rows per client).',
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};
