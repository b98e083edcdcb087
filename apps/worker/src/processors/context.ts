/**
 * @module processors/context
 * What every processor gets: the shared dependencies (`ProcessorContext`, built once by the worker app)
 * and the job being run (`JobRun`, built per job by `startRun`).
 */

import type { MetaClient } from '@meta-engine/meta-client';
import type { ClientTask, RedisClient } from '@meta-engine/queue';
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { AppTracking } from '../call-booking.ts';
import type { MetaLimiter, WorkerRepository } from '../ports.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';
import type { OutageGate } from '../runtime/outage-gate.ts';

/** Typed settings of the processors and workers (main.ts maps the environment onto them). */
export interface WorkerSettings {
  /** Jobs per queue running at once in this process. */
  concurrency: Record<ClientTask, number>;
  /** BullMQ lock of an active job; a dead worker's job is recovered after about this plus stalledIntervalMs. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** A job that stalls more often than this fails ("job stalled more than allowable limit"). */
  maxStalledCount: number;
  /** Days re-read behind the high-water date (Meta restates 28 days). */
  lookbackDays: number;
  /** Days read on a client's first collection. */
  backfillDays: number;
  /** Ranges longer than this many days use async report runs (step jobs). */
  asyncThresholdDays: number;
  /** First wait between report-run polls; doubles per poll up to asyncMaxPollIntervalMs. */
  asyncPollIntervalMs: number;
  asyncMaxPollIntervalMs: number;
  /** A report run not done this long after submission is abandoned for sync chunks. */
  asyncMaxWaitMs: number;
  /** Refresh-cache also fetches the ad-level relevance table (the 6th call). */
  includeAdRelevance: boolean;
  /** How long a job hit by a policy block (368, 613 without subcode) is parked. */
  policyParkMs: number;
  /** After a token-fatal error the job is handed back to its (paused) queue this far in the future. */
  tokenFatalRequeueMs: number;
  /** Meta's clock runs this many times faster than real time (the sandbox's timeScale; 1 for Meta). */
  metaTimeScale: number;
  /** Default of `close()`: how long in-flight jobs may finish before the workers are force-closed. */
  shutdownTimeoutMs: number;
  /** A call that must wait up to this long waits inside the job; a longer wait parks the job. */
  maxInlineWaitMs: number;
  /** A job parked this many times for Meta's limits without a successful call in between ends (gave_up_waiting). */
  maxParksWithoutProgress: number;
  /** ... or after parking this long without one. */
  maxWaitWithoutProgressMs: number;
  /** How long a parked job's fetched results are kept for it. */
  scratchTtlMs: number;
  /** Closed months and ISO weeks kept in campaign_summaries (a client's first run backfills them). */
  summariesBackfillMonths: number;
  summariesBackfillWeeks: number;
  /** Periods fetched together per piece (one set of time_ranges calls), monthly and weekly. */
  summariesPieceMonths: number;
  summariesPieceWeeks: number;
  /** A closed period is re-collected while it ended at most this many days ago (Meta restates 28). */
  summariesRestatementDays: number;
  /** Days of the month monthly rows are re-collected (the app's 5th, 8th, 11th, 15th, 28th). */
  summariesMonthlyRecollectDays: readonly number[];
  /** ISO weekdays weekly rows are re-collected (1 = Monday, the weekly close). */
  summariesWeeklyRecollectWeekdays: readonly number[];
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  concurrency: {
    validate: 20,
    'refresh-cache': 10,
    'collect-insights': 10,
    summaries: 10,
    'drift-check': 5,
  },
  lockDurationMs: 60_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  lookbackDays: 28,
  backfillDays: 90,
  asyncThresholdDays: 62,
  asyncPollIntervalMs: 5_000,
  asyncMaxPollIntervalMs: 60_000,
  asyncMaxWaitMs: 3_600_000,
  includeAdRelevance: true,
  policyParkMs: 3_600_000,
  tokenFatalRequeueMs: 1_000,
  metaTimeScale: 1,
  shutdownTimeoutMs: 25_000,
  maxInlineWaitMs: 2_000,
  maxParksWithoutProgress: 50,
  maxWaitWithoutProgressMs: 24 * 3_600_000,
  scratchTtlMs: 24 * 3_600_000,
  summariesBackfillMonths: 12,
  summariesBackfillWeeks: 54,
  summariesPieceMonths: 6,
  summariesPieceWeeks: 27,
  summariesRestatementDays: 28,
  summariesMonthlyRecollectDays: [5, 8, 11, 15, 28],
  summariesWeeklyRecollectWeekdays: [1],
};

export interface ProcessorContext {
  meta: MetaClient;
  repo: WorkerRepository;
  limiter: MetaLimiter;
  /**
   * Whether Meta reports the app's usage: then every call passes the limiter's app admission (which
   * refuses while the app is blocked) and taking a slot skips its own app-block look. Absent: not tracked.
   */
  app?: AppTracking;
  /** The task queues (paused together on a token-fatal error). */
  queues: () => readonly Queue[];
  /** Redis for the pause record and the once-per-run debug_token key. */
  redis: RedisClient;
  /** `meta:control` for the queue prefix (see `controlKeyPrefixFor`). */
  controlKeyPrefix: string;
  metrics: WorkerMetrics;
  settings: WorkerSettings;
  /** Clock for periods and ranges (tests and the sandbox inject theirs). */
  now: () => Date;
  /** Strings that must never be stored or logged (the token, the app secret). */
  secrets: readonly string[];
  /**
   * HMAC fingerprint of the token (see runtime/fingerprint.ts): inside a job, of the token its last Meta
   * call was sent with (the token can be rotated while the process runs).
   */
  readonly tokenFingerprint: string;
  /**
   * True when a token-fatal answer to a call made with `fingerprint` belongs to a token that has since been
   * replaced (token/token-follower.ts): the job is retried with the current token instead of pausing
   * every queue. Absent: every token-fatal answer pauses.
   */
  tokenSuperseded?: ((fingerprint: string) => Promise<boolean>) | undefined;
  /** The database outage gate of the app (runtime/outage-gate.ts); absent in unit tests. */
  outage?: OutageGate;
}

/** One job being processed: payload parsed, ad account id parsed, a logger bound to the job. */
export interface JobRun<D> {
  job: Job;
  /** The processor's lock token (2nd processor argument), needed by `moveToDelayed`. */
  token: string | undefined;
  task: ClientTask;
  data: D;
  clientId: string;
  /** Bare numeric ad account id. */
  adAccountId: string;
  log: Logger;
}

/** A processor as the worker app calls it. */
export type Processor = (job: Job, token: string | undefined, log: Logger) => Promise<unknown>;
