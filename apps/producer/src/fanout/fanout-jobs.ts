/**
 * @module fanout-jobs
 * The producer's own queue (`fanout`): scheduler ticks and on-demand run requests become small jobs
 * here, and the fan-out worker of any running producer turns each into one run. The job data is
 * validated with zod when it is processed, like every other job in the system.
 */
import { type Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { TASKS, TRIGGERS } from '../tasks.ts';
import { type FanoutDeps, type FanoutResult, fanOut } from './fan-out.ts';
import { tickRunId } from './run-id.ts';

export const TICK_JOB = 'tick';
export const RUN_JOB = 'run';

export const tickDataSchema = z.object({ kind: z.literal('tick'), task: z.enum(TASKS) });
export const runJobDataSchema = z.object({
  kind: z.literal('run'),
  runId: z.string().min(1),
  task: z.enum(TASKS),
  trigger: z.enum(TRIGGERS),
  clientIds: z.array(z.string()).optional(),
  since: z.string().optional(),
  until: z.string().optional(),
});
export const fanoutJobDataSchema = z.discriminatedUnion('kind', [tickDataSchema, runJobDataSchema]);
export type TickData = z.infer<typeof tickDataSchema>;
export type RunJobData = z.infer<typeof runJobDataSchema>;
export type FanoutJobData = z.infer<typeof fanoutJobDataSchema>;

/** Retries and retention for fan-out jobs; a retried fan-out is harmless (idempotent per run id). */
export const FANOUT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/** Asks whichever producer is serving to fan out a run created by the admin API. */
export async function enqueueRunJob(fanoutQueue: Queue, data: RunJobData): Promise<void> {
  await fanoutQueue.add(RUN_JOB, data, { ...FANOUT_JOB_OPTIONS, jobId: `run-${data.runId}` });
}

/** The time a scheduler tick was planned for: the scheduler's job id ends with it (`repeat:<id>:<ms>`). */
export function plannedTime(job: Pick<Job, 'id' | 'timestamp' | 'opts'>): Date {
  const fromId = job.id?.match(/:(\d{10,})$/)?.[1];
  const millis = fromId ? Number(fromId) : (job.opts.timestamp ?? job.timestamp);
  return new Date(millis);
}

/** Processes one fan-out job. Exported for tests; the worker below calls it. */
export async function processFanoutJob(deps: FanoutDeps, job: Job): Promise<FanoutResult> {
  const data = fanoutJobDataSchema.parse(job.data);
  if (data.kind === 'tick') {
    return fanOut(deps, {
      runId: tickRunId(data.task, plannedTime(job)),
      task: data.task,
      trigger: 'schedule',
    });
  }
  return fanOut(deps, {
    runId: data.runId,
    task: data.task,
    trigger: data.trigger,
    clientIds: data.clientIds,
    since: data.since,
    until: data.until,
  });
}

export interface FanoutWorkerOptions {
  /** A connection with maxRetriesPerRequest: null (BullMQ duplicates it for blocking calls). */
  connection: Redis;
  prefix: string;
  concurrency: number;
  logger?: Logger | undefined;
}

export function startFanoutWorker(deps: FanoutDeps, options: FanoutWorkerOptions): Worker {
  const worker = new Worker('fanout', (job) => processFanoutJob(deps, job), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    // A 10,000-client fan-out takes seconds; the lock is renewed meanwhile, this only bounds a crash.
    lockDuration: 60_000,
  });
  worker.on('failed', (job, error) => {
    options.logger?.error({ jobId: job?.id, err: error.message }, 'fan-out job failed');
  });
  worker.on('error', (error) => options.logger?.error({ err: error.message }, 'fan-out worker error'));
  return worker;
}
