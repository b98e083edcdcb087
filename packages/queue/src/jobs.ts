/**
 * @module jobs
 * Job payload schemas (zod), the job id scheme, deduplication ids and default job options.
 *
 * Payloads carry ids and dates only: never a token (the schemas are strict, so an extra field such as
 * `accessToken` is rejected, and every string is short). Job ids never contain `:` (BullMQ forbids it).
 *
 * Id scheme, per client task:
 * - job id `<task>-<clientId>` or, when a run forces a new job, `<task>-<clientId>-<runId>`;
 * - deduplication id `<task>-<clientId>` always, so a client never has two pending jobs of one task
 *   (BullMQ "simple" deduplication: until the job completes or fails).
 * - `summaries` holds one job per client AND period kind: its ids carry the kind after the client
 *   (`summaries-<clientId>-monthly[-<runId>]`, deduplication `summaries-<clientId>-monthly`), so a monthly
 *   and a weekly job of one client can be pending together.
 * Fan-out jobs: `fanout-<task>-<runId>`.
 *
 * @example
 * const job = buildClientJob('validate', { clientId, adAccountId: '123', runId: 'r20260101' });
 * await queue.addBulk([job]);
 */
import type { DefaultJobOptions, JobsOptions } from 'bullmq';
import { z } from 'zod';
import { wrongTypeMessage } from './describe-issue.ts';
import { InvalidJobDataError } from './errors/invalid-job-data-error.ts';
import { CLIENT_TASKS, type ClientTask, QUEUE_NAMES, type QueueName } from './names.ts';

const ID_SAFE = /^[A-Za-z0-9_-]+$/;

const clientId = z.guid({ error: 'must be a UUID' }).overwrite((value) => value.toLowerCase());

/** Accepts any short string: the worker parses it (so a malformed id is recorded, not dropped at enqueue). */
const adAccountId = z
  .string({ error: 'must be a string (the ad account id, with or without act_)' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(/^[^\s:{}|]+$/, { error: 'must not contain spaces, ":", "{", "}" or "|"' });

/** A run id: letters, digits, `_` and `-`, at most 64 characters (it becomes part of job ids). */
export const runIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(ID_SAFE, { error: 'may contain only letters, digits, "_" and "-"' });

/** A calendar date `YYYY-MM-DD` (in the ad account's time zone). */
export const isoDateSchema = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

function sinceNotAfterUntil(value: { since?: string | undefined; until?: string | undefined }): boolean {
  return value.since === undefined || value.until === undefined || value.since <= value.until;
}
const SINCE_UNTIL_ISSUE = { error: 'since must not be after until', path: ['since'] };

/**
 * Written by the worker when it parks a job for Meta's limits: parks without a successful call in between
 * and since when, so parking (which uses no attempt) is bounded.
 */
export const parkingSchema = z.strictObject({
  since: z.int().min(0),
  parks: z.int().min(0).max(1_000_000),
  reason: z.string().max(40).optional(),
});
export type Parking = z.infer<typeof parkingSchema>;

export const validateJobSchema = z.strictObject({
  clientId,
  adAccountId,
  runId: runIdSchema.optional(),
  parking: parkingSchema.optional(),
});
export type ValidateJobData = z.infer<typeof validateJobSchema>;

export const refreshCacheJobSchema = z.strictObject({
  clientId,
  adAccountId,
  runId: runIdSchema.optional(),
  parking: parkingSchema.optional(),
});
export type RefreshCacheJobData = z.infer<typeof refreshCacheJobSchema>;

/**
 * Phases of a collect-insights job that uses async report runs (each phase is one step; the job parks
 * between polls instead of holding a worker slot):
 * - `start`: plan the range; small ranges are fetched synchronously, large ones submit a report run;
 * - `report_pending`: a report run was submitted (`reportRunId`), poll it;
 * - `report_ready`: the run finished, fetch its rows and write them;
 * - `sync_chunks`: the range is read in sync chunks, each written when read (`doneUntil`: the last day
 *   written), so a job parked between windows goes on where it stopped.
 */
export const COLLECT_PHASES = ['start', 'report_pending', 'report_ready', 'sync_chunks'] as const;
export type CollectPhase = (typeof COLLECT_PHASES)[number];

export const collectStepSchema = z.strictObject({
  phase: z.enum(COLLECT_PHASES, { error: `must be one of ${COLLECT_PHASES.join(', ')}` }),
  /** Meta's report_run_id (digits). */
  reportRunId: z
    .string()
    .regex(/^\d{1,32}$/, { error: 'must be digits' })
    .optional(),
  /** Polls made so far for the current report run. */
  polls: z.int().min(0).max(10_000).default(0),
  /** When the report run was submitted (epoch ms), to give up after a bound. */
  submittedAt: z.int().min(0).optional(),
  /** The date range the current report run covers (a chunk of since..until). */
  chunkSince: isoDateSchema.optional(),
  chunkUntil: isoDateSchema.optional(),
  /** sync_chunks: the last day already read and written. */
  doneUntil: isoDateSchema.optional(),
});
export type CollectStep = z.infer<typeof collectStepSchema>;

export const collectInsightsJobSchema = z
  .strictObject({
    clientId,
    adAccountId,
    since: isoDateSchema.optional(),
    until: isoDateSchema.optional(),
    runId: runIdSchema.optional(),
    step: collectStepSchema.optional(),
    parking: parkingSchema.optional(),
  })
  .refine(sinceNotAfterUntil, SINCE_UNTIL_ISSUE);
export type CollectInsightsJobData = z.infer<typeof collectInsightsJobSchema>;

/** The `campaign_summaries` period kinds (its `summary_type` values), one summaries job per client and kind. */
export const SUMMARY_KINDS = ['monthly', 'weekly'] as const;
export type SummaryKind = (typeof SUMMARY_KINDS)[number];
const summaryKind = z.enum(SUMMARY_KINDS, { error: `must be one of ${SUMMARY_KINDS.join(', ')}` });

/**
 * One client's `campaign_summaries` rows of one kind. The worker decides from the database which periods
 * to fetch (missing ones, recent first, in pieces; rows another writer left; the periods Meta may still
 * restate on the re-collection days); `recollect` asks for that re-collection whatever the day (an
 * operator's on-demand run).
 */
export const summariesJobSchema = z.strictObject({
  clientId,
  adAccountId,
  kind: summaryKind,
  recollect: z.boolean().optional(),
  runId: runIdSchema.optional(),
  parking: parkingSchema.optional(),
});
export type SummariesJobData = z.infer<typeof summariesJobSchema>;

/** Drift check: the stored previous month against a fresh read, the difference recorded per table and metric. */
export const driftCheckJobSchema = z.strictObject({
  clientId,
  adAccountId,
  runId: runIdSchema.optional(),
  parking: parkingSchema.optional(),
});
export type DriftCheckJobData = z.infer<typeof driftCheckJobSchema>;

/**
 * What starts a run: a schedule tick, the CLI, the admin API, or a token rotation's re-validation. The one
 * list for the fan-out payload, run ids, run records and metrics labels.
 */
export const RUN_TRIGGERS = ['rotation', 'cli', 'api', 'schedule'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const fanoutJobSchema = z
  .strictObject({
    task: z.enum(CLIENT_TASKS, { error: `must be one of ${CLIENT_TASKS.join(', ')}` }),
    runId: runIdSchema,
    /** Limit the run to these clients (default: every eligible client). */
    clientIds: z.array(clientId).min(1).max(10_000).optional(),
    since: isoDateSchema.optional(),
    until: isoDateSchema.optional(),
    /** What started the run (the producer derives the fanned-out jobs' BullMQ priority from it). */
    trigger: z.enum(RUN_TRIGGERS).optional(),
    /** summaries only: the period kinds to run (default both). */
    kinds: z.array(summaryKind).min(1).max(SUMMARY_KINDS.length).optional(),
    /**
     * Retired (written by producers before the one-task-list change, never read): still accepted so a
     * fan-out queued by an older producer runs after an upgrade instead of failing its schema; dropped.
     */
    priority: z.int().min(1).max(2_097_151).optional(),
  })
  .refine(sinceNotAfterUntil, SINCE_UNTIL_ISSUE)
  .refine((value) => value.kinds === undefined || value.task === QUEUE_NAMES.summaries, {
    error: 'kinds apply only to the summaries task',
    path: ['kinds'],
  })
  .transform(({ priority: _retired, ...data }) => data);
export type FanoutJobData = z.infer<typeof fanoutJobSchema>;

export const JOB_SCHEMAS = {
  [QUEUE_NAMES.validate]: validateJobSchema,
  [QUEUE_NAMES.refreshCache]: refreshCacheJobSchema,
  [QUEUE_NAMES.collectInsights]: collectInsightsJobSchema,
  [QUEUE_NAMES.summaries]: summariesJobSchema,
  [QUEUE_NAMES.driftCheck]: driftCheckJobSchema,
  [QUEUE_NAMES.fanout]: fanoutJobSchema,
} as const;

export interface JobDataByQueue {
  validate: ValidateJobData;
  'refresh-cache': RefreshCacheJobData;
  'collect-insights': CollectInsightsJobData;
  summaries: SummariesJobData;
  'drift-check': DriftCheckJobData;
  fanout: FanoutJobData;
}
/** Input accepted before parsing (defaults not yet applied). */
export type JobInputByQueue = { [Q in QueueName]: z.input<(typeof JOB_SCHEMAS)[Q]> };

/**
 * Parses a payload with its queue's schema; throws {@link InvalidJobDataError} listing every issue as
 * `path: message` (e.g. `invalid validate job data: clientId: must be a UUID`).
 */
export function parseJobData<Q extends QueueName>(queue: Q, data: unknown): JobDataByQueue[Q] {
  const schema = JOB_SCHEMAS[queue] as unknown as z.ZodType<JobDataByQueue[Q]>;
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new InvalidJobDataError(queue, formatIssues(result.error), { cause: result.error });
  }
  return result.data;
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return `${path ? `${path}: ` : ''}unexpected field(s) ${issue.keys.join(', ')}`;
    }
    const message = issue.code === 'invalid_type' ? (wrongTypeMessage(issue) ?? 'required') : issue.message;
    return path ? `${path}: ${message}` : message;
  });
}

/** Throws when a job id could break BullMQ: contains `:`, is all digits, is empty or too long. */
export function assertValidJobId(jobId: string): string {
  if (jobId.length === 0 || jobId.length > 200 || jobId.includes(':') || /^\d+$/.test(jobId)) {
    throw new Error(
      `invalid job id ${JSON.stringify(jobId)}: must be 1-200 characters, not all digits, without ":"`,
    );
  }
  return jobId;
}

/** The variants of a task that have a job each per client: the summary kinds, or none. */
export function taskVariants(task: ClientTask): readonly string[] {
  return task === QUEUE_NAMES.summaries ? SUMMARY_KINDS : [];
}

function checkVariant(task: ClientTask, variant: string | undefined): string | undefined {
  const variants = taskVariants(task);
  if (variants.length === 0) {
    if (variant !== undefined)
      throw new Error(`task ${task} has no variants (got ${JSON.stringify(variant)})`);
    return undefined;
  }
  if (variant === undefined || !variants.includes(variant)) {
    throw new Error(`task ${task} needs one of ${variants.join(', ')} (got ${JSON.stringify(variant)})`);
  }
  return variant;
}

/**
 * Deduplication id of a client task: `<task>-<clientId>` (one pending job per client and task), or
 * `<task>-<clientId>-<variant>` for a task with variants (summaries: one per client and kind).
 */
export function deduplicationIdFor(task: ClientTask, clientIdValue: string, variant?: string): string {
  const kind = checkVariant(task, variant);
  const base = `${task}-${clientId.parse(clientIdValue)}`;
  return assertValidJobId(kind === undefined ? base : `${base}-${kind}`);
}

/**
 * Job id of a client task: the deduplication id, followed by `-<runId>` when a run forces a new job
 * (`collect-insights-<clientId>-<runId>`, `summaries-<clientId>-weekly-<runId>`).
 */
export function jobIdFor(task: ClientTask, clientIdValue: string, runId?: string, variant?: string): string {
  const base = deduplicationIdFor(task, clientIdValue, variant);
  return assertValidJobId(runId === undefined ? base : `${base}-${runIdSchema.parse(runId)}`);
}

/** Every deduplication id a client can have for a task (one, or one per variant). */
export function deduplicationIdsFor(task: ClientTask, clientIdValue: string): string[] {
  const variants = taskVariants(task);
  return variants.length === 0
    ? [deduplicationIdFor(task, clientIdValue)]
    : variants.map((variant) => deduplicationIdFor(task, clientIdValue, variant));
}

/** Job id of a fan-out run: `fanout-<task>-<runId>`. */
export function fanoutJobIdFor(task: ClientTask, runId: string): string {
  return assertValidJobId(`${QUEUE_NAMES.fanout}-${task}-${runIdSchema.parse(runId)}`);
}

/** Retention and retry defaults for every queue (pass as the Queue's `defaultJobOptions`). */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
} as const satisfies DefaultJobOptions;

/** Per-queue defaults: the fan-out job is cheap and idempotent, so fewer attempts and a shorter delay. */
export function defaultJobOptionsFor(queue: QueueName): DefaultJobOptions {
  if (queue === QUEUE_NAMES.fanout) {
    return {
      ...DEFAULT_JOB_OPTIONS,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    };
  }
  return { ...DEFAULT_JOB_OPTIONS, backoff: { ...DEFAULT_JOB_OPTIONS.backoff } };
}

export interface BuiltJob<Q extends QueueName> {
  name: Q;
  data: JobDataByQueue[Q];
  opts: JobsOptions & { jobId: string };
}

/**
 * A validated job ready for `queue.add(job.name, job.data, job.opts)` or `queue.addBulk([...])`:
 * parsed data, the job id, deduplication per (task, client) and the optional priority.
 * Retention and retries come from the queue's `defaultJobOptions` ({@link defaultJobOptionsFor}).
 */
export function buildClientJob<Q extends ClientTask>(
  task: Q,
  data: JobInputByQueue[Q],
  options: { priority?: number } = {},
): BuiltJob<Q> {
  const parsed = parseJobData(task, data);
  const variant = 'kind' in parsed ? parsed.kind : undefined;
  const opts: BuiltJob<Q>['opts'] = {
    jobId: jobIdFor(task, parsed.clientId, parsed.runId, variant),
    deduplication: { id: deduplicationIdFor(task, parsed.clientId, variant) },
  };
  if (options.priority !== undefined) opts.priority = options.priority;
  return { name: task, data: parsed, opts };
}

/** A validated fan-out job (`fanout-<task>-<runId>`). */
export function buildFanoutJob(data: JobInputByQueue['fanout']): BuiltJob<'fanout'> {
  const parsed = parseJobData(QUEUE_NAMES.fanout, data);
  return {
    name: QUEUE_NAMES.fanout,
    data: parsed,
    opts: { jobId: fanoutJobIdFor(parsed.task, parsed.runId) },
  };
}
