/**
 * `job-cost`: what one job of each type costs the worker process itself: CPU time (user + system, measured
 * inside the worker with `process.cpuUsage()`, divided by the jobs it finished) and RSS, at the worker's
 * default concurrency, each next to a bare BullMQ no-op worker at the same concurrency in the same run.
 * The sandbox answers at once with no quota, so the worker's CPU is all that bounds it.
 *
 * Job types, one after the other, each on a fresh worker process (its cost is snapshotted around the part,
 * so start-up is not counted; its peak RSS is that process's). Each process (engine and bare) first runs
 * warm-up jobs of the type (1,000 / 100 / 200), reported apart: the figures are the steady state.
 * - `validate`: 5,000 jobs (the RSS goal's load), one per client;
 * - `refresh-cache`: one per client for 500 validated clients (6 insights reads each, 3 campaigns);
 * - `collect-insights`: one per client for 1,000 clients, a 10-day range of 3 campaigns (30 campaign-days).
 */

import { readFileSync } from 'node:fs';
import { defaultJobOptionsFor, type QueueName } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { measureBareWorker } from '../lib/bare-baseline.ts';
import { engineEnv, openProducer, startWorkerProcess, type WorkerProcess } from '../lib/engine.ts';
import { describeLoad, type MachineLoad, sampleMachineLoad } from '../lib/machine-load.ts';
import type { Figure, Goal } from '../lib/results.ts';
import { RESULTS_DIR } from '../lib/results.ts';
import { accountIds, BENCH_TOKEN, startSandboxProcess } from '../lib/sandbox.ts';
import { seedClients, startBenchStack } from '../lib/stack.ts';
import { waitUntil } from '../lib/stats.ts';
import { Cleanup, type Suite } from '../lib/suite.ts';
import { costBetween, costFigures, type WorkerCost } from '../lib/worker-cost.ts';

/** The worker's default concurrency per queue (apps/worker/src/config.ts). */
const DEFAULT_CONCURRENCY = { validate: 20, 'refresh-cache': 10, 'collect-insights': 10 } as const;
/** CPU per job the goals allow, ms. */
const TARGET_MS = { validate: 0.5, 'refresh-cache': 2, 'collect-insights': 3 } as const;
const RSS_TARGET_MIB = 200;
/** 10 days x 3 campaigns = 30 campaign-days per collect-insights job. */
const COLLECT_DAYS = 10;
const CAMPAIGNS = 3;

type JobType = keyof typeof DEFAULT_CONCURRENCY;

const iso = (date: Date) => date.toISOString().slice(0, 10);

export interface JobCostPart {
  type: JobType;
  /** Redis commands per job (INFO commandstats, the benchmark's own polling included), by command. */
  redisPerJob: Record<string, number>;
  jobs: number;
  engine: WorkerCost;
  bare: WorkerCost;
  load: MachineLoad;
  failed: number;
  wallMs: number;
  /** The first jobs of the fresh worker process (JIT compilation, first connections), measured apart. */
  warmup: { jobs: number; engine: WorkerCost; bare: WorkerCost | null };
}

export const jobCost: Suite = {
  name: 'job-cost',
  title: "The worker's own CPU and memory per job type vs a bare BullMQ worker",
  async run({ quick, log }) {
    const counts: Record<JobType, number> = quick
      ? { validate: 1_000, 'refresh-cache': 100, 'collect-insights': 200 }
      : { validate: 5_000, 'refresh-cache': 500, 'collect-insights': 1_000 };
    // Run first on each fresh process and reported apart: the steady state is what a long-running worker
    // costs per job; the first jobs also pay V8's compilation of the code they run.
    const warmups: Record<JobType, number> = quick
      ? { validate: 200, 'refresh-cache': 20, 'collect-insights': 40 }
      : { validate: 1_000, 'refresh-cache': 100, 'collect-insights': 200 };
    const cleanup = new Cleanup();
    try {
      const stack = await startBenchStack();
      cleanup.add(() => stack.stop());
      const accounts = {
        count: counts.validate,
        idBase: 5_000_000_000_000_000,
        campaigns: CAMPAIGNS,
        adsetsPerCampaign: 1,
        adsPerAdset: 1,
      };
      const sandbox = await startSandboxProcess({
        seed: 'bench-job-cost',
        accounts,
        tokens: [{ value: BENCH_TOKEN, state: 'valid', accountIds: 'all' }],
        rateLimits: { enabled: false },
      });
      cleanup.add(() => sandbox.close());
      const ids = accountIds(accounts);
      const clientIds = await seedClients(stack.sql, ids);
      const env = engineEnv({ stack, sandboxUrl: sandbox.url, queuePrefix: '{bench-job-cost}' });
      // `pnpm bench:profile --type <t>` selects types (BENCH_JOB_TYPES); validate always runs (the
      // others need validated clients) but is profiled only when selected.
      const selected = new Set(
        (process.env.BENCH_JOB_TYPES ?? 'validate,refresh-cache,collect-insights').split(','),
      );
      const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
      cleanup.add(() => redis.quit());
      const runtime = await openProducer(env);
      cleanup.add(() => runtime.close());
      const today = new Date();
      const until = iso(new Date(today.getTime() - 2 * 86_400_000));
      const since = iso(new Date(today.getTime() - (COLLECT_DAYS + 1) * 86_400_000));
      // since..until is COLLECT_DAYS days: from today-(COLLECT_DAYS+1) to today-2.

      const parts: JobCostPart[] = [];
      for (const type of ['validate', 'refresh-cache', 'collect-insights'] as const) {
        if (type !== 'validate' && !selected.has(type)) continue;
        const n = counts[type];
        const concurrency = DEFAULT_CONCURRENCY[type];
        const warmupJobs = warmups[type];
        log(`bare BullMQ: ${warmupJobs} warm-up + ${n} no-op jobs, concurrency ${concurrency}`);
        const bare = await measureBareWorker({
          redisUrl: stack.redisUrl,
          jobs: n,
          concurrency,
          prefix: `{bare-${type}}`,
          warmupJobs,
        });
        log(`engine: ${warmupJobs} warm-up + ${n} ${type} jobs at the default concurrency (${concurrency})`);
        const queue = runtime.queues[type] as Queue;
        const runId = `bench-cost-${type}-${Date.now()}`;
        const jobsOf = (
          from: number,
          count: number,
          jobPrefix: string,
          range: { since: string; until: string },
        ) =>
          clientIds.slice(from, from + count).map((clientId, index) => ({
            name: type,
            data: {
              clientId,
              adAccountId: ids[from + index]!,
              runId,
              ...(type === 'collect-insights' ? range : {}),
            },
            opts: { ...defaultJobOptionsFor(type as QueueName), jobId: `${jobPrefix}${type}-${clientId}` },
          }));
        // Warm-up: the last clients (validated in the validate part), and for collect-insights the 10 days
        // before the measured range, so the measured jobs find nothing done for them already.
        const warmupRange = {
          since: iso(new Date(Date.parse(since) - COLLECT_DAYS * 86_400_000)),
          until: iso(new Date(Date.parse(since) - 86_400_000)),
        };
        const warmup = jobsOf(clientIds.length - warmupJobs, warmupJobs, 'warmup-', warmupRange);
        const jobs = jobsOf(0, n, '', { since, until });
        const worker = await startWorkerProcess(env, undefined, {
          profileName: selected.has(type) ? `worker-${type}` : false,
        });
        cleanup.add(() => worker.close());
        const idle = await worker.cost();
        log(
          `${type}: worker heap ${idle.heapUsedMiB.toFixed(0)} / ${idle.heapTotalMiB.toFixed(0)} MiB, external ${idle.externalMiB.toFixed(0)} MiB, RSS ${idle.rssMiB.toFixed(0)} MiB before the jobs`,
        );
        const cold = await timedPart(worker, queue, warmup, `warm-up ${type}`);
        log(
          `${type}: warm-up (first ${warmupJobs} jobs of the fresh process) ${cold.engine.cpuPerJobMs?.toFixed(3)} ms CPU/job (bare ${bare.warmup?.cpuPerJobMs?.toFixed(3)})`,
        );
        const statsBefore = await commandStats(redis);
        const part = await timedPart(worker, queue, jobs, type, cold.completed + cold.failed);
        const memory = await worker.cost();
        log(
          `${type}: worker heap ${memory.heapUsedMiB.toFixed(0)} / ${memory.heapTotalMiB.toFixed(0)} MiB, external ${memory.externalMiB.toFixed(0)} MiB, RSS ${memory.rssMiB.toFixed(0)} MiB after the jobs`,
        );
        const statsAfter = await commandStats(redis);
        const redisPerJob: Record<string, number> = {};
        for (const [command, calls] of Object.entries(statsAfter)) {
          const delta = calls - (statsBefore[command] ?? 0);
          if (delta > 0 && command !== 'info') redisPerJob[command] = Math.round((delta / n) * 100) / 100;
        }
        await worker.close();
        parts.push({
          type,
          jobs: n,
          bare: bare.cost,
          redisPerJob,
          ...part,
          warmup: { jobs: warmupJobs, engine: cold.engine, bare: bare.warmup ?? null },
        });
        log(`${type}: Redis commands per job ${JSON.stringify(redisPerJob)}`);
        log(
          `${type}: ${part.engine.cpuPerJobMs?.toFixed(3)} ms CPU/job (${((100 * part.engine.cpuSystemMs) / Math.max(1, part.engine.cpuMs)).toFixed(0)} % system; bare ${bare.cost.cpuPerJobMs?.toFixed(3)}), peak RSS ${part.engine.peakRssMiB.toFixed(0)} MiB; ${describeLoad(part.load)}`,
        );
      }
      const [rows] = await stack.sql<{ n: number }[]>`
        select count(*)::int as n from meta_campaign_insights where date between ${since} and ${until}`;

      const figures: Figure[] = parts.flatMap((part) => [
        ...costFigures(part.engine, part.bare, part.load, part.type),
        {
          label: `worker CPU per job (${part.type}), the first ${part.warmup.jobs.toLocaleString('en-US')} jobs of a fresh process (warm-up, run before the figures above)`,
          value: part.warmup.engine.cpuPerJobMs,
          unit: 'ms',
          baseline: part.warmup.bare?.cpuPerJobMs ?? null,
          ratio:
            part.warmup.engine.cpuPerJobMs && part.warmup.bare?.cpuPerJobMs
              ? part.warmup.bare.cpuPerJobMs / part.warmup.engine.cpuPerJobMs
              : null,
          kind: 'measured' as const,
          baselineKind: 'measured' as const,
          note: "includes V8 compiling the code the first jobs run; baseline = the bare worker's first jobs",
        },
        {
          label: `jobs/s (${part.type})`,
          value: (part.jobs / part.wallMs) * 1000,
          unit: 'jobs/s',
          kind: 'measured' as const,
        },
        {
          label: `Redis commands per job (${part.type})`,
          value: Object.values(part.redisPerJob).reduce((sum, v) => sum + v, 0),
          unit: '',
          kind: 'measured' as const,
          note: Object.entries(part.redisPerJob)
            .sort((a, b) => b[1] - a[1])
            .map(([command, perJob]) => `${command} ${perJob}`)
            .join(', '),
        },
        { label: `failed jobs (${part.type})`, value: part.failed, unit: '', kind: 'measured' as const },
      ]);
      figures.push({
        label: 'campaign-day rows written (collect-insights)',
        value: rows?.n ?? 0,
        unit: 'rows',
        kind: 'measured',
      });
      // Where it stood before issue 17's cuts (results/job-cost-before.json, same benchmark and machine).
      const before = readBefore();
      for (const part of parts) {
        const prior = before.find((f) => f.label.startsWith(`worker CPU per job (${part.type})`));
        if (!prior) continue;
        figures.push({
          label: `worker CPU per job (${part.type}) before the cuts of issue 17`,
          value: part.engine.cpuPerJobMs,
          unit: 'ms',
          baseline: prior.value,
          ratio: prior.value && part.engine.cpuPerJobMs ? prior.value / part.engine.cpuPerJobMs : null,
          kind: 'measured',
          baselineKind: 'measured',
          note: `baseline = ${before.startedAt}'s run (results/job-cost-before.json), not this run: machine load differed`,
        });
      }
      const priorRss = before.find((f) => f.label.startsWith('worker peak RSS (validate)'));
      if (priorRss)
        figures.push({
          label: 'worker peak RSS (validate) before the cuts of issue 17',
          value: parts[0]!.engine.peakRssMiB,
          unit: 'MiB',
          baseline: priorRss.value,
          kind: 'measured',
          baselineKind: 'measured',
          note: 'baseline from results/job-cost-before.json',
        });
      const goals: Goal[] = parts.map((part) => ({
        goal: `worker CPU per ${part.type} job ≤ ${TARGET_MS[part.type]} ms`,
        met:
          part.engine.cpuPerJobMs !== null &&
          part.engine.cpuPerJobMs <= TARGET_MS[part.type] &&
          part.failed === 0,
        detail: `${part.engine.cpuPerJobMs?.toFixed(3)} ms after ${part.warmup.jobs} warm-up jobs (bare BullMQ ${part.bare.cpuPerJobMs?.toFixed(3)} ms; the first ${part.warmup.jobs} jobs: ${part.warmup.engine.cpuPerJobMs?.toFixed(3)} ms), ${part.failed} failed`,
      }));
      const validate = parts.find((p) => p.type === 'validate')!;
      goals.push({
        goal: `worker RSS ≤ ${RSS_TARGET_MIB} MiB at default concurrency under a ${counts.validate.toLocaleString('en-US')}-job load`,
        met: validate.engine.peakRssMiB <= RSS_TARGET_MIB,
        detail: `peak ${validate.engine.peakRssMiB.toFixed(0)} MiB, steady ${validate.engine.steadyRssMiB?.toFixed(0) ?? '–'} MiB (bare BullMQ peak ${validate.bare.peakRssMiB.toFixed(0)} MiB)`,
      });
      return {
        name: 'job-cost',
        title: "The worker's own CPU and memory per job type vs a bare BullMQ worker",
        config: {
          jobs: counts,
          concurrency: DEFAULT_CONCURRENCY,
          collectRange: { since, until, days: COLLECT_DAYS, campaigns: CAMPAIGNS },
          campaignsPerAccount: CAMPAIGNS,
          sandbox: 'separate process, no latency, rateLimits disabled',
          baseline: 'bare BullMQ Worker, no-op processor, same Redis, same concurrency, addBulk(500)',
          warmupJobs: warmups,
          loads: Object.fromEntries(parts.map((p) => [p.type, p.load])),
        },
        figures,
        goals,
        notes: [
          "CPU per job = the worker process's own user + system CPU (process.cpuUsage() inside it) between a snapshot before the jobs were added and one after the last finished, divided by the jobs it finished. Start-up and shut-down are not counted; Redis, Postgres, PostgREST and the sandbox are other processes and not counted either.",
          "The jobs of one type run alone on a fresh worker process, so the CPU and the peak RSS are theirs. Each process (engine and bare) first runs warm-up jobs of the same type, measured and reported apart (the first jobs pay V8's compilation of the code they run); the per-job figures and the goals are the steady state after them, what a long-running worker costs per job. Warm-up jobs use other clients (collect-insights: the 10 days before the measured range), so the measured jobs find nothing done for them.",
          'collect-insights jobs read a 10-day range of an account with 3 campaigns (30 campaign-days; the sandbox leaves some days without delivery): one sync read with time_increment=1, then the raw rows and daily_kpi_data are written.',
          `Machine load per part: ${parts.map((p) => `${p.type}: ${describeLoad(p.load)}`).join('; ')}.`,
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};

/** The figures of results/job-cost-before.json (empty when missing), with when they were measured. */
function readBefore(): Array<{ label: string; value: number | null }> & { startedAt?: string } {
  try {
    const result = JSON.parse(readFileSync(`${RESULTS_DIR}job-cost-before.json`, 'utf8')) as {
      figures: Array<{ label: string; value: number | null }>;
      startedAt: string;
    };
    return Object.assign(result.figures, { startedAt: result.startedAt });
  } catch {
    return [];
  }
}

/** Calls per command so far (`INFO commandstats`). */
async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const stats: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats[match[1]!] = Number(match[2]);
  return stats;
}

/** Adds `jobs` and waits for them, with the worker's cost and the machine's load around it. */
async function timedPart(
  worker: WorkerProcess,
  queue: Queue,
  jobs: Array<{ name: string; data: Record<string, unknown>; opts: Record<string, unknown> }>,
  type: string,
  /** Jobs of this queue already completed before (an earlier part on the same queue). */
  completedBefore = 0,
): Promise<{ engine: WorkerCost; load: MachineLoad; failed: number; wallMs: number; completed: number }> {
  const before = await worker.cost();
  const sampler = sampleMachineLoad([worker.child.pid]);
  const started = Date.now();
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500) as never);
  let failed = 0;
  let completed = 0;
  await waitUntil(
    async () => {
      const counts = await queue.getJobCounts('completed', 'failed');
      failed = counts.failed ?? 0;
      completed = counts.completed ?? 0;
      return completed + failed >= completedBefore + jobs.length;
    },
    { timeoutMs: 600_000, intervalMs: 100, what: `every ${type} job finished` },
  );
  const wallMs = Date.now() - started;
  const after = await worker.cost();
  const load = sampler.stop();
  return { engine: costBetween(before, after), load, failed, wallMs, completed };
}
