/**
 * Parking a job that must wait for its ad account: `moveToDelayed` + `DelayedError`. BullMQ then neither
 * completes nor fails the job, `attemptsMade` does not grow (only `attemptsStarted` does; leave the worker's
 * `maxStartedAttempts` unset), and the worker slot is free for other accounts at once.
 */
import { DelayedError } from 'bullmq';
import type { AcquireRequest, Denial, Grant, Limiter } from './limiter.ts';

/** The part of a BullMQ Job this module needs. */
export interface ParkableJob {
  readonly id?: string | undefined;
  moveToDelayed(timestamp: number, token?: string): Promise<void>;
}

/**
 * Moves the job to delayed until `retryAt` (ms since the epoch, this process's clock) and throws
 * `DelayedError`; let it propagate out of the processor.
 *
 * @example
 * if (!slot.ok) await parkJob(job, token, slot.retryAt);
 */
export async function parkJob(job: ParkableJob, token: string | undefined, retryAt: number): Promise<never> {
  await job.moveToDelayed(retryAt, token);
  throw new DelayedError();
}

/**
 * `limiter.acquire` for a processor: returns the grant, or parks the job (throws `DelayedError`) after
 * calling `onParked` (for logs and metrics).
 *
 * @example
 * const slot = await acquireOrPark(limiter, job, token, { adAccountId, buc: 'ads_insights' });
 * try { ... } finally { await slot.release(); }
 */
export async function acquireOrPark(
  limiter: Pick<Limiter, 'acquire'>,
  job: ParkableJob,
  token: string | undefined,
  request: Omit<AcquireRequest, 'jobId'>,
  onParked?: (denial: Denial) => void | Promise<void>,
): Promise<Grant> {
  if (!job.id) throw new Error('acquireOrPark needs a job with an id');
  const result = await limiter.acquire({ ...request, jobId: job.id });
  if (result.ok) return result;
  await onParked?.(result);
  return parkJob(job, token, result.retryAt);
}
