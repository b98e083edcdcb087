/**
 * `collect-unknown-quota`: the limiter learns quotas it is never told (issue 11).
 *
 * Three runs on the sandbox's compressed clock (Meta's rolling hour = W real seconds), the engine configured
 * as a user would: only `META_TIME_SCALE` and the development tier's documented base quotas as its starting
 * hints (600 ads_insights calls per hour). Meta's real quotas differ per account and are never told:
 *
 * 1. **Per-account quotas.** 200 accounts in three classes, the development tier's `600 + 400 x active ads`
 *    for 0, 5 and 50 active ads, scaled by 1/30 so that 30 days of per-day calls bind the smallest class:
 *    20, 87 and 687 calls per window. One collect-insights job per account-day (30 per account), as in
 *    `collect-under-quota`. The smallest class binds: the quota-bound minimum is (⌈30/20⌉ − 1)·W = 1 W.
 * 2. **The app-wide budget binds.** 100 accounts with plenty of quota each, 30 days, and the sandbox's
 *    app-wide budget (X-App-Usage, code 4 beyond it) of 1,300 calls per window for 3,000 calls: the minimum
 *    is (⌈3000/1300⌉ − 1)·W = 2 W.
 * 3. **Jobs larger than a window.** 50 accounts whose insights quota is 5 calls per window refresh their
 *    caches (6 insights calls each): every refresh finishes, each account's calls are counted (no call
 *    repeated: exactly 6 accepted calls per account).
 *
 * Baseline in the same run (run 1's workload): a naive parallel loop (10 at a time, a fixed backoff of W/10
 * on a throttle, retried until done), which reaches the minimum only by hammering Meta.
 */
import { createMetaClient, type InsightsParams, isMetaError } from '@meta-engine/meta-client';
import { startRunInline, waitForRun } from '@meta-engine/producer';
import { createLimiter, defaultJobOptionsFor, type Limiter, limiterKeyPrefixFor } from '@meta-engine/queue';
import { Redis } from 'ioredis';
import { measureBareWorker } from '../lib/bare-baseline.ts';
import { engineEnv, metricSum, openProducer, startWorkerProcess } from '../lib/engine.ts';
import { describeLoad, type MachineLoad, sampleMachineLoad } from '../lib/machine-load.ts';
import type { Figure, Goal } from '../lib/results.ts';
import { accountIds, BENCH_TOKEN, type SandboxProcess, startSandboxProcess } from '../lib/sandbox.ts';
import { type BenchStack, seedClients, startBenchStack } from '../lib/stack.ts';
import { nullOut, percentile, sleep, waitUntil } from '../lib/stats.ts';
import { Cleanup, type Suite } from '../lib/suite.ts';
import { costBetween, costFigures, type WorkerCost } from '../lib/worker-cost.ts';

const DAYS = 30;
/** Quota classes: the development tier's ads_insights quota for 0, 5 and 50 active ads, scaled by 1/30. */
const CLASSES = [
  { name: '0 active ads', activeAds: 0, quota: 20 },
  { name: '5 active ads', activeAds: 5, quota: 87 },
  { name: '50 active ads', activeAds: 50, quota: 687 },
] as const;
/**
 * Run 1: one sandbox hour = 240 s. The engine needs ~30 s of CPU for the 5,000 calls of the first window; the
 * window is long enough that this is small next to it (and the engine uses well under half the machine), so
 * the figure shows the quota, not the CPU.
 */
const TIME_SCALE = 15;
/** Run 2: the app-wide budget per window, 100 accounts, one sandbox hour = 60 s. */
const APP_ACCOUNTS = 100;
const APP_BUDGET = 1_300;
const APP_TIME_SCALE = 60;
/** Run 3: refresh-cache (6 insights calls) under a 5-call window, 50 accounts, one sandbox hour = 20 s. */
const REFRESH_ACCOUNTS = 50;
const REFRESH_QUOTA = 5;
const REFRESH_TIME_SCALE = 180;
const NAIVE_CONCURRENCY = 10;

const FIELDS = ['campaign_id', 'campaign_name', 'spend', 'impressions', 'clicks', 'reach', 'actions'];
const iso = (date: Date) => date.toISOString().slice(0, 10);

function lastDays(count: number): string[] {
  const days: string[] = [];
  const today = new Date();
  for (let back = count + 1; back >= 2; back--) days.push(iso(new Date(today.getTime() - back * 86_400_000)));
  return days;
}

const dayParams = (day: string): InsightsParams => ({
  level: 'campaign',
  time_range: { since: day, until: day },
  fields: FIELDS,
  limit: 500,
});

interface EngineRun {
  seconds: number;
  calls: number;
  throttles: number;
  failed: number;
  completed: number;
  /** The worker's own CPU while the jobs ran (snapshots around the timed part), ms. */
  cpuMs: number;
  cost: WorkerCost;
  load: MachineLoad;
  maxRssMiB: number;
  parks: number;
  perAccountCalls: Record<string, number>;
  perAccountBuc: Record<string, Record<string, { calls: number; throttles: number }>>;
}

/**
 * Runs the worker and the producer on `prefix`, validates every client first (the time zones come from
 * validations, as in production), lets a window pass, resets the sandbox's windows, then adds `jobs` and
 * waits until all finished.
 */
export async function runEngine(options: {
  stack: BenchStack;
  sandbox: SandboxProcess;
  prefix: string;
  timeScale: number;
  jobs: (queue: 'collect-insights' | 'refresh-cache') => Array<{ name: string; data: object; opts: object }>;
  queueName: 'collect-insights' | 'refresh-cache';
  total: number;
  cleanup: Cleanup;
  onLimiter?: (limiter: Limiter) => Promise<void>;
}): Promise<EngineRun> {
  const windowMs = 3_600_000 / options.timeScale;
  const env = engineEnv({
    stack: options.stack,
    sandboxUrl: options.sandbox.url,
    queuePrefix: options.prefix,
    extra: {
      META_TIME_SCALE: String(options.timeScale),
      CONCURRENCY_COLLECT_INSIGHTS: '20',
      CONCURRENCY_REFRESH_CACHE: '20',
      CONCURRENCY_VALIDATE: '20',
    },
  });
  const worker = await startWorkerProcess(env);
  options.cleanup.add(() => worker.close());
  const runtime = await openProducer(env);
  options.cleanup.add(() => runtime.close());
  const validation = await startRunInline(
    { directory: runtime.directory, pageSize: runtime.config.fanout.pageSize, fanout: runtime.fanout },
    { task: 'validate' },
    'cli',
  );
  await waitForRun(runtime, validation.runId, { out: nullOut, intervalMs: 100 });
  await sleep(windowMs + 500); // what validation used of Meta's windows (and the limiter's) ages out
  await options.sandbox.reset();

  const queue = runtime.queues[options.queueName];
  const jobs = options.jobs(options.queueName);
  const before = await worker.cost();
  const sampler = sampleMachineLoad([worker.child.pid]);
  const started = Date.now();
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500) as never);
  let counts: Record<string, number> = {};
  await waitUntil(
    async () => {
      counts = await queue.getJobCounts('completed', 'failed');
      return (counts.completed ?? 0) + (counts.failed ?? 0) >= options.total;
    },
    {
      timeoutMs: Math.max(300_000, windowMs * 20),
      intervalMs: 200,
      what: `every ${options.queueName} job finished`,
    },
  );
  const seconds = (Date.now() - started) / 1000;
  const cost = costBetween(before, await worker.cost());
  const load = sampler.stop();
  const counters = await options.sandbox.counters();
  if (options.onLimiter) {
    const redis = new Redis(options.stack.redisUrl);
    try {
      await options.onLimiter(createLimiter({ redis, keyPrefix: limiterKeyPrefixFor(options.prefix) }));
    } finally {
      await redis.quit();
    }
  }
  const closed = await worker.close();
  await runtime.close();
  return {
    seconds,
    calls: counters.insights.calls,
    throttles: counters.insights.throttles + counters.app.throttles,
    failed: counts.failed ?? 0,
    completed: counts.completed ?? 0,
    cpuMs: cost.cpuMs,
    cost,
    load,
    maxRssMiB: closed.maxRssMiB,
    parks: metricSum(closed.metrics, 'meta_worker_limiter_waits_total'),
    perAccountCalls: counters.perAccount,
    perAccountBuc: counters.perAccountBuc,
  };
}

const collectJobs =
  (ids: readonly string[], clientIds: readonly string[], days: readonly string[], runId: string) =>
  (queue: 'collect-insights' | 'refresh-cache') =>
    days.flatMap((day) =>
      ids.map((adAccountId, index) => ({
        name: queue,
        data: { clientId: clientIds[index]!, adAccountId, since: day, until: day, runId },
        opts: {
          ...defaultJobOptionsFor('collect-insights'),
          jobId: `collect-insights-${clientIds[index]}-${day}`,
          priority: 5,
        },
      })),
    );

export const collectUnknownQuota: Suite = {
  name: 'collect-unknown-quota',
  title: 'Quotas the engine is never told: learned per account and for the whole app',
  async run({ quick, log }) {
    const accountsCount = quick ? 60 : 200;
    const appAccounts = quick ? 30 : APP_ACCOUNTS;
    const appBudget = quick ? Math.round((APP_BUDGET * appAccounts) / APP_ACCOUNTS) : APP_BUDGET;
    const refreshAccounts = quick ? 10 : REFRESH_ACCOUNTS;
    const days = lastDays(DAYS);
    const windowS = 3600 / TIME_SCALE;
    const cleanup = new Cleanup();
    try {
      const stack = await startBenchStack();
      cleanup.add(() => stack.stop());

      // --- Run 1: per-account quotas in three classes ---------------------------------------------------
      const accounts = {
        count: accountsCount,
        idBase: 8_100_000_000_000_000,
        campaigns: 2,
        adsetsPerCampaign: 1,
        adsPerAdset: 2,
        perIndex: CLASSES.map((c) => ({ quotaOverride: { ads_insights: c.quota } })),
      };
      const sandbox = await startSandboxProcess({
        seed: 'bench-unknown-quota',
        timeScale: TIME_SCALE,
        accounts,
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: true, windowMinutes: 60, blockMinutes: 'window' },
      });
      cleanup.add(() => sandbox.close());
      const ids = accountIds(accounts);
      const classOf = (index: number) => CLASSES[index % CLASSES.length]!;
      const clientIds = await seedClients(stack.sql, ids);
      log(
        `engine: ${accountsCount * DAYS} collect-insights jobs (${accountsCount} accounts x ${DAYS} days), quotas ${CLASSES.map((c) => c.quota).join('/')} per ${windowS} s window, told none of them`,
      );
      const learned: Array<{
        klass: string;
        estimate: number;
        truth: number;
        convergedAfter: number | null;
      }> = [];
      const main = await runEngine({
        stack,
        sandbox,
        prefix: '{bench-unknown-1}',
        timeScale: TIME_SCALE,
        jobs: collectJobs(ids, clientIds, days, `bench-unknown-${Date.now()}`),
        queueName: 'collect-insights',
        total: accountsCount * DAYS,
        cleanup,
        onLimiter: async (limiter) => {
          for (const [index, id] of ids.entries()) {
            const state = await limiter.getAccountState(id);
            const quota = state.bucs.ads_insights?.quota;
            learned.push({
              klass: classOf(index).name,
              estimate: quota?.estimate ?? Number.NaN,
              truth: classOf(index).quota,
              convergedAfter: quota?.convergedAfter ?? null,
            });
          }
        },
      });
      const minimumS = (Math.ceil(DAYS / CLASSES[0].quota) - 1) * windowS;
      const rateBoundS = (DAYS / CLASSES[0].quota) * windowS;

      // --- Baseline: naive parallel loop on the same workload ------------------------------------------------
      await sleep(windowS * 1000);
      await sandbox.reset();
      log(
        `naive loop: ${NAIVE_CONCURRENCY} at a time, fixed backoff ${(windowS / 10).toFixed(1)} s on a throttle`,
      );
      const meta = createMetaClient({ accessToken: BENCH_TOKEN, baseUrl: sandbox.url, retry: { limit: 0 } });
      cleanup.add(() => meta.close());
      const tasks = days.flatMap((day) => ids.map((id) => ({ id, day })));
      let next = 0;
      const naiveStart = Date.now();
      const naiveDeadline = naiveStart + windowS * 20_000;
      let naiveGaveUp = 0;
      await Promise.all(
        Array.from({ length: NAIVE_CONCURRENCY }, async () => {
          for (let task = tasks[next++]; task; task = tasks[next++]) {
            for (;;) {
              try {
                await meta.getInsights(task.id, dayParams(task.day), { split: false });
                break;
              } catch (error) {
                if (Date.now() > naiveDeadline) {
                  naiveGaveUp++;
                  break;
                }
                await sleep(
                  isMetaError(error) && error.category.includes('throttle') ? (windowS * 1000) / 10 : 100,
                );
              }
            }
          }
        }),
      );
      const naiveS = (Date.now() - naiveStart) / 1000;
      const naive = await sandbox.counters();
      await sandbox.close();

      // --- Run 2: the app-wide budget binds --------------------------------------------------------------------
      const appWindowS = 3600 / APP_TIME_SCALE;
      const appSpec = {
        count: appAccounts,
        idBase: 8_200_000_000_000_000,
        campaigns: 2,
        adsetsPerCampaign: 1,
        adsPerAdset: 2,
      };
      const appSandbox = await startSandboxProcess({
        seed: 'bench-unknown-app',
        timeScale: APP_TIME_SCALE,
        accounts: appSpec,
        accountDefaults: { quotaOverride: { ads_insights: 10_000 } },
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: true, windowMinutes: 60, blockMinutes: 'window' },
        appBudget: { enabled: true, callsPerWindow: appBudget, windowMinutes: 60 },
      });
      cleanup.add(() => appSandbox.close());
      const appIds = accountIds(appSpec);
      // Each run has its own clients (the validation run reads every client in the database).
      await stack.sql`truncate public.clients cascade`;
      const appClients = await seedClients(stack.sql, appIds);
      log(`engine, app budget ${appBudget} calls per ${appWindowS} s window: ${appAccounts * DAYS} jobs`);
      let appLearned: { estimate: number; answers: number } | null = null;
      const app = await runEngine({
        stack,
        sandbox: appSandbox,
        prefix: '{bench-unknown-2}',
        timeScale: APP_TIME_SCALE,
        jobs: collectJobs(appIds, appClients, days, `bench-unknown-app-${Date.now()}`),
        queueName: 'collect-insights',
        total: appAccounts * DAYS,
        cleanup,
        onLimiter: async (limiter) => {
          const state = await limiter.getAppState();
          if (state.quota) appLearned = { estimate: state.quota.estimate, answers: state.quota.answers };
        },
      });
      await appSandbox.close();
      const appMinimumS = (Math.ceil((appAccounts * DAYS) / appBudget) - 1) * appWindowS;

      // --- Run 3: refresh-cache (6 calls) under a 5-call window -------------------------------------------
      const refreshWindowS = 3600 / REFRESH_TIME_SCALE;
      const refreshSpec = {
        count: refreshAccounts,
        idBase: 8_300_000_000_000_000,
        campaigns: 3,
        adsetsPerCampaign: 1,
        adsPerAdset: 2,
      };
      const refreshSandbox = await startSandboxProcess({
        seed: 'bench-unknown-refresh',
        timeScale: REFRESH_TIME_SCALE,
        accounts: refreshSpec,
        accountDefaults: { quotaOverride: { ads_insights: REFRESH_QUOTA } },
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: true, windowMinutes: 60, blockMinutes: 'window' },
      });
      cleanup.add(() => refreshSandbox.close());
      const refreshIds = accountIds(refreshSpec);
      await stack.sql`truncate public.clients cascade`;
      const refreshClients = await seedClients(stack.sql, refreshIds);
      log(
        `engine: ${refreshAccounts} cache refreshes (6 insights calls each) under ${REFRESH_QUOTA} calls per ${refreshWindowS} s window`,
      );
      const refresh = await runEngine({
        stack,
        sandbox: refreshSandbox,
        prefix: '{bench-unknown-3}',
        timeScale: REFRESH_TIME_SCALE,
        jobs: (queue) =>
          refreshIds.map((adAccountId, index) => ({
            name: queue,
            data: { clientId: refreshClients[index]!, adAccountId, runId: 'bench-refresh' },
            opts: {
              ...defaultJobOptionsFor('refresh-cache'),
              jobId: `refresh-cache-${refreshClients[index]}`,
              priority: 5,
            },
          })),
        queueName: 'refresh-cache',
        total: refreshAccounts,
        cleanup,
      });
      await refreshSandbox.close();
      const refreshCallCounts = refreshIds.map((id) => refresh.perAccountBuc[id]?.ads_insights?.calls ?? 0);
      const refreshExact = refreshCallCounts.filter((n) => n === 6).length;
      const [rows] = await stack.sql<{ n: number }[]>`
        select count(*)::int as n from current_month_cache where client_id = any(${refreshClients as string[]})`;

      // --- Figures ---------------------------------------------------------------------------------------
      const share = (run: EngineRun) => run.throttles / Math.max(1, run.calls);
      const byClass = CLASSES.map((c) => {
        const rowsOfClass = learned.filter((l) => l.klass === c.name);
        const converged = rowsOfClass.map((l) => l.convergedAfter).filter((n): n is number => n !== null);
        return {
          klass: c.name,
          truth: c.quota,
          medianEstimate: percentile(
            rowsOfClass.map((l) => l.estimate),
            50,
          ),
          convergedMedian: percentile(converged, 50),
          convergedMax: converged.length > 0 ? Math.max(...converged) : null,
          converged: converged.length,
          accounts: rowsOfClass.length,
        };
      });
      const smallest = byClass[0]!;
      const cpuShare = (run: EngineRun) => run.cpuMs / 1000 / run.seconds / run.load.cores;
      log("bare BullMQ: 2,000 no-op jobs, concurrency 20 (the cost figures' baseline)");
      const bare = await measureBareWorker({ redisUrl: stack.redisUrl, jobs: 2_000, concurrency: 20 });
      const figures: Figure[] = [
        {
          label: 'per-account quotas: completion time',
          value: main.seconds,
          unit: 's',
          baseline: naiveS,
          ratio: naiveS / main.seconds,
          kind: 'measured',
          baselineKind: 'measured',
          note: 'baseline = naive parallel loop (10 at a time, retry every W/10 on a throttle)',
        },
        {
          label: 'quota-bound minimum (⌈N/Q⌉−1)·W, smallest class',
          value: minimumS,
          unit: 's',
          kind: 'derived',
        },
        {
          label: 'engine time / quota-bound minimum',
          value: main.seconds / minimumS,
          unit: 'x',
          kind: 'derived',
        },
        {
          label: 'engine time / sustained-rate bound N/Q·W',
          value: main.seconds / rateBoundS,
          unit: 'x',
          kind: 'derived',
        },
        {
          label: 'share of calls throttled',
          value: share(main) * 100,
          unit: '%',
          baseline: (naive.insights.throttles / Math.max(1, naive.insights.calls)) * 100,
          kind: 'measured',
          baselineKind: 'measured',
          note: `${main.throttles} of ${main.calls} calls; naive loop ${naive.insights.throttles} of ${naive.insights.calls} (it gave up ${naiveGaveUp} account-days)`,
        },
        { label: 'jobs failed', value: main.failed, unit: '', kind: 'measured' },
        ...byClass.map(
          (c): Figure => ({
            label: `class ${c.klass} (quota ${c.truth}/window): learned estimate (median)`,
            value: c.medianEstimate,
            unit: 'calls/window',
            kind: 'measured',
            note: `answers until the interval narrowed to 20 %: median ${c.convergedMedian ?? '–'}, max ${c.convergedMax ?? '–'} (${c.converged} of ${c.accounts} accounts narrowed; an account whose 30 calls never near its quota needs no narrowing)`,
          }),
        ),
        {
          label: 'worker CPU share while the per-account run ran',
          value: cpuShare(main) * 100,
          unit: '% of the machine',
          kind: 'measured',
          note: `worker process CPU ${(main.cpuMs / 1000).toFixed(1)} s over ${main.seconds.toFixed(1)} s (${main.load.cores} cores): the quota, not the CPU, bound the time; ${describeLoad(main.load)}`,
        },
        ...costFigures(main.cost, bare.cost, main.load, 'per-account run'),
        {
          label: 'app budget binds: completion time',
          value: app.seconds,
          unit: 's',
          kind: 'measured',
          note: `${appAccounts} accounts x ${DAYS} days, app budget ${appBudget} calls per ${appWindowS} s window; learned ${appLearned ? `${(appLearned as { estimate: number }).estimate.toFixed(0)} after ${(appLearned as { answers: number }).answers} answers` : 'nothing'}`,
        },
        { label: 'app budget: minimum (⌈N/B⌉−1)·W', value: appMinimumS, unit: 's', kind: 'derived' },
        {
          label: 'app budget: engine time / minimum',
          value: app.seconds / appMinimumS,
          unit: 'x',
          kind: 'derived',
        },
        {
          label: 'app budget: share of calls throttled',
          value: share(app) * 100,
          unit: '%',
          kind: 'measured',
          note: `${app.throttles} of ${app.calls}`,
        },
        { label: 'app budget: jobs failed', value: app.failed, unit: '', kind: 'measured' },
        {
          label: 'refresh (6 calls) under a 5-call window: completed',
          value: refresh.completed,
          unit: `of ${refreshAccounts}`,
          kind: 'measured',
          note: `${refresh.seconds.toFixed(1)} s (window ${refreshWindowS} s); ${refresh.failed} failed; ${rows?.n ?? 0} month rows written`,
        },
        {
          label: 'refresh: accounts with exactly 6 Meta calls (none repeated)',
          value: refreshExact,
          unit: `of ${refreshAccounts}`,
          kind: 'measured',
          note: `calls per account: min ${Math.min(...refreshCallCounts)}, max ${Math.max(...refreshCallCounts)}; ${refresh.throttles} throttled`,
        },
      ];
      const goals: Goal[] = [
        {
          goal: 'per-account quotas: ≤ 1.15x the quota-bound minimum',
          met: main.seconds <= 1.15 * minimumS,
          detail: `${(main.seconds / minimumS).toFixed(2)}x of ${minimumS.toFixed(0)} s`,
        },
        {
          goal: '< 0.5 % of calls throttled (both runs)',
          met: share(main) < 0.005 && share(app) < 0.005,
          detail: `${(share(main) * 100).toFixed(2)} % and ${(share(app) * 100).toFixed(2)} % (app budget run)`,
        },
        {
          goal: '0 failed jobs (all runs)',
          met: main.failed + app.failed + refresh.failed === 0,
          detail: `${main.failed} / ${app.failed} / ${refresh.failed}`,
        },
        {
          goal: 'app budget binds: ≤ 1.15x its minimum',
          met: app.seconds <= 1.15 * appMinimumS,
          detail: `${(app.seconds / appMinimumS).toFixed(2)}x of ${appMinimumS.toFixed(0)} s`,
        },
        {
          goal: 'every refresh under a 5-call window finishes, no call repeated',
          met: refresh.completed === refreshAccounts && refreshExact === refreshAccounts,
          detail: `${refresh.completed} completed, ${refreshExact} with exactly 6 calls`,
        },
        {
          goal: 'the smallest class is learned within a handful of answers',
          met: smallest.convergedMax !== null && smallest.convergedMax <= 5,
          detail: `median ${smallest.convergedMedian}, max ${smallest.convergedMax}`,
        },
      ];
      return {
        name: 'collect-unknown-quota',
        title: 'Quotas the engine is never told: learned per account and for the whole app',
        config: {
          accounts: accountsCount,
          days: DAYS,
          classes: CLASSES,
          windowSeconds: windowS,
          engineTold:
            'the development tier base only (ads_insights 600, ads_management 300 per Meta hour); LIMITER_SAFETY_FACTOR default 0.9',
          worker: { META_TIME_SCALE: TIME_SCALE, CONCURRENCY_COLLECT_INSIGHTS: 20, ACCOUNT_CONCURRENCY: 2 },
          appBudget: { accounts: appAccounts, callsPerWindow: appBudget, windowSeconds: appWindowS },
          refresh: { accounts: refreshAccounts, quota: REFRESH_QUOTA, windowSeconds: refreshWindowS },
          naive: { concurrency: NAIVE_CONCURRENCY, backoffSeconds: windowS / 10 },
        },
        figures,
        goals,
        notes: [
          `Quota-bound minimum: an account that needs N = ${DAYS} calls with Q per rolling window W may make Q at once and the next Q when they leave the window: (⌈N/Q⌉ − 1)·W. Accounts have separate quotas, so the smallest class (Q = ${CLASSES[0].quota}) bounds the run at ${minimumS} s; the other classes finish within the first window. The sustained-rate bound N/Q·W = ${rateBoundS} s is given for comparison.`,
          'The engine was told no quota: each (account, BUC) starts from the tier base, its first call probes alone, and every answer narrows an interval of the quota (whole percentages leave an interval, not a number); the limiter books safetyFactor x the estimate per window in a log of the window, and never sends into a window an answer reported full.',
          `App budget run: every account has plenty of quota; the sandbox's app-wide budget (${appBudget} calls per window, X-App-Usage on every answer, code 4 beyond it) binds. The limiter learns the app budget from X-App-Usage against the calls it admitted, and paces every account together.`,
          'Engine wall time runs from the first addBulk until BullMQ counts every job completed or failed and includes the database writes (campaign rows, daily KPI, sync state) the naive loop does not make.',
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};
