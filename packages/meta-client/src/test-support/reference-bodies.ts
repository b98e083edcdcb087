/**
 * Error bodies from `reference/meta-graph-api.md` (§1.6, §1.7, §2, §2.1, §3.2), one row per case
 * of the retryability matrix. Verbatim where the reference quotes a body or message; where it
 * gives only code/subcode and meaning, the message is that meaning in Meta's `(#code) text` form.
 * Shared by the classifier unit tests and the HTTP integration tests.
 */
import type { MetaErrorCategory } from '../errors/meta-error-category.ts';

export interface ReferenceErrorCase {
  /** Matrix row (§2.1) this case belongs to. */
  row: string;
  name: string;
  status: number;
  body: { error: Record<string, unknown> };
  expected: MetaErrorCategory;
  /** Classification context: `report_run` for calls on a fresh async report run. */
  context?: 'report_run';
}

const RATE_LIMIT_DOCS =
  'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.';

function err(fields: Record<string, unknown>): { error: Record<string, unknown> } {
  return { error: fields };
}

export const REFERENCE_ERROR_CASES: readonly ReferenceErrorCase[] = [
  // Per-account throttle: BUC codes (§1.6 exact bodies, HTTP 400).
  {
    row: 'per-account throttle (BUC)',
    name: '80000 ads_insights BUC',
    status: 400,
    body: err({
      message: `(#80000) There have been too many calls from this ad-account. Wait a bit and try again. ${RATE_LIMIT_DOCS}`,
      type: 'OAuthException',
      code: 80000,
      error_subcode: 2446079,
      fbtrace_id: 'AvXh1Ktd8hZ3',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'per-account throttle (BUC)',
    name: '80004 ads_management BUC (airbytehq/airbyte#8773)',
    status: 400,
    body: err({
      message: `(#80004) There have been too many calls to this ad-account. Wait a bit and try again. ${RATE_LIMIT_DOCS}`,
      type: 'OAuthException',
      code: 80004,
      error_subcode: 2446079,
      fbtrace_id: 'AFm-w0VSqFxoRyuKXJgg48H',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'per-account throttle (BUC)',
    name: '80003 custom_audience BUC',
    status: 400,
    body: err({
      message:
        '(#80003) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to /docs/graph-api/overview/rate-limiting.',
      type: 'OAuthException',
      code: 80003,
      error_subcode: 2446079,
      fbtrace_id: 'BqV1',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'per-account throttle (BUC)',
    name: '80014 catalog batch',
    status: 400,
    body: err({
      message:
        '(#80014) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to /docs/graph-api/overview/rate-limiting.',
      type: 'OAuthException',
      code: 80014,
      fbtrace_id: 'BqV2',
    }),
    expected: 'account_throttle',
  },
  // Per-account throttle: score limits.
  {
    row: 'per-account throttle (score)',
    name: '17/2446079 "Ad Account Has Too Many API Calls" (airbytehq/airbyte#86316)',
    status: 400,
    body: err({
      message: 'Ad Account Has Too Many API Calls',
      type: 'OAuthException',
      code: 17,
      error_subcode: 2446079,
      is_transient: false,
      fbtrace_id: 'A1b2C3',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'per-account throttle (score)',
    name: '17/2446079 "User request limit reached"',
    status: 400,
    body: err({
      message: '(#17) User request limit reached',
      type: 'OAuthException',
      code: 17,
      error_subcode: 2446079,
      is_transient: false,
      fbtrace_id: 'A1b2C4',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'per-account throttle (score)',
    name: '613/1487742 too many calls from this ad-account',
    status: 400,
    body: err({
      message: '(#613) There have been too many calls from this ad-account. Please wait a bit and try again.',
      type: 'OAuthException',
      code: 613,
      error_subcode: 1487742,
      fbtrace_id: 'A1b2C5',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'per-account writes',
    name: '613/5044001 mutation QPS',
    status: 400,
    body: err({
      message:
        '(#613) Your ad account 123 has exceeded the maximum allowed rate of mutation requests. Please wait a bit and try again.',
      type: 'OAuthException',
      code: 613,
      error_subcode: 5044001,
      fbtrace_id: 'A1b2C6',
    }),
    expected: 'account_throttle',
  },
  // Other scoped throttles.
  {
    row: 'other scoped throttles',
    name: '17 without subcode: token/user limit (one shared token: app-wide)',
    status: 400,
    body: err({
      message: '(#17) User request limit reached',
      type: 'OAuthException',
      code: 17,
      fbtrace_id: 'D1',
    }),
    expected: 'app_throttle',
  },
  {
    row: 'other scoped throttles',
    name: '32 page request limit (doc sample)',
    status: 400,
    body: err({
      message: '(#32) Page request limit reached',
      type: 'OAuthException',
      code: 32,
      fbtrace_id: 'Fz54k3GZrio',
    }),
    expected: 'account_throttle',
  },
  {
    row: 'other scoped throttles',
    name: '80001 page (doc sample)',
    status: 400,
    body: err({
      message: `(#80001) There have been too many calls to this Page account. Wait a bit and try again. ${RATE_LIMIT_DOCS}`,
      type: 'OAuthException',
      code: 80001,
      fbtrace_id: 'AmFGcW_3hwDB7qFbl_QdebZ',
    }),
    expected: 'account_throttle',
  },
  ...[80002, 80005, 80006, 80008, 80009].map(
    (code): ReferenceErrorCase => ({
      row: 'other scoped throttles',
      name: `${code} object-scoped BUC`,
      status: 400,
      body: err({
        message: `(#${code}) There have been too many calls. Wait a bit and try again. ${RATE_LIMIT_DOCS}`,
        type: 'OAuthException',
        code,
        fbtrace_id: `E${code}`,
      }),
      expected: 'account_throttle',
    }),
  ),
  // App-wide throttle.
  {
    row: 'app-wide throttle',
    name: '4 application request limit (is_transient true, HTTP 403)',
    status: 403,
    body: err({
      message: '(#4) Application request limit reached',
      type: 'OAuthException',
      code: 4,
      is_transient: true,
      fbtrace_id: 'F1',
    }),
    expected: 'app_throttle',
  },
  {
    row: 'app-wide throttle',
    name: '4/1504022 insights platform load',
    status: 400,
    body: err({
      message: 'There have been too many calls from this app. Wait a bit and try again.',
      type: 'OAuthException',
      code: 4,
      error_subcode: 1504022,
      error_user_title: 'Too many API requests',
      is_transient: true,
      fbtrace_id: 'F2',
    }),
    expected: 'app_throttle',
  },
  {
    row: 'app-wide throttle',
    name: '4/1504039 insights platform load',
    status: 400,
    body: err({
      message: 'There have been too many calls from this app. Wait a bit and try again.',
      type: 'OAuthException',
      code: 4,
      error_subcode: 1504039,
      fbtrace_id: 'F3',
    }),
    expected: 'app_throttle',
  },
  {
    row: 'app-wide throttle',
    name: '341 application limit reached',
    status: 400,
    body: err({
      message: '(#341) Application limit reached',
      type: 'OAuthException',
      code: 341,
      fbtrace_id: 'F4',
    }),
    expected: 'app_throttle',
  },
  {
    row: 'app-wide throttle',
    name: '613/1996 inconsistent request volume',
    status: 400,
    body: err({
      message: '(#613) We have noticed inconsistent behavior in the API request volume of your app.',
      type: 'OAuthException',
      code: 613,
      error_subcode: 1996,
      fbtrace_id: 'F5',
    }),
    expected: 'app_throttle',
  },
  // Abuse prevention.
  {
    row: 'abuse prevention',
    name: '613 without subcode',
    status: 400,
    body: err({
      message: '(#613) Calls to this api have exceeded the rate limit.',
      type: 'OAuthException',
      code: 613,
      fbtrace_id: 'G1',
    }),
    expected: 'policy',
  },
  // Transient.
  {
    row: 'transient',
    name: '1 unknown error (HTTP 500)',
    status: 500,
    body: err({ message: 'An unknown error occurred', type: 'OAuthException', code: 1, fbtrace_id: 'H1' }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: '1/99 unknown error',
    status: 500,
    body: err({
      message: 'An unknown error occurred',
      type: 'OAuthException',
      code: 1,
      error_subcode: 99,
      fbtrace_id: 'H2',
    }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: '2 service temporarily unavailable',
    status: 500,
    body: err({
      message: 'An unexpected error has occurred. Please retry your request later.',
      type: 'OAuthException',
      code: 2,
      is_transient: true,
      fbtrace_id: 'H3',
    }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: '2/1504043 intermittent error',
    status: 500,
    body: err({
      message: 'Intermittent Error, retry later',
      type: 'OAuthException',
      code: 2,
      error_subcode: 1504043,
      fbtrace_id: 'H4',
    }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: '2/1504044 unknown error (sync)',
    status: 500,
    body: err({
      message: 'Unknown Error',
      type: 'OAuthException',
      code: 2,
      error_subcode: 1504044,
      fbtrace_id: 'H5',
    }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: 'is_transient:true on an otherwise unknown code',
    status: 400,
    body: err({
      message: 'Temporary issue',
      type: 'OAuthException',
      code: 12345,
      is_transient: true,
      fbtrace_id: 'H6',
    }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: 'HTTP 502 with an error envelope and unknown code',
    status: 502,
    body: err({ message: 'Bad gateway', type: 'Exception', code: 0 }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: 'HTTP 503',
    status: 503,
    body: err({ message: 'Service Unavailable', type: 'Exception', code: 0 }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: 'HTTP 504',
    status: 504,
    body: err({ message: 'Gateway Timeout', type: 'Exception', code: 0 }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: '960 batch timeout (HTTP 400)',
    status: 400,
    body: err({
      message:
        'Request aborted. This could happen if a dependent request failed or the entire request timed out.',
      type: 'OAuthException',
      code: 960,
      fbtrace_id: 'H7',
    }),
    expected: 'transient',
  },
  {
    row: 'transient',
    name: '"Cannot include … in summary param" (observed, HTTP 400)',
    status: 400,
    body: err({
      message:
        "Cannot include actions, action_values in summary param because they weren't there while creating the report run.",
      type: 'OAuthException',
      code: 100,
      fbtrace_id: 'H8',
    }),
    expected: 'transient',
  },
  {
    row: 'transient (async)',
    name: '-2/2490547 report failed, try again later',
    status: 400,
    body: err({
      message: 'Report Failed, try again later',
      type: 'OAuthException',
      code: -2,
      error_subcode: 2490547,
    }),
    expected: 'transient',
  },
  {
    row: 'transient (race)',
    name: '100/33 right after creating an insights job',
    status: 400,
    body: err({
      message:
        "Unsupported get request. Object with ID '6023920149050' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'H9',
    }),
    expected: 'transient',
    context: 'report_run',
  },
  // Data-size.
  {
    row: 'data-size',
    name: '"Please reduce the amount of data" plain (HTTP 500)',
    status: 500,
    body: err({
      code: 1,
      message: "Please reduce the amount of data you're asking for, then retry your request",
    }),
    expected: 'data_too_large',
  },
  {
    row: 'data-size',
    name: '"Please reduce the amount of data" wrapped in 1/99 user fields',
    status: 500,
    body: err({
      message: 'An unknown error occurred',
      code: 1,
      type: 'OAuthException',
      error_subcode: 99,
      error_user_title: 'Please reduce the amount of data',
      error_user_msg: "Please reduce the amount of data you're asking for, then retry your request",
    }),
    expected: 'data_too_large',
  },
  {
    row: 'data-size',
    name: '100/1487534 too many rows or data points',
    status: 400,
    body: err({
      message: 'Invalid parameter',
      type: 'OAuthException',
      code: 100,
      error_subcode: 1487534,
      fbtrace_id: 'I1',
    }),
    expected: 'data_too_large',
  },
  {
    row: 'data-size',
    name: '100/1504018 sync request timed out',
    status: 400,
    body: err({
      message: 'Request Timed Out',
      type: 'OAuthException',
      code: 100,
      error_subcode: 1504018,
      fbtrace_id: 'I2',
    }),
    expected: 'data_too_large',
  },
  {
    row: 'data-size',
    name: '2/1504038 sync request timed out',
    status: 500,
    body: err({
      message: 'Request Timed Out',
      type: 'OAuthException',
      code: 2,
      error_subcode: 1504038,
      fbtrace_id: 'I3',
    }),
    expected: 'data_too_large',
  },
  {
    row: 'data-size',
    name: '-3/1504045 report too large',
    status: 400,
    body: err({ message: 'Report Too Large', type: 'OAuthException', code: -3, error_subcode: 1504045 }),
    expected: 'data_too_large',
  },
  // Token-fatal.
  {
    row: 'token-fatal',
    name: '190/463 session expired (snarfed/bridgy#59)',
    status: 400,
    body: err({
      message:
        'Error validating access token: Session has expired on Monday, 01-Sep-25 10:00:00 PDT. The current time is Tuesday, 02-Sep-25 10:00:00 PDT.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
    }),
    expected: 'token_fatal',
  },
  {
    row: 'token-fatal',
    name: '190/460 password changed',
    status: 400,
    body: err({
      message:
        'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 460,
    }),
    expected: 'token_fatal',
  },
  {
    row: 'token-fatal',
    name: '190/467 invalid access token',
    status: 400,
    body: err({
      message: 'Error validating access token: Invalid access token',
      type: 'OAuthException',
      code: 190,
      error_subcode: 467,
    }),
    expected: 'token_fatal',
  },
  {
    row: 'token-fatal',
    name: '190 without subcode',
    status: 400,
    body: err({ message: 'Invalid OAuth 2.0 Access Token', type: 'OAuthException', code: 190 }),
    expected: 'token_fatal',
  },
  {
    row: 'token-fatal',
    name: '102 session key invalid',
    status: 400,
    body: err({ message: 'Session key invalid or no longer valid', type: 'OAuthException', code: 102 }),
    expected: 'token_fatal',
  },
  {
    row: 'token-fatal',
    name: '104 incorrect signature',
    status: 400,
    body: err({ message: 'Incorrect signature', type: 'OAuthException', code: 104 }),
    expected: 'token_fatal',
  },
  // Account-fatal.
  {
    row: 'account-fatal',
    name: '10 permission denied',
    status: 400,
    body: err({
      message: '(#10) Application does not have permission for this action',
      type: 'OAuthException',
      code: 10,
    }),
    expected: 'account_fatal',
  },
  {
    row: 'account-fatal',
    name: '200 permission error (1870034)',
    status: 400,
    body: err({
      message: '(#200) Ad account owner has NOT grant ads_management or ads_read permission',
      type: 'OAuthException',
      code: 200,
      error_subcode: 1870034,
    }),
    expected: 'account_fatal',
  },
  {
    row: 'account-fatal',
    name: '294 requires ads_management',
    status: 400,
    body: err({
      message: '(#294) Managing advertisements requires the extended permission ads_management',
      type: 'OAuthException',
      code: 294,
    }),
    expected: 'account_fatal',
  },
  {
    row: 'account-fatal',
    name: '100/33 on act_X (GraphMethodException, no role on the account)',
    status: 400,
    body: err({
      message:
        "Unsupported get request. Object with ID 'act_123' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'J1',
    }),
    expected: 'account_fatal',
  },
  {
    row: 'account-fatal',
    name: '100/3191001 insights permission error',
    status: 400,
    body: err({ message: 'Permission Error', type: 'OAuthException', code: 100, error_subcode: 3191001 }),
    expected: 'account_fatal',
  },
  // Request bug.
  {
    row: 'request bug',
    name: '100 invalid parameter',
    status: 400,
    body: err({ message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'K1' }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: '100/1487694 deprecated targeting',
    status: 400,
    body: err({ message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 1487694 }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: '2500 no active access token (missing token on /me)',
    status: 400,
    body: err({
      message: 'An active access token must be used to query information about the current user.',
      type: 'OAuthException',
      code: 2500,
    }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: '2500 field syntax error',
    status: 400,
    body: err({
      message: 'Syntax error "Expected end of string instead of "}"." at character 9: impression}',
      type: 'OAuthException',
      code: 2500,
    }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: '2/1504041 invalid breakdowns',
    status: 400,
    body: err({ message: 'Invalid Breakdowns', type: 'OAuthException', code: 2, error_subcode: 1504041 }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: '2/1504042 invalid custom metrics',
    status: 400,
    body: err({ message: 'Invalid Custom Metrics', type: 'OAuthException', code: 2, error_subcode: 1504042 }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: '2635 deprecated API version',
    status: 400,
    body: err({
      message:
        '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v26.0.',
      type: 'OAuthException',
      code: 2635,
    }),
    expected: 'request_bug',
  },
  {
    row: 'request bug',
    name: 'GraphBatchException batch too large (no code)',
    status: 400,
    body: err({
      type: 'GraphBatchException',
      message: 'Too many requests in batch message. Maximum batch size is 50',
    }),
    expected: 'request_bug',
  },
  // Policy.
  {
    row: 'policy',
    name: '368 temporarily blocked for policies violations',
    status: 400,
    body: err({
      message: 'The action attempted has been deemed abusive or is otherwise disallowed',
      type: 'OAuthException',
      code: 368,
    }),
    expected: 'policy',
  },
];

/**
 * Error bodies whose HTTP status or wrapper misleads (issue 12.9; the sandbox's `bareErrorRate` and
 * `errorIn200Rate` quirks): the error fields at the top level of an HTTP 403 with no `error` wrapper, and
 * error envelopes inside HTTP 200. The body's code decides the category wherever it stands; a code the
 * reference does not list is not retried blindly (`request_bug`) unless the answer is a 5xx.
 */
export interface MisleadingErrorCase {
  name: string;
  status: number;
  /** The raw JSON body: the error fields, at the top level or under `error`. */
  body: Record<string, unknown>;
  /** The error fields of the body, wherever they stand. */
  fields: Record<string, unknown>;
  expected: MetaErrorCategory;
}

function bare(fields: Record<string, unknown>): {
  body: Record<string, unknown>;
  fields: Record<string, unknown>;
} {
  return { body: fields, fields };
}

function wrapped(fields: Record<string, unknown>): {
  body: Record<string, unknown>;
  fields: Record<string, unknown>;
} {
  return { body: { error: fields }, fields };
}

export const MISLEADING_ERROR_CASES: readonly MisleadingErrorCase[] = [
  {
    name: 'HTTP 403, no wrapper: 80004 BUC throttle at the top level',
    status: 403,
    ...bare({
      code: 80004,
      error_subcode: 2446079,
      message: `(#80004) There have been too many calls to this ad-account. Wait a bit and try again. ${RATE_LIMIT_DOCS}`,
      type: 'OAuthException',
      fbtrace_id: 'QuirkBare1',
    }),
    expected: 'account_throttle',
  },
  {
    name: 'HTTP 403, no wrapper: 190/460 token invalidated',
    status: 403,
    ...bare({
      code: 190,
      error_subcode: 460,
      message:
        'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      type: 'OAuthException',
      fbtrace_id: 'QuirkBare2',
    }),
    expected: 'token_fatal',
  },
  {
    name: 'HTTP 403, no wrapper: 100/33 no role on the account',
    status: 403,
    ...bare({
      code: 100,
      error_subcode: 33,
      message: "Unsupported get request. Object with ID 'act_123' does not exist.",
      type: 'GraphMethodException',
      fbtrace_id: 'QuirkBare3',
    }),
    expected: 'account_fatal',
  },
  {
    name: 'HTTP 403, no wrapper: code as a numeric string',
    status: 403,
    ...bare({ code: '4', message: '(#4) Application request limit reached', is_transient: true }),
    expected: 'app_throttle',
  },
  {
    name: 'HTTP 200 with an error envelope: a code the reference does not list (999)',
    status: 200,
    ...wrapped({
      message: '(#999) An unexpected error occurred.',
      type: 'OAuthException',
      code: 999,
      fbtrace_id: 'Q200a',
    }),
    expected: 'request_bug',
  },
  {
    name: 'HTTP 200 with an error envelope: 80000 BUC throttle',
    status: 200,
    ...wrapped({
      message: '(#80000) throttled',
      type: 'OAuthException',
      code: 80000,
      error_subcode: 2446079,
    }),
    expected: 'account_throttle',
  },
  {
    name: 'HTTP 200 with an error envelope: 2 service (transient by code)',
    status: 200,
    ...wrapped({ message: 'An unexpected error has occurred. Please retry your request later.', code: 2 }),
    expected: 'transient',
  },
  {
    name: 'HTTP 200 with an error envelope: 190/463 expired token',
    status: 200,
    ...wrapped({
      message: 'Error validating access token: Session has expired',
      code: 190,
      error_subcode: 463,
    }),
    expected: 'token_fatal',
  },
];

/** Usage headers an account throttled for 19 minutes sends on its error responses (§1.5). */
export function throttledUsageHeaders(accountId: string, regainMinutes = 19): Record<string, string> {
  return {
    'X-Business-Use-Case-Usage': JSON.stringify({
      [accountId]: [
        {
          type: 'ads_insights',
          call_count: 100,
          total_cputime: 25,
          total_time: 25,
          estimated_time_to_regain_access: regainMinutes,
          ads_api_access_tier: 'standard_access',
        },
      ],
    }),
    'X-Ad-Account-Usage': JSON.stringify({
      acc_id_util_pct: 100,
      reset_time_duration: 100,
      ads_api_access_tier: 'standard_access',
    }),
    'X-FB-Ads-Insights-Throttle': JSON.stringify({
      app_id_util_pct: 10,
      acc_id_util_pct: 100,
      ads_api_access_tier: 'standard_access',
    }),
  };
}
