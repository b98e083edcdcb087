/**
 * `collect-under-quota`: 100 ad accounts x 30 days of campaign insights when the quota is what binds.
 * Development-tier limits in the sandbox (rate limits on, rolling 60-minute window, blocked until the
 * window frees), with the window compressed by `timeScale` and a small per-account `ads_insights` quota
 * (accountDefaults.quotaOverride) so every account needs three windows' worth of calls. The worker is told
 * the same quota (limiter account overrides, scaled by META_TIME_SCALE like its tier quotas).
 *
 * Every approach makes the same calls: one insights call per account-day (the seed app's daily-KPI request,
 * `time_range` = one day, campaign level). The engine gets one `collect-insights` job per account-day,
 * enqueued day by day (the producer's fan-out keeps one pending job per client and task, so the benchmark
 * adds these jobs itself, with the queue's job options).
 *
 * Baselines in the same run: a naive parallel loop (10 at a time, fixed backoff on throttles, retried until
 * done) and the seed app's sequential loop (fixed sleeps, `withRetry` 2 retries, then the day is lost),
 * the latter on a subset, extrapolated.
 */
import { createMetaClient, type InsightsParams, isMetaError } from '@meta-engine/meta-client';
import { startRunInline, waitForRun } from '@meta-engine/producer';
import { DEFAULT_LIMITER_SETTINGS, defaultJobOptionsFor } from '@meta-engine/queue';
import { measureBareWorker } from '../lib/bare-baseline.ts';
import { engineEnv, metricSum, openProducer, startWorkerProcess } from '../lib/engine.ts';
import { describeLoad, type MachineLoad, sampleMachineLoad } from '../lib/machine-load.ts';
import type { Figure, Goal } from '../lib/results.ts';
import { accountIds, BENCH_TOKEN, startSandboxProcess } from '../lib/sandbox.ts';
import { seedClients, startBenchStack } from '../lib/stack.ts';
import { nullOut, sleep, waitUntil } from '../lib/stats.ts';
import { Cleanup, type Suite } from '../lib/suite.ts';
import { costBetween, costFigures, type WorkerCost } from '../lib/worker-cost.ts';

/** ads_insights calls per account per (sandbox) hour. */
const QUOTA = 10;
const DAYS = 30;
/**
 * One sandbox hour = 3600 / TIME_SCALE real seconds (16 s). Sized so the quota binds with room to spare:
 * 100 accounts x 10 calls per 16 s is 62.5 calls/s at 100 % of the quota, which the engine serves with well
 * under half of a 2-core machine (its CPU share is reported). With 200 accounts (125 calls/s) the engine,
 * Redis, Postgres, PostgREST and the sandbox together used the whole machine on a busy day, and the CPU,
 * not the quota, set the time.
 */
const TIME_SCALE = 225;
const ACCOUNTS = 100;

/**
 * The two limiter settings measured: the default (books 90 % of each quota, burst 1: room for the app and
 * other tools sharing the quota) and one for a quota this system has to itself (95 %, no burst: calls
 * spaced W/(0.95·Q) apart put at most ⌈0.95·Q⌉ ≤ Q calls in any window of length W, so Meta's rolling
 * window is never exceeded).
 */
const ENGINE_SETTINGS = [
  { name: 'default', safety: DEFAULT_LIMITER_SETTINGS.safetyFactor, burst: 1 },
  { name: 'exclusive quota', safety: 0.95, burst: 0 },
] as const;
const NAIVE_CONCURRENCY = 10;

const FIELDS = [
  'campaign_id',
  'campaign_name',
  'spend',
  'impressions',
  'clicks',
  'inline_link_clicks',
  'reach',
  'actions',
  'action_values',
  'conversions',
];

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
  use_unified_attribution_setting: true,
});

export const collectUnderQuota: Suite = {
  name: 'collect-under-quota',
  title: '100 accounts x 30 days under development-tier quotas (compressed window)',
  async run({ quick, log }) {
    const accountsCount = quick ? 40 : ACCOUNTS;
    const sequentialSubset = quick ? 5 : 20;
    const windowS = 3600 / TIME_SCALE;
    const days = lastDays(DAYS);
    const cleanup = new Cleanup();
    try {
      const stack = await startBenchStack();
      cleanup.add(() => stack.stop());
      const accounts = {
        count: accountsCount,
        idBase: 8_000_000_000_000_000,
        campaigns: 2,
        adsetsPerCampaign: 1,
        adsPerAdset: 2,
      };
      const sandbox = await startSandboxProcess({
        seed: 'bench-quota',
        timeScale: TIME_SCALE,
        accounts,
        accountDefaults: { quotaOverride: { ads_insights: QUOTA } },
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: true, windowMinutes: 60, blockMinutes: 'window' },
      });
      cleanup.add(() => sandbox.close());
      const ids = accountIds(accounts);
      const clientIds = await seedClients(stack.sql, ids);
      const totalCalls = accountsCount * DAYS;

      // --- Engine, once per limiter setting -------------------------------------------------------------------
      const engineRuns: Array<{
        name: string;
        safety: number;
        burst: number;
        seconds: number;
        calls: number;
        throttles: number;
        parkedWaits: number;
        /** Limiter waits by reason, e.g. `paced 2100, blocked 3`. */
        waitReasons: string;
        parkedJobs: number;
        /** Seconds from the start to each account's last finished job: the median account and the slowest. */
        accountsDone: { median: number; slowest: number; slowestAccount: string };
        retried: number;
        failed: number;
        days: number;
        cost: WorkerCost;
        load: MachineLoad;
      }> = [];
      for (const setting of ENGINE_SETTINGS) {
        const limiterAccounts = Object.fromEntries(
          ids.map((id) => [
            id,
            { paces: { ads_insights: { callsPerHour: QUOTA * TIME_SCALE, burst: setting.burst } } },
          ]),
        );
        const prefix = `{bench-quota-${engineRuns.length}}`;
        const env = engineEnv({
          stack,
          sandboxUrl: sandbox.url,
          queuePrefix: prefix,
          extra: {
            META_TIME_SCALE: String(TIME_SCALE),
            LIMITER_SAFETY_FACTOR: String(setting.safety),
            CONCURRENCY_COLLECT_INSIGHTS: '20',
            CONCURRENCY_VALIDATE: '20',
          },
        });
        const worker = await startWorkerProcess(env, limiterAccounts);
        cleanup.add(() => worker.close());
        const runtime = await openProducer(env);
        cleanup.add(() => runtime.close());
        // As in production the accounts were validated before (their time zone comes from that).
        const validation = await startRunInline(
          { directory: runtime.directory, pageSize: runtime.config.fanout.pageSize, fanout: runtime.fanout },
          { task: 'validate' },
          'cli',
        );
        await waitForRun(runtime, validation.runId, { out: nullOut, intervalMs: 100 });
        await sleep(windowS * 1000); // the limiter's state from validation ages out like Meta's window
        await sandbox.reset();

        log(
          `engine (${setting.name}: safety ${setting.safety}, burst ${setting.burst}): ${totalCalls} collect-insights jobs (${accountsCount} accounts x ${DAYS} days), quota ${QUOTA}/window, window ${windowS} s`,
        );
        const queue = runtime.queues['collect-insights'];
        const runId = `bench-quota-${Date.now()}`;
        const jobs = days.flatMap((day) =>
          ids.map((adAccountId, index) => ({
            name: 'collect-insights',
            data: { clientId: clientIds[index]!, adAccountId, since: day, until: day, runId },
            opts: {
              ...defaultJobOptionsFor('collect-insights'),
              jobId: `collect-insights-${clientIds[index]}-${day}`,
              priority: 5,
            },
          })),
        );
        const before = await worker.cost();
        const sampler = sampleMachineLoad([worker.child.pid]);
        const started = Date.now();
        for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
        let counts: Record<string, number> = {};
        await waitUntil(
          async () => {
            counts = await queue.getJobCounts('completed', 'failed');
            return (counts.completed ?? 0) + (counts.failed ?? 0) >= totalCalls;
          },
          {
            timeoutMs: Math.max(240_000, windowS * 30_000),
            intervalMs: 200,
            what: 'every collect job finished',
          },
        );
        const seconds = (Date.now() - started) / 1000;
        const cost = costBetween(before, await worker.cost());
        const load = sampler.stop();
        log(
          `engine (${setting.name}): ${seconds.toFixed(1)} s; worker CPU ${(cost.cpuMs / 1000).toFixed(1)} s = ${((cost.cpuMs / (seconds * 1000 * load.cores)) * 100).toFixed(0)} % of the machine (${cost.cpuPerJobMs?.toFixed(2)} ms per job); ${describeLoad(load)}`,
        );
        // When each account's last job finished: a run slower than its bound shows whether all accounts were
        // slow or a few straggled (e.g. an account blocked for a window near the end).
        const lastByAccount = new Map<string, number>();
        for (const job of await queue.getJobs(['completed'], 0, -1)) {
          const account = String((job.data as { adAccountId?: unknown }).adAccountId ?? '');
          lastByAccount.set(account, Math.max(lastByAccount.get(account) ?? 0, job.finishedOn ?? 0));
        }
        const accountsDone = [...lastByAccount]
          .map(([account, at]) => ({ account, seconds: (at - started) / 1000 }))
          .sort((a, b) => a.seconds - b.seconds);
        const counters = await sandbox.counters();
        const closed = await worker.close();
        const waits = closed.metrics.find((metric) => metric.name === 'meta_worker_limiter_waits_total');
        await runtime.close();
        const [rows] = await stack.sql<{ days: number }[]>`
          select count(distinct (client_id, date))::int as days from daily_kpi_data where date between ${days[0]!} and ${days.at(-1)!}`;
        engineRuns.push({
          ...setting,
          seconds,
          calls: counters.insights.calls,
          throttles: counters.insights.throttles,
          parkedWaits: metricSum(closed.metrics, 'meta_worker_limiter_waits_total'),
          waitReasons:
            (waits?.values ?? [])
              .filter((v) => v.value > 0)
              .map((v) => `${String(v.labels.reason)} ${v.value}`)
              .join(', ') || 'none',
          accountsDone: {
            median: accountsDone[Math.floor(accountsDone.length / 2)]?.seconds ?? 0,
            slowest: accountsDone.at(-1)?.seconds ?? 0,
            slowestAccount: accountsDone.at(-1)?.account ?? '',
          },
          parkedJobs: metricSum(closed.metrics, 'meta_worker_jobs_total', {
            queue: 'collect-insights',
            outcome: 'parked',
          }),
          retried: metricSum(closed.metrics, 'meta_worker_jobs_total', {
            queue: 'collect-insights',
            outcome: 'retried',
          }),
          failed: counts.failed ?? 0,
          days: rows?.days ?? 0,
          cost,
          load,
        });
        const run = engineRuns.at(-1)!;
        log(
          `engine (${setting.name}): accounts done after ${run.accountsDone.median.toFixed(1)} s (median), the slowest (act_${run.accountsDone.slowestAccount}) after ${run.accountsDone.slowest.toFixed(1)} s; limiter waits: ${run.waitReasons}`,
        );
        await sleep(windowS * 1000);
        await sandbox.reset();
      }
      const [main, exclusive] = engineRuns as [(typeof engineRuns)[0], (typeof engineRuns)[0]];
      const engineS = main.seconds;
      const machineShare = (run: (typeof engineRuns)[0]) =>
        run.cost.cpuMs / (run.seconds * 1000 * run.load.cores);
      log("bare BullMQ: 2,000 no-op jobs, concurrency 20 (the cost figures' baseline)");
      const bare = await measureBareWorker({ redisUrl: stack.redisUrl, jobs: 2_000, concurrency: 20 });

      // --- Naive parallel loop ----------------------------------------------------------------------------
      await sleep(windowS * 1000);
      await sandbox.reset();
      log(
        `naive loop: ${NAIVE_CONCURRENCY} at a time, fixed backoff ${(windowS / 10).toFixed(1)} s on a throttle`,
      );
      const meta = createMetaClient({ accessToken: BENCH_TOKEN, baseUrl: sandbox.url, retry: { limit: 0 } });
      cleanup.add(() => meta.close());
      const tasks = days.flatMap((day) => ids.map((id) => ({ id, day })));
      let next = 0;
      let naiveGaveUp = 0;
      const naiveDeadline = Date.now() + windowS * 30_000;
      const naiveStart = Date.now();
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
                if (isMetaError(error) && error.category.includes('throttle'))
                  await sleep((windowS * 1000) / 10);
                else await sleep(100);
              }
            }
          }
        }),
      );
      const naiveS = (Date.now() - naiveStart) / 1000;
      const naiveCounters = await sandbox.counters();

      // --- The seed app's sequential loop, on a subset ---------------------------------------------------
      await sleep(windowS * 1000);
      await sandbox.reset();
      log(
        `seed app's sequential loop: ${sequentialSubset} accounts, sleeps and retry waits scaled to Meta time`,
      );
      const scaled = (ms: number) => ms / TIME_SCALE;
      let lostDays = 0;
      const sequentialStart = Date.now();
      for (const id of ids.slice(0, sequentialSubset)) {
        for (const day of days) {
          let done = false;
          for (let attempt = 0; attempt <= 2 && !done; attempt++) {
            try {
              await meta.getInsights(id, dayParams(day), { split: false });
              done = true;
            } catch {
              if (attempt < 2) await sleep(scaled(1000 * 2 ** attempt * (0.5 + Math.random())));
            }
          }
          if (!done) lostDays++;
          await sleep(scaled(100));
        }
        await sleep(scaled(500));
      }
      const sequentialSubsetS = (Date.now() - sequentialStart) / 1000;
      const sequentialCounters = await sandbox.counters();
      const sequentialS = (sequentialSubsetS * accountsCount) / sequentialSubset;

      // --- The bound ---------------------------------------------------------------------------------------
      const windowsNeeded = Math.ceil(DAYS / QUOTA);
      const minimumS = (windowsNeeded - 1) * windowS;
      const rateBoundS = (DAYS / QUOTA) * windowS;
      const throttleShare = main.throttles / Math.max(1, main.calls);
      const failedJobs = main.failed;
      const exclusiveShare = exclusive.throttles / Math.max(1, exclusive.calls);
      const figures: Figure[] = [
        {
          label: 'completion time',
          value: engineS,
          unit: 's',
          baseline: naiveS,
          ratio: naiveS / engineS,
          kind: 'measured',
          baselineKind: 'measured',
          note: 'baseline = naive parallel loop',
        },
        {
          label: "completion time vs the seed app's sequential loop",
          value: engineS,
          unit: 's',
          baseline: sequentialS,
          ratio: sequentialS / engineS,
          kind: 'measured',
          baselineKind: 'extrapolated',
          note: `measured on ${sequentialSubset} accounts (${sequentialSubsetS.toFixed(1)} s) × ${accountsCount / sequentialSubset}`,
        },
        { label: 'theoretical minimum (⌈N/Q⌉−1)·W', value: minimumS, unit: 's', kind: 'derived' },
        { label: 'engine time / theoretical minimum', value: engineS / minimumS, unit: 'x', kind: 'derived' },
        { label: 'sustained-rate bound N/Q·W', value: rateBoundS, unit: 's', kind: 'derived' },
        {
          label: 'engine time / sustained-rate bound',
          value: engineS / rateBoundS,
          unit: 'x',
          kind: 'derived',
        },
        {
          label: 'throttle errors received (ads_insights)',
          value: main.throttles,
          unit: '',
          baseline: naiveCounters.insights.throttles,
          kind: 'measured',
          baselineKind: 'measured',
          note: 'naive loop; the seed app subset below',
        },
        {
          label: 'share of calls throttled',
          value: throttleShare * 100,
          unit: '%',
          baseline: (naiveCounters.insights.throttles / Math.max(1, naiveCounters.insights.calls)) * 100,
          kind: 'measured',
          baselineKind: 'measured',
        },
        {
          label: 'Meta calls made (incl. throttled)',
          value: main.calls,
          unit: '',
          baseline: naiveCounters.insights.calls,
          kind: 'measured',
          baselineKind: 'measured',
        },
        {
          label: 'jobs parked by the limiter (park events)',
          value: main.parkedWaits,
          unit: '',
          kind: 'measured',
          note: `${main.parkedJobs} job runs ended parked; by reason: ${main.waitReasons}`,
        },
        {
          label: "the slowest account's last job finished, after the start",
          value: main.accountsDone.slowest,
          unit: 's',
          baseline: main.accountsDone.median,
          kind: 'measured',
          baselineKind: 'measured',
          note: `baseline = the median account; slowest: act_${main.accountsDone.slowestAccount}`,
        },
        {
          label: "worker's CPU share while it ran",
          value: machineShare(main) * 100,
          unit: '% of the machine',
          kind: 'measured',
          note: `worker process CPU ${(main.cost.cpuMs / 1000).toFixed(1)} s over ${main.seconds.toFixed(1)} s on ${main.load.cores} cores: well under half, so the quota, not the CPU, set the time; ${describeLoad(main.load)}`,
        },
        ...costFigures(main.cost, bare.cost, main.load, 'default setting'),
        { label: 'jobs failed', value: failedJobs, unit: '', kind: 'measured' },
        { label: 'job attempts retried', value: main.retried, unit: '', kind: 'measured' },
        {
          label: 'account-days written to daily_kpi_data',
          value: main.days,
          unit: '',
          kind: 'measured',
          note: `of ${totalCalls}; days without delivery write no row`,
        },
        {
          label: 'seed app loop: throttled calls / days lost (subset)',
          value: sequentialCounters.insights.throttles,
          unit: '',
          kind: 'measured',
          note: `${lostDays} of ${sequentialSubset * DAYS} account-days lost after 2 retries`,
        },
        { label: 'naive loop: account-days given up', value: naiveGaveUp, unit: '', kind: 'measured' },
        {
          label: 'exclusive-quota setting (safety 0.95, no burst): completion time',
          value: exclusive.seconds,
          unit: 's',
          baseline: naiveS,
          ratio: naiveS / exclusive.seconds,
          kind: 'measured',
          baselineKind: 'measured',
          note: 'baseline = naive parallel loop',
        },
        {
          label: 'exclusive-quota setting: time / theoretical minimum',
          value: exclusive.seconds / minimumS,
          unit: 'x',
          kind: 'derived',
        },
        {
          label: 'exclusive-quota setting: time / sustained-rate bound',
          value: exclusive.seconds / rateBoundS,
          unit: 'x',
          kind: 'derived',
        },
        {
          label: 'exclusive-quota setting: throttled calls / failed jobs',
          value: exclusive.throttles,
          unit: '',
          kind: 'measured',
          note: `${(exclusiveShare * 100).toFixed(2)} % of ${exclusive.calls} calls; ${exclusive.failed} jobs failed; accounts done after ${exclusive.accountsDone.median.toFixed(1)} s (median), the slowest after ${exclusive.accountsDone.slowest.toFixed(1)} s; limiter waits: ${exclusive.waitReasons}`,
        },
      ];
      // Goals are judged on the shipped default; the exclusive-quota run shows what a tighter margin costs.
      const goals: Goal[] = [
        {
          goal: 'within 1.2x of the sustained-rate bound, the worker using under half the machine',
          met: engineS <= 1.2 * rateBoundS && machineShare(main) < 0.5,
          detail: `${(engineS / rateBoundS).toFixed(2)}x of N/Q·W = ${rateBoundS.toFixed(0)} s (the ${main.safety} safety factor alone puts the floor at ${(1 / main.safety).toFixed(2)}x); worker CPU ${(machineShare(main) * 100).toFixed(0)} % of the machine, machine ${main.load.machineBusyPct ?? '–'} % busy`,
        },
        {
          goal: 'within 1.2x of the theoretical minimum',
          met: engineS <= 1.2 * minimumS,
          detail: `${(engineS / minimumS).toFixed(2)}x of (⌈N/Q⌉−1)·W = ${minimumS.toFixed(0)} s (out of the limiter's reach by design: it never bursts a whole window); exclusive-quota setting ${(exclusive.seconds / rateBoundS).toFixed(2)}x with ${(exclusiveShare * 100).toFixed(2)} % throttled`,
        },
        { goal: 'zero failed jobs', met: failedJobs === 0, detail: `${failedJobs} failed` },
        {
          goal: 'under 1 % of calls throttled',
          met: throttleShare < 0.01,
          detail: `${(throttleShare * 100).toFixed(2)} % (${main.throttles} of ${main.calls})`,
        },
      ];
      return {
        name: 'collect-under-quota',
        title: '100 accounts x 30 days under development-tier quotas (compressed window)',
        config: {
          accounts: accountsCount,
          days: DAYS,
          callsPerAccount: DAYS,
          quotaPerWindow: { ads_insights: QUOTA },
          sandbox: {
            timeScale: TIME_SCALE,
            windowSeconds: windowS,
            rateLimits: 'on, 60-minute rolling window, blocked until the window frees',
            tier: 'development (ads_management and score limits as the tier; ads_insights overridden)',
          },
          worker: { META_TIME_SCALE: TIME_SCALE, CONCURRENCY_COLLECT_INSIGHTS: 20, ACCOUNT_CONCURRENCY: 2 },
          limiterTold: {
            ads_insights: {
              callsPerHour: `${QUOTA} per sandbox hour = ${QUOTA * TIME_SCALE} per real hour`,
              settings: ENGINE_SETTINGS.map((e) => `${e.name}: safety ${e.safety}, burst ${e.burst}`).join(
                '; ',
              ),
            },
            safetyFactor: main.safety,
            other: 'development-tier defaults scaled by META_TIME_SCALE',
          },
          naive: {
            concurrency: NAIVE_CONCURRENCY,
            backoffSeconds: windowS / 10,
            order: 'day by day over all accounts (same as the engine)',
          },
          sequential: {
            subset: sequentialSubset,
            sleeps:
              '100 ms between days, 500 ms between clients, withRetry 2 retries from 1 s: all divided by timeScale (Meta time)',
          },
        },
        figures,
        goals,
        notes: [
          `Theoretical minimum: each account needs N = ${DAYS} calls and may make Q = ${QUOTA} per rolling window W = ${windowS} s; accounts have separate quotas, so all ${accountsCount} run in parallel and the bound is one account's: Q calls at once, the next Q when they leave the window, … → (⌈N/Q⌉ − 1)·W = ${minimumS} s (plus the last calls' own time). Without starting on an empty window the sustained rate Q/W bounds it at N/Q·W = ${rateBoundS} s.`,
          `The engine's limiter paces each account at safetyFactor ${main.safety} × Q per window (one call every W/(${main.safety}·Q) = ${(windowS / (main.safety * QUOTA)).toFixed(2)} s, burst 1) and slows down further when Meta's usage headers report ≥ 90 % use; it never bursts a whole window. By design its best case is about (N − 2)·W/(${main.safety}·Q) = ${(((DAYS - 2) * windowS) / (main.safety * QUOTA)).toFixed(0)} s, so 1.2x of the strict minimum is out of its reach; that margin is what keeps throttles (and the development tier's error penalty) near zero.`,
          `Sized so the quota binds: ${accountsCount} accounts × Q = ${QUOTA} calls per W = ${windowS} s need ${((accountsCount * QUOTA) / windowS).toFixed(1)} calls/s at 100 % of the quota; the worker's CPU share while it ran is reported (goal: under half the machine), next to the machine's load.`,
          "The naive loop reaches the strict minimum only by hammering: it fires until Meta throttles, then retries every W/10 until the window frees; every throttled call counts against the app in real Meta (user errors lower the dev-tier quota). The seed app's loop does not wait for the window: after 2 quick retries the day is lost (its Meta service logs and returns []).",
          `Engine wall time runs from the first addBulk of the ${totalCalls.toLocaleString('en-US')} jobs until BullMQ counts all of them completed or failed; it includes the database writes (campaign rows, daily KPI, sync state) the baselines do not make.`,
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};
