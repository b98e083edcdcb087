/**
 * @module bare-baseline
 * The reference every benchmark's cost figures stand next to: a bare BullMQ worker with a no-op processor,
 * in its own process, on the benchmark's Redis, at the same concurrency, processing `jobs` jobs added with
 * `addBulk(500)`. Its CPU per job and RSS are measured inside it, like the engine worker's.
 */
import { defaultJobOptionsFor } from '@meta-engine/queue';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startChild } from './children.ts';
import { waitUntil } from './stats.ts';
import { asSnapshot, costBetween, type WorkerCost } from './worker-cost.ts';

const BARE_SCRIPT = new URL('./processes/bare-worker.ts', import.meta.url).pathname;

export interface BareRun {
  cost: WorkerCost;
  /** The warm-up jobs' cost (first jobs of the fresh process), when `warmupJobs` was set. */
  warmup?: WorkerCost;
  /** First addBulk until the last job completed, ms. */
  wallMs: number;
  /** Time spent adding the jobs, ms. */
  enqueueMs: number;
  jobsPerSecond: number;
}

export async function measureBareWorker(options: {
  redisUrl: string;
  jobs: number;
  concurrency: number;
  /** Queue prefix (own keys per measurement). */
  prefix?: string;
  /**
   * No-op jobs run first and measured apart (`warmup`), so `cost` is the process's steady state, as the
   * engine's is measured in `job-cost`. Default 0: `cost` includes the first jobs.
   */
  warmupJobs?: number;
}): Promise<BareRun> {
  const prefix = options.prefix ?? `{bare-${Date.now()}}`;
  const bare = await startChild(
    BARE_SCRIPT,
    {
      REDIS_URL: options.redisUrl,
      BENCH_QUEUE: 'noop',
      BENCH_PREFIX: prefix,
      BENCH_CONCURRENCY: String(options.concurrency),
    },
    { label: 'bare worker' },
  );
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', {
    connection: redis,
    prefix,
    defaultJobOptions: defaultJobOptionsFor('validate'),
  });
  const warmupJobs = options.warmupJobs ?? 0;
  /** Adds `count` no-op jobs numbered from `from` and waits until `from + count` have completed. */
  const runJobs = async (from: number, count: number) => {
    for (let i = from; i < from + count; i += 500) {
      await queue.addBulk(
        Array.from({ length: Math.min(500, from + count - i) }, (_, k) => ({
          name: 'noop',
          data: { n: i + k },
          opts: { jobId: `noop-${i + k}` },
        })),
      );
    }
    const enqueued = Date.now();
    await waitUntil(async () => Number((await bare.request('stats')).completed) >= from + count, {
      timeoutMs: 120_000,
      intervalMs: 50,
      what: 'the bare worker',
    });
    return enqueued;
  };
  try {
    let warmup: WorkerCost | undefined;
    if (warmupJobs > 0) {
      const before = asSnapshot(await bare.request('cost'));
      await runJobs(0, warmupJobs);
      warmup = costBetween(before, asSnapshot(await bare.request('cost')));
    }
    const before = asSnapshot(await bare.request('cost'));
    const started = Date.now();
    const enqueued = await runJobs(warmupJobs, options.jobs);
    const wallMs = Date.now() - started;
    const after = asSnapshot(await bare.request('cost'));
    return {
      cost: costBetween(before, after),
      ...(warmup ? { warmup } : {}),
      wallMs,
      enqueueMs: enqueued - started,
      jobsPerSecond: (options.jobs / wallMs) * 1000,
    };
  } finally {
    await queue.close().catch(() => {});
    await redis.quit().catch(() => {});
    await bare.close();
  }
}
