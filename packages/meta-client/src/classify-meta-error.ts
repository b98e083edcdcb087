/**
 * Pure error classification following the retryability matrix of `reference/meta-graph-api.md`
 * §2.1, row by row. Handle errors by code, not text; the only message match is the documented
 * "Please reduce the amount of data" (no stable code) and the observed transient
 * "Cannot include … in summary param".
 *
 * @example
 * classifyMetaError({ status: 400, code: 80004, subcode: 2446079 }) // 'account_throttle'
 */
import type { MetaErrorCategory } from './errors/meta-error-category.ts';

export interface ClassifyInput {
  /** HTTP status of the response (batch items: the item's `code`). */
  status?: number;
  code?: number;
  subcode?: number;
  message?: string;
  errorUserTitle?: string;
  errorUserMsg?: string;
  isTransient?: boolean;
  type?: string;
  /**
   * `report_run`: the call polled or read an async report run created moments ago, where 100/33
   * is the documented creation/poll race (transient) rather than "no access" (account fatal).
   */
  context?: 'report_run';
  /** Final `async_status` of a failed report run: `Job Failed` or `Job Skipped`. */
  asyncStatus?: string;
}

/** BUC and object-scoped throttles (per ad account, page, IG account, ...). */
const SCOPED_THROTTLE_CODES: ReadonlySet<number> = new Set([
  80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014, 32,
]);
const TOKEN_FATAL_CODES: ReadonlySet<number> = new Set([190, 102, 104]);
const REQUEST_BUG_CODES: ReadonlySet<number> = new Set([2500, 2635]);

const REDUCE_DATA_PATTERN = /reduce the amount of data/i;
const SUMMARY_PARAM_PATTERN = /cannot include .* in summary param/i;

/**
 * True when Meta asks to "reduce the amount of data" (in `message`, `error_user_title` or
 * `error_user_msg`): the only case where halving the page `limit` helps.
 */
export function isReduceDataError(
  input: Pick<ClassifyInput, 'message' | 'errorUserTitle' | 'errorUserMsg'>,
): boolean {
  return [input.message, input.errorUserTitle, input.errorUserMsg].some(
    (text) => typeof text === 'string' && REDUCE_DATA_PATTERN.test(text),
  );
}

export function classifyMetaError(input: ClassifyInput): MetaErrorCategory {
  const { code, subcode, status } = input;

  if (input.asyncStatus === 'Job Skipped') return 'transient';

  // Token-fatal: 190 (any subcode), 102, 104. One shared token: stop everything.
  if (code !== undefined && TOKEN_FATAL_CODES.has(code)) return 'token_fatal';

  // Throttles (§1.6, §2.1).
  if (code !== undefined && SCOPED_THROTTLE_CODES.has(code)) return 'account_throttle';
  if (code === 17) return subcode === undefined ? 'app_throttle' : 'account_throttle';
  if (code === 613) {
    if (subcode === undefined) return 'policy'; // abuse prevention: long backoff, alert a human
    if (subcode === 1996) return 'app_throttle';
    return 'account_throttle'; // 1487742 score, 5044001 mutation QPS, 1487632 budget changes, 1487225
  }
  if (code === 4 || code === 341) return 'app_throttle';

  // Data-size: split the range (halve `limit` only for the reduce-data message).
  if (isReduceDataError(input)) return 'data_too_large';
  if (code === 100 && (subcode === 1487534 || subcode === 1504018)) return 'data_too_large';
  if (code === 2 && subcode === 1504038) return 'data_too_large';
  if (code === -3 && subcode === 1504045) return 'data_too_large';
  if (input.asyncStatus === 'Job Failed' && code === undefined) return 'data_too_large';

  if (code === 368) return 'policy';

  // Transient (async): resubmit.
  if (code === -2 && subcode === 2490547) return 'transient';

  // 100/33: creation/poll race on a fresh report run, else no role on / no such object.
  if (code === 100 && subcode === 33) return input.context === 'report_run' ? 'transient' : 'account_fatal';

  // Account-fatal: permission denied / permission family / insights permission error.
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return 'account_fatal';
  if (code === 100 && subcode === 3191001) return 'account_fatal';

  // Request bugs with a documented code.
  if (code !== undefined && REQUEST_BUG_CODES.has(code)) return 'request_bug';
  if (code === 2 && (subcode === 1504041 || subcode === 1504042)) return 'request_bug';

  // Observed: "Cannot include … in summary param" (HTTP 400) proved transient.
  if (typeof input.message === 'string' && SUMMARY_PARAM_PATTERN.test(input.message)) return 'transient';

  if (input.isTransient === true) return 'transient';

  // Transient: 1 (incl. 1/99), 2 (incl. 1504043, 1504044), internal (negative) codes, 960 batch timeout.
  if (code === 1 || code === 2 || code === 960 || (code !== undefined && code < 0)) return 'transient';

  if (input.asyncStatus === 'Job Failed') return 'data_too_large';

  // 100 with any other subcode, 3, and every code the reference does not list: the body's code decides
  // wherever it stands (a 4xx, or an error inside HTTP 200), and a blind retry would only repeat it. Only a
  // 5xx answer keeps an unknown code transient (the server failed).
  if (code === 100 || code === 3) return 'request_bug';
  if (code !== undefined && (status === undefined || status < 500)) return 'request_bug';

  // No usable code: fall back on the HTTP status.
  if (status === undefined || status === 0 || status >= 500 || status === 408 || status === 429)
    return 'transient';
  if (status >= 400) return 'request_bug';
  return 'transient';
}
