/**
 * @module processors/park
 * Parking: `job.moveToDelayed(at)` + a `DelayedError`, so BullMQ neither completes nor fails the job, no
 * attempt is used (only `attemptsStarted` grows) and the worker slot is free at once. Used for limiter
 * waits, throttles, report-run polls, policy blocks and the token-fatal hand-back.
 *
 * A park never uses an attempt, so parking is bounded here: a job parked for Meta's limits again and again
 * without getting further in between (no result kept: `noteProgress`; `parking` in its data counts the
 * parks and when they began)
 * ends after `maxParksWithoutProgress` parks or `maxWaitWithoutProgressMs`, as `gave_up_waiting` in the
 * client's sync state, never silently and never forever. Waiting for a lease (`concurrency`), for a report
 * run (`report_pending`, bounded by ASYNC_MAX_WAIT_MS), for a token rotation (`token_fatal`, and
 * `token_rotated`: a token-fatal answer to a token already replaced, retried with the new one) and for the
 * database or Redis to come back (`database`, `redis`) do not count.
 */
import { isClientSupersededError } from '@meta-engine/db';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { jobCalls } from '../call-booking.ts';
import type { JobRun, ProcessorContext } from './context.ts';

/** Why a job was parked (a metrics label: a closed set). */
export type ParkReason =
  | 'paced'
  | 'blocked'
  | 'concurrency'
  | 'app_blocked'
  | 'app_paced'
  | 'account_throttle'
  | 'app_throttle'
  | 'report_pending'
  | 'policy'
  | 'token_fatal'
  | 'token_rotated'
  | 'database'
  | 'redis';

/** Parks that count towards the bound: waiting for Meta's limits. */
const BOUNDED: ReadonlySet<ParkReason> = new Set([
  'paced',
  'blocked',
  'app_blocked',
  'app_paced',
  'account_throttle',
  'app_throttle',
  'policy',
]);

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

/** The parking record in a job's data. */
export interface ParkingRecord {
  /** When the parks without progress began (epoch ms). */
  since: number;
  parks: number;
  reason?: string | undefined;
}

/**
 * The parking record after one more park (pure): reset when the job made progress in this run, else one
 * more park since the same moment. `giveUp` when the bound is passed.
 */
export function nextParking(
  previous: ParkingRecord | undefined,
  options: { now: number; progressed: boolean; reason: ParkReason; maxParks: number; maxWaitMs: number },
): { record: ParkingRecord; giveUp: boolean } {
  if (options.progressed || previous === undefined) {
    return { record: { since: options.now, parks: 1, reason: options.reason }, giveUp: false };
  }
  const record = { since: previous.since, parks: previous.parks + 1, reason: options.reason };
  const giveUp = record.parks > options.maxParks || options.now - record.since > options.maxWaitMs;
  return { record, giveUp };
}

function describeWait(record: ParkingRecord, now: number): string {
  const minutes = Math.round((now - record.since) / 60_000);
  return `parked ${record.parks - 1} times over ${minutes} min without getting further (last wait: ${record.reason ?? 'unknown'})`;
}

/** Moves the job to delayed until `at` (epoch ms, this process's clock) and throws `ParkedError`. */
export async function park(
  ctx: Pick<ProcessorContext, 'metrics' | 'settings' | 'repo'>,
  run: Pick<JobRun<unknown>, 'job' | 'token' | 'clientId' | 'task' | 'log' | 'adAccountId'>,
  at: number,
  reason: ParkReason,
): Promise<never> {
  const until = Math.max(Date.now() + 1, Math.ceil(at));
  if (BOUNDED.has(reason)) {
    const data = (run.job.data ?? {}) as Record<string, unknown> & { parking?: ParkingRecord };
    const now = Date.now();
    const { record, giveUp } = nextParking(data.parking, {
      now,
      progressed: jobCalls.getStore()?.progressed ?? false,
      reason,
      maxParks: ctx.settings.maxParksWithoutProgress,
      maxWaitMs: ctx.settings.maxWaitWithoutProgressMs,
    });
    if (giveUp) {
      const message = describeWait(record, now);
      try {
        await ctx.repo.guardedWrite(
          {
            clientId: run.clientId,
            adAccountId: run.adAccountId || String(data.adAccountId ?? ''),
            task: run.task,
            runId: typeof data.runId === 'string' ? data.runId : (run.job.id ?? 'unknown'),
          },
          { syncFailure: { category: 'gave_up_waiting', code: null, message } },
        );
      } catch (error) {
        if (isClientSupersededError(error)) throw error;
        run.log.warn({ err: error }, 'could not record the failure in sync state');
      }
      run.log.warn({ parking: record }, 'gave up waiting for Meta: job ends without retry');
      throw new UnrecoverableError(`gave_up_waiting: ${message}`);
    }
    await (run.job as Job).updateData({ ...data, parking: record });
  }
  await run.job.moveToDelayed(until, run.token);
  ctx.metrics.limiterWaits.inc({ reason });
  ctx.metrics.limiterWaitSeconds.observe({ reason }, Math.max(0, until - Date.now()) / 1000);
  throw new ParkedError(reason, until);
}
