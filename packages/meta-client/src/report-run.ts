/**
 * Async insights report runs (`reference/meta-graph-api.md` §3.2): interpreting one status read. The
 * worker polls as step jobs (one status read per job run, parked in between), so there is no poll loop here.
 */
import { z } from 'zod';
import { classifyMetaError } from './classify-meta-error.ts';
import { MetaReportRunError } from './errors/meta-report-run-error.ts';
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

function toInt(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}
