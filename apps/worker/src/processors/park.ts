/**
 * @module processors/park
 * Parking: `job.moveToDelayed(at)` + a `DelayedError`, so BullMQ neither completes nor fails the job, no
 * attempt is used (only `attemptsStarted` grows) and the worker slot is free at once. Used for limiter
 * waits, throttles, report-run polls, policy blocks and the token-fatal hand-back.
 */
import { DelayedError, type Job } from 'bullmq';
import type { ProcessorContext } from './context.ts';

/** Why a job was parked (a metrics label: a closed set). */
export type ParkReason =
  | 'paced'
  | 'blocked'
  | 'concurrency'
  | 'app_blocked'
  | 'account_throttle'
  | 'app_throttle'
  | 'report_pending'
  | 'policy'
  | 'token_fatal';

/** The `DelayedError` this worker throws; carries the reason for logs and metrics. */
export class ParkedError extends DelayedError {
  readonly reason: ParkReason;
  readonly until: number;

  constructor(reason: ParkReason, until: number) {
    super();
    // BullMQ also recognises the error by name (a duplicate bullmq copy would fail `instanceof`).
    this.name = 'DelayedError';
    this.reason = reason;
    this.until = until;
  }
}

export function isParkedError(error: unknown): error is ParkedError {
  return error instanceof ParkedError;
}

/** Moves the job to delayed until `at` (epoch ms, this process's clock) and throws `ParkedError`. */
export async function park(
  ctx: Pick<ProcessorContext, 'metrics'>,
  run: { job: Pick<Job, 'moveToDelayed'>; token: string | undefined },
  at: number,
  reason: ParkReason,
): Promise<never> {
  const until = Math.max(Date.now() + 1, Math.ceil(at));
  await run.job.moveToDelayed(until, run.token);
  ctx.metrics.limiterWaits.inc({ reason });
  ctx.metrics.limiterWaitSeconds.observe({ reason }, Math.max(0, until - Date.now()) / 1000);
  throw new ParkedError(reason, until);
}
