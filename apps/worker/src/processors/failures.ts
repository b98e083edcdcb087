/**
 * @module processors/failures
 * What a processor does with an error, by meta-client's category (reference/meta-graph-api.md §2.1):
 *
 * | category           | action                                                                                   |
 * | ------------------ | ---------------------------------------------------------------------------------------- |
 * | `account_throttle` | the limiter already blocked the account (onResponse); park until Meta's retry time        |
 * | `app_throttle`     | the limiter already blocked the app and rate-limited the queues; park                    |
 * | `transient`        | record in sync state, rethrow: BullMQ retries with backoff (uses an attempt)             |
 * | `data_too_large`   | (splitting/async is done before this) record, `UnrecoverableError`                       |
 * | `account_fatal`    | record the outcome (validate: validation history; others: sync state), `UnrecoverableError` |
 * | `request_bug`      | record, `UnrecoverableError`                                                              |
 * | `policy`           | record, log an error, park for `policyParkMs`                                             |
 * | `token_fatal`      | pause every task queue at once, record token state, hand the job back (not failed)        |
 * | `token_fatal` from a replaced token | hand the job back for a retry with the current token; no pause  |
 *
 * Outages are not failures (issue 12.2): a database that does not answer (confirmed by the outage gate's
 * ping: the app stops taking jobs until it answers) or a Redis connection that is down hands the job back
 * with `moveToDelayed` (reason `database` / `redis`): no attempt used, nothing recorded (the database could
 * not take it anyway), however long the outage lasts.
 *
 * Parks use `moveToDelayed` + `DelayedError`: no attempt used. Every recorded message is scrubbed of
 * the secrets. Failures are recorded through the write guard (superseded.ts): a job whose client changed
 * while it waited records nothing and ends `superseded` instead (`ClientSupersededError` passes through).
 */
import { isClientSupersededError, isDbError, isDbUnavailableError, isInvalidRowError } from '@meta-engine/db';
import { isMetaError, type MetaError, scrubText } from '@meta-engine/meta-client';
import {
  isInvalidJobDataError,
  isRedisConnectionError,
  pauseAllQueues,
  TOKEN_FATAL_REASON,
} from '@meta-engine/queue';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { isCallWaitError } from '../call-booking.ts';
import { scaleMetaMs } from '../meta-feedback.ts';
import type { JobRun, ProcessorContext } from './context.ts';
import { park } from './park.ts';
import { writeGuard } from './superseded.ts';

/** The reason recorded in the pause record and read by the producer's rotation. */
export { TOKEN_FATAL_REASON };

/** What goes to `meta_sync_state.last_error` (no stack, no token). */
export interface FailureSummary {
  category: string;
  code: number | null;
  subcode: number | null;
  message: string;
}

const MAX_MESSAGE = 500;

/**
 * How far ahead a job handed back for an outage is scheduled. The app has stopped fetching by then; the
 * job waits in the delayed set until a worker takes jobs again.
 */
const OUTAGE_REQUEUE_MS = 1_000;

/** Category, codes and a scrubbed message for any thrown value (pure). */
export function summarizeFailure(error: unknown, secrets: readonly string[]): FailureSummary {
  const message = scrubText(error instanceof Error ? error.message : String(error), secrets).slice(
    0,
    MAX_MESSAGE,
  );
  if (isMetaError(error)) {
    return { category: error.category, code: error.code ?? null, subcode: error.subcode ?? null, message };
  }
  // A cache row holding a secret (a token-like key, our token or app secret) is refused by the repository.
  const category = isInvalidRowError(error)
    ? error.secret
      ? 'secret_leak'
      : 'invalid_row'
    : isInvalidJobDataError(error)
      ? 'invalid_job_data'
      : error instanceof Error && error.name === 'DbError'
        ? 'database'
        : 'internal';
  return { category, code: null, subcode: null, message };
}

/** `account_fatal 100/33: Unsupported get request …` */
export function describeFailure(summary: FailureSummary): string {
  const codes = [summary.code, summary.subcode].filter((c) => c !== null).join('/');
  return `${summary.category}${codes ? ` ${codes}` : ''}: ${summary.message}`;
}

/**
 * Database errors a retry cannot fix: the client row is gone (`NOT_FOUND`, FK `23503`), a check or
 * unique violation, a missing conflict key or column, a permission problem (23xxx, 42xxx).
 */
export function isPermanentDbError(error: unknown): boolean {
  if (!isDbError(error)) return false;
  return error.code === 'NOT_FOUND' || /^(23|42)/.test(error.code);
}

/** True when BullMQ will not retry a failure of this attempt. */
export function isFinalAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Writes the failure into `meta_sync_state` under the job's write guard (best effort: a failing write is
 * logged, not thrown), except that a client that changed while the job waited throws
 * `ClientSupersededError`: the job then ends superseded, not failed.
 */
export async function recordFailure(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  summary: FailureSummary,
): Promise<void> {
  try {
    await ctx.repo.guardedWrite(writeGuard(run), {
      syncFailure: { category: summary.category, code: summary.code, message: summary.message },
    });
  } catch (error) {
    if (isClientSupersededError(error)) throw error;
    run.log.warn({ err: error }, 'could not record the failure in sync state');
  }
}

export function runIdOf(run: JobRun<unknown>): string {
  const data = run.data as { runId?: unknown };
  return typeof data.runId === 'string' ? data.runId : (run.job.id ?? 'unknown');
}

export interface FailureHooks {
  /** validate: writes the validation outcome (no_access) instead of only the sync state. */
  onAccountFatal?: (error: MetaError, summary: FailureSummary) => Promise<void>;
  /** validate: writes token_invalid / token_expired to the validation history. */
  onTokenFatal?: (error: MetaError, summary: FailureSummary) => Promise<void>;
  /** validate: the job ends without learning anything (check_failed). */
  onGivingUp?: (summary: FailureSummary) => Promise<void>;
}

/**
 * Turns a processor's error into the action of the table above. Always throws: the original error (a
 * BullMQ retry), an `UnrecoverableError`, or a `DelayedError` after parking.
 */
export async function handleJobFailure(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  error: unknown,
  hooks: FailureHooks = {},
): Promise<never> {
  if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
  if (isClientSupersededError(error)) throw error;
  if (isDbUnavailableError(error) && ctx.outage && (await ctx.outage.confirm(error))) {
    run.log.warn(
      { err: summarizeFailure(error, ctx.secrets).message },
      'the database does not answer: job handed back without using an attempt',
    );
    return park(ctx, run, Date.now() + OUTAGE_REQUEUE_MS, 'database');
  }
  if (isRedisConnectionError(error)) {
    // The worker's connection queues commands until Redis is back: the hand-back lands then.
    run.log.warn({ err: String(error) }, 'Redis is unavailable: job handed back without using an attempt');
    return park(ctx, run, Date.now() + OUTAGE_REQUEUE_MS, 'redis');
  }
  if (isCallWaitError(error)) {
    // A call beyond what the window allows now: park with its reservation (no attempt used).
    run.log.debug({ reason: error.reason, until: error.until }, 'Meta call must wait: parked');
    return park(ctx, run, error.until, error.reason);
  }
  const summary = summarizeFailure(error, ctx.secrets);
  const log = run.log;
  const safe = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (caught) {
      if (isClientSupersededError(caught)) throw caught;
      log.warn({ err: caught }, `could not record ${what}`);
    }
  };
  const giveUp = async () => {
    await recordFailure(ctx, run, summary);
    if (hooks.onGivingUp) await safe('the outcome', () => hooks.onGivingUp!(summary));
    log.warn({ failure: summary }, 'job failed without retry');
    throw new UnrecoverableError(describeFailure(summary));
  };

  if (isMetaError(error)) {
    switch (error.category) {
      case 'account_throttle':
      case 'app_throttle': {
        const waitMs = scaleMetaMs(error.retryAfterMs, ctx.settings.metaTimeScale) ?? 0;
        log.info({ failure: summary, waitMs }, 'throttled by Meta: parked');
        return park(ctx, run, Date.now() + Math.max(waitMs, 10), error.category);
      }
      case 'policy': {
        await recordFailure(ctx, run, summary);
        log.error(
          { failure: summary, parkMs: ctx.settings.policyParkMs },
          'Meta policy block: parked, needs a human',
        );
        return park(ctx, run, Date.now() + ctx.settings.policyParkMs, 'policy');
      }
      case 'token_fatal': {
        // The call was made with a token that has been replaced since (a rotation while the job ran):
        // nothing is wrong with the token in use now, so no pause and no token_invalid outcome.
        if (ctx.tokenSuperseded && (await ctx.tokenSuperseded(ctx.tokenFingerprint))) {
          log.warn(
            { failure: summary },
            'token-fatal answer to a call made with a replaced token: retrying with the current token',
          );
          return park(ctx, run, Date.now() + ctx.settings.tokenFatalRequeueMs, 'token_rotated');
        }
        if (hooks.onTokenFatal)
          await safe('the validation outcome', () => hooks.onTokenFatal!(error, summary));
        return handOverTokenFatal(ctx, run, summary);
      }
      case 'account_fatal': {
        await recordFailure(ctx, run, summary);
        if (hooks.onAccountFatal)
          await safe('the validation outcome', () => hooks.onAccountFatal!(error, summary));
        log.warn({ failure: summary }, 'ad account not usable: job ends without retry');
        throw new UnrecoverableError(describeFailure(summary));
      }
      case 'data_too_large':
      case 'request_bug':
        return giveUp();
      case 'transient':
        break;
    }
  } else if (isInvalidRowError(error) || isInvalidJobDataError(error) || isPermanentDbError(error)) {
    return giveUp();
  }
  // Transient Meta errors, database and network failures, bugs: retry with BullMQ's backoff.
  await recordFailure(ctx, run, summary);
  if (isFinalAttempt(run.job) && hooks.onGivingUp)
    await safe('the outcome', () => hooks.onGivingUp!(summary));
  log.warn({ failure: summary, attemptsMade: run.job.attemptsMade }, 'job attempt failed');
  throw error;
}

/**
 * The shared token is dead: pause every task queue at once (other workers stop fetching), record the
 * token state, and hand this job back to its paused queue without failing it. A rotation (the
 * producer's `resumeAllQueues`) resumes the queues and the job runs again.
 */
export async function handOverTokenFatal(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  summary: FailureSummary,
): Promise<never> {
  const codes = [summary.code, summary.subcode].filter((c) => c !== null).join('/');
  const detail = `meta ${codes || 'token_fatal'}`;
  try {
    await pauseAllQueues(ctx.queues(), TOKEN_FATAL_REASON, {
      redis: ctx.redis,
      keyPrefix: ctx.controlKeyPrefix,
      detail,
    });
  } catch (error) {
    run.log.error({ err: error }, 'could not pause the queues after a token-fatal error');
  }
  try {
    await ctx.repo.saveTokenState({
      fingerprint: ctx.tokenFingerprint,
      status: 'token_fatal',
      pausedReason: `${detail}: ${summary.message}`.slice(0, MAX_MESSAGE),
    });
  } catch (error) {
    run.log.warn({ err: error }, 'could not record the token state');
  }
  await recordFailure(ctx, run, summary);
  run.log.error({ failure: summary }, 'the shared Meta token is unusable: every queue paused until rotation');
  return park(ctx, run, Date.now() + ctx.settings.tokenFatalRequeueMs, 'token_fatal');
}
