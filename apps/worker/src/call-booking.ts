/**
 * @module call-booking
 * Every Meta call a job makes is booked with the limiter BEFORE it is sent (meta-client's `beforeRequest`),
 * pages, split parts and polls included, so no call ever goes into a full window:
 *
 * - the job's first call uses the slot `acquireSlot` took with the lease (`prebooked`);
 * - every further call books one (`limiter.book` with the job id): due → sent; a short wait → slept in
 *   the job; a longer one → `CallWaitError`, and the processor parks the job with its reservation (results
 *   of the calls already made are kept by the processor, so nothing is asked twice);
 * - while the app's usage is tracked, the app-wide gate (`limiter.admitApp`) comes first.
 *
 * Which job a call belongs to travels with the job's async context (`jobCalls.run`), so one Meta client
 * serves every job. The booked call (its log entry and slot) waits in the context for its answer: the
 * feedback (meta-feedback.ts) passes it to the limiter, which learns the quota from it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetaRequestEvent } from '@meta-engine/meta-client';
import type { BookResult } from '@meta-engine/queue';
import { bucForPath } from './buc.ts';
import type { MetaLimiter } from './ports.ts';

/** A call booked in the limiter's window log, waiting for Meta's answer. */
export interface BookedCall {
  buc: string;
  member: string;
  slotAt: number;
}

/** What the running job's calls share (one per job run). */
export interface JobCallState {
  jobId: string;
  adAccountId: string;
  /** The slot `acquireSlot` took: the job's first call of that BUC uses it. */
  prebooked?: BookedCall | undefined;
  /** The call sent last, until its answer is recorded. */
  pending?: BookedCall | undefined;
  /** Meta calls of this run that got a successful answer. */
  succeeded: number;
  /**
   * The job got further in this run (kept a result it will not ask for again: a table of a refresh, a
   * chunk written, a report run submitted). A job parked again and again without it is bounded (park.ts).
   */
  progressed: boolean;
  /** Fingerprint of the token the job's last Meta call was sent with (token/worker-token.ts). */
  tokenFingerprint?: string | undefined;
}

/** Marks the running job as having got further (see `JobCallState.progressed`). */
export function noteProgress(): void {
  const state = jobCalls.getStore();
  if (state) state.progressed = true;
}

export const jobCalls = new AsyncLocalStorage<JobCallState>();

export type WaitReason = 'paced' | 'blocked' | 'app_paced' | 'app_blocked';

/** Thrown by `beforeRequest` when a call must wait longer than a job may sleep: the job parks until `until`. */
export class CallWaitError extends Error {
  override readonly name = 'CallWaitError';
  readonly until: number;
  readonly reason: WaitReason;

  constructor(reason: WaitReason, until: number) {
    super(`Meta call must wait until ${new Date(until).toISOString()} (${reason})`);
    this.reason = reason;
    this.until = until;
  }
}

export function isCallWaitError(error: unknown): error is CallWaitError {
  return error instanceof Error && error.name === 'CallWaitError';
}

/** Whether the app's usage is tracked (Meta sends app usage headers): then every call passes the app gate. */
export interface AppTracking {
  active: boolean;
}

export interface CallBookingDeps {
  limiter: Pick<MetaLimiter, 'book' | 'admitApp'>;
  app: AppTracking;
  /** A wait up to this long is slept inside the job; a longer one parks it. */
  maxInlineWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The `beforeRequest` hook for meta-client. */
export function createCallBooking(deps: CallBookingDeps): (event: MetaRequestEvent) => Promise<void> {
  const sleep = deps.sleep ?? defaultSleep;
  return async (event) => {
    const state = jobCalls.getStore();
    if (!state) return;
    const adAccountId = event.adAccountId ?? state.adAccountId;
    const buc = bucForPath(event.path);

    if (deps.app.active) {
      for (;;) {
        const admission = await deps.limiter.admitApp();
        if (admission.ok) break;
        if (admission.delayMs > deps.maxInlineWaitMs)
          throw new CallWaitError(admission.reason, admission.retryAt);
        await sleep(admission.delayMs);
      }
    }

    const prebooked = state.prebooked;
    if (prebooked && prebooked.buc === buc && adAccountId === state.adAccountId) {
      state.prebooked = undefined;
      state.pending = prebooked;
      return;
    }
    for (;;) {
      const booked: BookResult = await deps.limiter.book({ adAccountId, buc, jobId: state.jobId });
      if (booked.reason === 'now') {
        state.pending = { buc, member: booked.member, slotAt: booked.slotAt };
        return;
      }
      if (booked.delayMs > deps.maxInlineWaitMs) {
        throw new CallWaitError(booked.reason, Date.now() + booked.delayMs);
      }
      // A short wait: sleep, then ask again (the reservation is kept for this job meanwhile).
      await sleep(booked.delayMs);
    }
  };
}
