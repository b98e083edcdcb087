/**
 * Async insights report runs (`reference/meta-graph-api.md` §3.2): interpreting one status read,
 * and a poll loop with backoff bounded by a time budget. The loop takes an injected `check`
 * function, so it runs against the real client or a fake clock alike.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { classifyMetaError } from './classify-meta-error.ts';
import { isMetaError } from './errors/meta-error.ts';
import { isMetaReportRunError, MetaReportRunError } from './errors/meta-report-run-error.ts';
import { metricNumber } from './metric-number.ts';
import type { UsageSnapshot } from './parse-usage-headers.ts';
import { scrubText } from './scrub.ts';

const numeric = z.union([z.number(), z.string()]).transform((v) => metricNumber(v));
const idString = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

export const reportRunSchema = z.looseObject({
  id: idString,
  account_id: idString.optional(),
  async_status: z.string(),
  async_percent_completion: numeric.optional().default(0),
  error_code: z.union([z.number(), z.string()]).optional(),
  error_subcode: z.union([z.number(), z.string()]).optional(),
  error_message: z.string().optional(),
  error_user_title: z.string().optional(),
  error_user_msg: z.string().optional(),
  date_start: z.string().optional(),
  date_stop: z.string().optional(),
  time_ref: z.number().optional(),
  time_completed: z.number().optional(),
});

/** An AdReportRun as read from `GET /{report_run_id}` (Meta's field names). */
export type ReportRun = z.output<typeof reportRunSchema>;

export const REPORT_RUN_STATUS = {
  notStarted: 'Job Not Started',
  started: 'Job Started',
  running: 'Job Running',
  completed: 'Job Completed',
  failed: 'Job Failed',
  skipped: 'Job Skipped',
} as const;

export interface ReportRunCheck {
  /** `true` once `async_status` is `Job Completed` and `async_percent_completion` is 100. */
  done: boolean;
  run: ReportRun;
  usage: UsageSnapshot;
}

export interface ReportRunContext {
  reportRunId: string;
  usage: UsageSnapshot;
  method?: string;
  path?: string;
  adAccountId?: string;
  secrets?: readonly string[];
}

/** One status read → done / not done; `Job Failed` and `Job Skipped` throw `MetaReportRunError`. */
export function interpretReportRun(run: ReportRun, ctx: ReportRunContext): ReportRunCheck {
  const status = run.async_status;
  if (status === REPORT_RUN_STATUS.failed || status === REPORT_RUN_STATUS.skipped) {
    const secrets = ctx.secrets ?? [];
    const code = toInt(run.error_code);
    const subcode = toInt(run.error_subcode);
    const metaMessage = run.error_message === undefined ? undefined : scrubText(run.error_message, secrets);
    const errorUserTitle =
      run.error_user_title === undefined ? undefined : scrubText(run.error_user_title, secrets);
    const errorUserMsg =
      run.error_user_msg === undefined ? undefined : scrubText(run.error_user_msg, secrets);
    throw new MetaReportRunError({
      failure: status === REPORT_RUN_STATUS.failed ? 'job_failed' : 'job_skipped',
      category: classifyMetaError({
        code,
        subcode,
        message: metaMessage,
        errorUserTitle,
        errorUserMsg,
        asyncStatus: status,
        status: 200,
      }),
      reportRunId: ctx.reportRunId,
      asyncStatus: status,
      asyncPercentCompletion: run.async_percent_completion,
      code,
      subcode,
      metaMessage,
      errorUserTitle,
      errorUserMsg,
      status: 200,
      usage: ctx.usage,
      method: ctx.method,
      path: ctx.path,
      adAccountId: ctx.adAccountId ?? run.account_id,
    });
  }
  const done = status === REPORT_RUN_STATUS.completed && run.async_percent_completion >= 100;
  return { done, run, usage: ctx.usage };
}

export interface PollReportRunOptions {
  /** First wait between polls (default 2 s); doubles (`factor`) up to `maxDelayMs` (default 30 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Total time allowed for polling (default 30 min), then `MetaReportRunError` `poll_budget_exhausted`. */
  budgetMs?: number;
  /** Transient poll failures tolerated in a row before giving up (default 3). */
  maxConsecutiveErrors?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onPoll?: (check: ReportRunCheck) => void;
}

export const DEFAULT_POLL = {
  initialDelayMs: 2_000,
  maxDelayMs: 30_000,
  factor: 2,
  budgetMs: 30 * 60_000,
  maxConsecutiveErrors: 3,
} as const;

export async function pollReportRun(
  check: () => Promise<ReportRunCheck>,
  reportRunId: string,
  options: PollReportRunOptions = {},
): Promise<ReportRunCheck> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const now = options.now ?? Date.now;
  const budgetMs = options.budgetMs ?? DEFAULT_POLL.budgetMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_POLL.maxDelayMs;
  const factor = options.factor ?? DEFAULT_POLL.factor;
  const maxErrors = options.maxConsecutiveErrors ?? DEFAULT_POLL.maxConsecutiveErrors;
  const start = now();
  let wait = options.initialDelayMs ?? DEFAULT_POLL.initialDelayMs;
  let errors = 0;
  let last: ReportRunCheck | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await check();
      errors = 0;
      options.onPoll?.(last);
      if (last.done) return last;
    } catch (error) {
      // Transient read failures (network, 5xx, the 100/33 creation race) do not end the wait.
      if (isMetaReportRunError(error) || !isMetaError(error) || error.category !== 'transient') throw error;
      errors += 1;
      lastError = error;
      if (errors > maxErrors) throw error;
    }
    if (now() - start + wait > budgetMs) {
      throw new MetaReportRunError({
        failure: 'poll_budget_exhausted',
        category: 'transient',
        reportRunId,
        asyncStatus: last?.run.async_status,
        asyncPercentCompletion: last?.run.async_percent_completion,
        usage: last?.usage,
        adAccountId: last?.run.account_id,
        cause: lastError,
      });
    }
    await sleep(wait);
    wait = Math.min(maxDelayMs, Math.ceil(wait * factor));
  }
}

function toInt(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}
