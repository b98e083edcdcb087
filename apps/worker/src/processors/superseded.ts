/**
 * @module processors/superseded
 * A job whose client changed while it waited (issue 12.1). Every write of a job goes through the db
 * package's guard (`guardedWrite`, `recordValidation({ ifCurrentAccount })`): the database checks, in the
 * same request, that the client still exists, still has the job's ad account and is not paused, and
 * writes nothing otherwise (`ClientSupersededError`). The job then ends as COMPLETED with the outcome
 * `superseded` (it did nothing wrong and must not be retried with stale data); the next job serves the
 * client as it is now.
 */
import { ClientSupersededError, type SupersededReason, type WriteGuard } from '@meta-engine/db';
import type { JobRun } from './context.ts';
import { runIdOf } from './failures.ts';

/** What a superseded job returns (its BullMQ return value). */
export interface SupersededResult {
  outcome: 'superseded';
  reason: SupersededReason;
  /** The ad account the job was enqueued for. */
  adAccountId: string;
  /** The client's ad account when the job wanted to write (as stored; null when none or deleted). */
  currentAdAccountId: string | null;
  message: string;
}

/** The guard of a job's writes: its client, the ad account it serves (as enqueued when malformed), task, run. */
export function writeGuard(run: JobRun<unknown>): WriteGuard {
  const enqueued = (run.data as { adAccountId?: unknown }).adAccountId;
  return {
    clientId: run.clientId,
    adAccountId: run.adAccountId || (typeof enqueued === 'string' ? enqueued : String(enqueued ?? '')),
    task: run.task,
    runId: runIdOf(run),
  };
}

/**
 * The same refusal for a change seen before any write (e.g. the client row refresh-cache reads first): the
 * job stops before spending Meta calls on an account the client no longer has.
 */
export function supersededBeforeWriting(
  run: JobRun<unknown>,
  current: { adAccountId: string | null } | null,
): ClientSupersededError {
  return new ClientSupersededError({
    clientId: run.clientId,
    adAccountId: run.adAccountId,
    currentAdAccountId: current?.adAccountId ?? null,
    reason: current === null ? 'client_gone' : 'account_changed',
    task: run.task,
  });
}

export function supersededResult(error: ClientSupersededError): SupersededResult {
  return {
    outcome: 'superseded',
    reason: error.reason,
    adAccountId: error.adAccountId,
    currentAdAccountId: error.currentAdAccountId,
    message: error.message,
  };
}
