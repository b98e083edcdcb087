import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

/** Meta's final `async_status`: `Job Failed` or `Job Skipped`. */
export type ReportRunFailure = 'job_failed' | 'job_skipped';

export interface MetaReportRunErrorOptions extends MetaErrorOptions {
  failure: ReportRunFailure;
  reportRunId: string;
  asyncStatus?: string;
  asyncPercentCompletion?: number;
  /** `error_message` of the report run (v25+), scrubbed. */
  metaMessage?: string;
  errorUserTitle?: string;
  errorUserMsg?: string;
}

/**
 * An async insights report run that did not complete: `Job Failed` (category from its
 * `error_code`/`error_subcode`: -3/1504045 and a bare failure are `data_too_large`, -2/2490547
 * `transient`), or `Job Skipped` (`transient`: resubmit). How long to wait for a run is the worker's
 * (step jobs with a budget), not this package's.
 */
export class MetaReportRunError extends MetaError {
  override readonly name = 'MetaReportRunError' as const;
  readonly failure: ReportRunFailure;
  readonly reportRunId: string;
  readonly asyncStatus: string | undefined;
  readonly asyncPercentCompletion: number | undefined;
  readonly metaMessage: string | undefined;
  readonly errorUserTitle: string | undefined;
  readonly errorUserMsg: string | undefined;

  constructor(options: MetaReportRunErrorOptions) {
    const codes =
      options.code === undefined
        ? ''
        : options.subcode === undefined
          ? ` #${options.code}`
          : ` #${options.code}/${options.subcode}`;
    const what = `"${options.asyncStatus ?? options.failure}"${codes}`;
    const detail = options.metaMessage ?? options.errorUserMsg;
    super(
      `Report run ${options.reportRunId} ${what} (${options.category})${describeCall(options.method, options.path)}${detail ? `: ${detail}` : ''}`,
      options,
    );
    this.failure = options.failure;
    this.reportRunId = options.reportRunId;
    this.asyncStatus = options.asyncStatus;
    this.asyncPercentCompletion = options.asyncPercentCompletion;
    this.metaMessage = options.metaMessage;
    this.errorUserTitle = options.errorUserTitle;
    this.errorUserMsg = options.errorUserMsg;
  }
}

export function isMetaReportRunError(error: unknown): error is MetaReportRunError {
  return error instanceof MetaReportRunError || isNamed(error, 'MetaReportRunError');
}
