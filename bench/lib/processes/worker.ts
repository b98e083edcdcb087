/**
 * Child process: the engine's worker exactly as `pnpm worker` builds it (`startWorker(loadConfig(env))`),
 * plus per-account limiter overrides from `BENCH_LIMITER_ACCOUNTS` (JSON) and a record of every finished
 * job's BullMQ timestamps (created, processed, finished), returned on `close` with the worker's own CPU time
 * (user + system, `process.cpuUsage()` since start) and its RSS. `cost` answers a snapshot of its own CPU,
 * finished jobs per queue and RSS (lib/worker-cost.ts), taken before and after a timed part. `token` answers the fingerprint of the
 * token it uses now (the rotation figures).
 */
import type { AccountOverrides } from '@meta-engine/queue';
import { loadConfig, startWorker } from '@meta-engine/worker';
import type { Job } from 'bullmq';
import { serveChild } from '../children.ts';
import { createCostRecorder } from '../worker-cost.ts';

interface Timing {
  queue: string;
  timestamp: number;
  processedOn: number;
  finishedOn: number;
}

serveChild(async () => {
  const startedCpu = process.cpuUsage();
  const config = loadConfig(process.env);
  const limiterAccounts = process.env.BENCH_LIMITER_ACCOUNTS
    ? (JSON.parse(process.env.BENCH_LIMITER_ACCOUNTS) as AccountOverrides)
    : undefined;
  const worker = await startWorker(config, {
    logDestination: { write: () => true },
    ...(limiterAccounts ? { limiterAccounts } : {}),
  });
  const timings: Timing[] = [];
  const cost = createCostRecorder(() => worker.app.activeJobs());
  let failed = 0;
  const failures: string[] = [];
  for (const [queue, bullWorker] of Object.entries(worker.app.workers)) {
    bullWorker?.on('completed', (job: Job) => {
      cost.finished(queue);
      timings.push({
        queue,
        timestamp: job.timestamp,
        processedOn: job.processedOn ?? 0,
        finishedOn: job.finishedOn ?? Date.now(),
      });
    });
    bullWorker?.on('failed', (job: Job | undefined, error: Error) => {
      // Parked jobs (DelayedError) are not failures; BullMQ does not emit 'failed' for them.
      failed++;
      cost.finished(queue);
      if (failures.length < 5) failures.push(`${job?.id}: ${error.message}`);
    });
  }
  return {
    ready: { pid: process.pid },
    handlers: {
      cost: async () => ({ cost: cost.snapshot() }),
      stats: async () => ({
        completed: timings.length,
        failedEvents: failed,
        active: worker.app.activeJobs(),
      }),
      // The token this worker uses now (its fingerprint only) and whether it holds its queues.
      token: async () => ({ fingerprint: worker.token.fingerprint(), behind: worker.token.isBehind() }),
    },
    close: async () => {
      // The worker's own CPU (user + system) since it started, before closing (closing is not work).
      const cpu = process.cpuUsage(startedCpu);
      const rss = process.memoryUsage().rss;
      cost.stop();
      const result = await worker.close(10_000);
      const wanted = new Set([
        'meta_worker_jobs_total',
        'meta_worker_limiter_waits_total',
        'meta_worker_throttle_events_total',
      ]);
      const metrics = (await worker.metrics.registry.getMetricsAsJSON())
        .filter((metric) => wanted.has(metric.name))
        .map((metric) => ({
          name: metric.name,
          values: metric.values.map((v) => ({ labels: v.labels, value: v.value })),
        }));
      return {
        timings,
        failedEvents: failed,
        failures,
        drained: result.drained,
        metrics,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        rssAtEndMiB: rss / 1048576,
      };
    },
  };
});
