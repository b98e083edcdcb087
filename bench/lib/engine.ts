/**
 * @module engine
 * The system under test, wired as in production: the worker in its own process (`startWorker` from an
 * environment), the producer runtime (`openRuntime`) in the benchmark's process, both on one Redis with a
 * private queue prefix.
 */
import { loadConfig as loadProducerConfig, openRuntime, type Runtime } from '@meta-engine/producer';
import { createLogger } from '@meta-engine/worker';
import { WORKER_NODE_FLAGS } from '@meta-engine/worker/node-flags';
import { type ChildHandle, startChild } from './children.ts';
import { BENCH_TOKEN } from './sandbox.ts';
import type { BenchStack } from './stack.ts';
import { asSnapshot, type CostSnapshot } from './worker-cost.ts';

const WORKER_SCRIPT = new URL('./processes/worker.ts', import.meta.url).pathname;

export interface EngineEnvOptions {
  stack: BenchStack;
  sandboxUrl: string;
  queuePrefix: string;
  /** Extra worker variables (CONCURRENCY_*, META_TIME_SCALE, ...). */
  extra?: Record<string, string>;
}

/** The environment `pnpm worker` / `pnpm start` would get. */
export function engineEnv(options: EngineEnvOptions): Record<string, string> {
  return {
    REDIS_URL: options.stack.redisUrl,
    SUPABASE_URL: options.stack.supabaseUrl,
    SUPABASE_SERVICE_ROLE_KEY: options.stack.serviceRoleKey,
    META_ACCESS_TOKEN: BENCH_TOKEN,
    META_GRAPH_URL: options.sandboxUrl,
    TOKEN_FINGERPRINT_KEY: 'bench-fingerprint-key',
    QUEUE_PREFIX: options.queuePrefix,
    WORKER_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    ...options.extra,
  };
}

export interface WorkerTiming {
  queue: string;
  timestamp: number;
  processedOn: number;
  finishedOn: number;
}

export interface WorkerMetricValues {
  name: string;
  values: Array<{ labels: Record<string, string | number>; value: number }>;
}

/** Sum of a worker counter's values whose labels match `where`. */
export function metricSum(
  metrics: readonly WorkerMetricValues[],
  name: string,
  where: Record<string, string> = {},
): number {
  let sum = 0;
  for (const metric of metrics) {
    if (metric.name !== name) continue;
    for (const v of metric.values) {
      if (Object.entries(where).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
    }
  }
  return sum;
}

export interface WorkerProcess {
  child: ChildHandle;
  /** The worker's own CPU, finished jobs and RSS now (take one before and one after a timed part). */
  cost(): Promise<CostSnapshot>;
  /** Closes the worker; returns its job timings and its own peak RSS. */
  close(): Promise<{
    timings: WorkerTiming[];
    maxRssMiB: number;
    failedEvents: number;
    failures: string[];
    metrics: WorkerMetricValues[];
    /** The worker process's own CPU time since it started (user + system), ms. */
    cpuMs: number;
    rssAtEndMiB: number;
  }>;
}

export async function startWorkerProcess(
  env: Record<string, string>,
  limiterAccounts?: Record<string, unknown>,
  options: { profileName?: string | false } = {},
): Promise<WorkerProcess> {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the worker (for finding the bottleneck, not for figures;
  // `pnpm bench:profile` sets it). `profileName: false` leaves this worker unprofiled.
  const profileDir = options.profileName === false ? undefined : process.env.BENCH_CPU_PROF;
  const child = await startChild(
    WORKER_SCRIPT,
    {
      ...env,
      ...(limiterAccounts ? { BENCH_LIMITER_ACCOUNTS: JSON.stringify(limiterAccounts) } : {}),
      ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
    },
    {
      label: 'worker',
      execArgv: [
        // Started as `pnpm worker` starts it (apps/worker/src/runtime/node-flags.ts).
        ...WORKER_NODE_FLAGS,
        // BENCH_WORKER_NODE_OPTIONS: more Node/V8 flags for the worker child only (e.g. heap sizing
        // experiments; on the command line, so flags NODE_OPTIONS refuses work too).
        ...(process.env.BENCH_WORKER_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? []),
        ...(profileDir
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${profileDir}`,
              ...(options.profileName ? [`--cpu-prof-name=${options.profileName}.cpuprofile`] : []),
            ]
          : []),
      ],
    },
  );
  return {
    child,
    cost: async () => asSnapshot(await child.request('cost')),
    async close() {
      const reply = await child.close(60_000);
      return {
        timings: (reply?.timings as WorkerTiming[] | undefined) ?? [],
        maxRssMiB: Number(reply?.maxRssMiB ?? 0),
        failedEvents: Number(reply?.failedEvents ?? 0),
        failures: (reply?.failures as string[] | undefined) ?? [],
        metrics: (reply?.metrics as WorkerMetricValues[] | undefined) ?? [],
        cpuMs: Number(reply?.cpuUserMs ?? 0) + Number(reply?.cpuSystemMs ?? 0),
        rssAtEndMiB: Number(reply?.rssAtEndMiB ?? 0),
      };
    },
  };
}

/** The producer's runtime (queues, fan-out, rotation) in this process. */
export async function openProducer(env: Record<string, string>): Promise<Runtime> {
  const config = loadProducerConfig(env, { token: true });
  const logger = createLogger({ level: 'warn', secrets: [BENCH_TOKEN], destination: { write: () => true } });
  return openRuntime(config, { logger });
}
