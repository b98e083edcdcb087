/**
 * @module fanout-jobs
 * The producer's own queue (`fanout`). Two kinds of job land there, both with the queue package's
 * fan-out payload (`fanoutJobSchema`), and the fan-out worker of any running producer turns each into
 * one run:
 *
 * - `tick`: made by a job scheduler. The template cannot carry a per-tick run id, so it holds the
 *   placeholder `runId: "tick"`; the run id is derived from the time the scheduler planned the tick
 *   for (`tick-<task>-<UTC time>`), the same however often that tick is processed.
 * - `fanout`: an on-demand run requested through the admin API (`buildFanoutJob`, job id
 *   `fanout-<task>-<runId>`), already recorded as `pending` in the run store.
 * - `local-tick`: the local-midnight schedule's tick (schedules/local-midnight.ts), handed to `localTick`.
 */

import { isDbUnavailableError } from '@meta-engine/db';
import {
  buildFanoutJob,
  type ClientTask,
  type FanoutJobData,
  parseJobData,
  type RedisClient,
} from '@meta-engine/queue';
import { DelayedError, type Job, type Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { LOCAL_TICK_JOB } from '../schedules/local-midnight.ts';
import { type FanoutDeps, type FanoutResult, fanOut } from './fan-out.ts';
import { tickRunId } from './run-id.ts';

export const TICK_JOB = 'tick';
/** Placeholder run id of scheduler templates (see the module comment). */
export const TICK_RUN_ID_PLACEHOLDER = 'tick';

/** The data a task's scheduler template carries. */
export function tickTemplateData(task: ClientTask): FanoutJobData {
  return { task, runId: TICK_RUN_ID_PLACEHOLDER, trigger: 'schedule' };
}

/** Asks whichever producer is serving to fan out an on-demand run (already recorded as pending). */
export async function enqueueFanoutJob(fanoutQueue: Queue, data: FanoutJobData): Promise<void> {
  const job = buildFanoutJob(data);
  await fanoutQueue.add(job.name, job.data, job.opts);
}

/** The time a scheduler tick was planned for: its job id ends with it (`repeat:<schedulerId>:<ms>`). */
export function plannedTime(job: Pick<Job, 'id' | 'timestamp' | 'opts'>): Date {
  const fromId = job.id?.match(/:(\d{10,})$/)?.[1];
  const planned = fromId ? Number(fromId) : (job.opts.prevMillis ?? job.opts.timestamp ?? job.timestamp);
  return new Date(planned);
}

/** Processes one fan-out job (exported for tests; the worker below calls it). */
export async function processFanoutJob(
  deps: FanoutDeps,
  job: Pick<Job, 'id' | 'name' | 'data' | 'timestamp' | 'opts'>,
): Promise<FanoutResult> {
  const data = parseJobData('fanout', job.data);
  const isTick = job.name === TICK_JOB;
  return fanOut(deps, {
    runId: isTick ? tickRunId(data.task, plannedTime(job)) : data.runId,
    task: data.task,
    trigger: isTick ? 'schedule' : (data.trigger ?? 'api'),
    clientIds: data.clientIds,
    since: data.since,
    until: data.until,
    kinds: data.kinds,
  });
}

export interface FanoutWorkerOptions {
  /** A connection with maxRetriesPerRequest: null (BullMQ duplicates it for blocking calls). */
  connection: RedisClient;
  prefix: string;
  concurrency: number;
  logger?: Logger | undefined;
  /** Processes the local-midnight tick (job name `local-tick`), given the time it was planned for. */
  localTick?: ((plannedFor: Date) => Promise<unknown>) | undefined;
}

/** How far ahead a fan-out is handed back while the database does not answer. */
const OUTAGE_REQUEUE_MS = 5_000;

export function startFanoutWorker(deps: FanoutDeps, options: FanoutWorkerOptions): Worker {
  const fanout = async (job: Job, token?: string) => {
    try {
      return await processFanoutJob(deps, job);
    } catch (error) {
      // A database outage is not the run's failure (issue 12.2): hand it back without using an attempt;
      // the fan-out is idempotent per run id, so the next try adds what this one did not. Only when a ping
      // confirms it: a query that merely timed out on a working database is an ordinary failure.
      if (!isDbUnavailableError(error)) throw error;
      const down = await deps.directory.ping().then(
        () => false,
        () => true,
      );
      if (!down) throw error;
      options.logger?.warn(
        { jobId: job.id, err: String(error) },
        'database unavailable: fan-out handed back',
      );
      await job.moveToDelayed(Date.now() + OUTAGE_REQUEUE_MS, token);
      throw new DelayedError();
    }
  };
  const handle = (job: Job, token?: string) => {
    if (job.name !== LOCAL_TICK_JOB) return fanout(job, token);
    if (!options.localTick) throw new Error('this producer has no local-midnight schedule configured');
    return options.localTick(plannedTime(job));
  };
  const worker = new Worker('fanout', handle, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  });
  worker.on('failed', (job, error) => {
    options.logger?.error({ jobId: job?.id, err: error.message }, 'fan-out job failed');
  });
  worker.on('error', (error) => options.logger?.error({ err: error.message }, 'fan-out worker error'));
  return worker;
}
