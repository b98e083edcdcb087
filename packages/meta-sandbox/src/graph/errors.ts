/**
 * @module
 * Every error the sandbox sends, with the codes, subcodes, messages and HTTP statuses of the
 * reference (`meta-graph-api.md` §1.6, §1.7, §2, §3, §5). One function per error; the body
 * envelope is `{"error":{...}}` and `fbtrace_id` is added when the response is written.
 */

export interface GraphErrorBody {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
}

export type ErrorCategory = 'throttle' | 'error';

export interface GraphError {
  kind: 'error';
  status: number;
  error: GraphErrorBody;
  category: ErrorCategory;
  /** false for bodies Meta sends without fbtrace_id (the plain "reduce the amount of data" form). */
  withTrace: boolean;
}

function make(
  status: number,
  error: GraphErrorBody,
  category: ErrorCategory = 'error',
  withTrace = true,
): GraphError {
  return { kind: 'error', status, error, category, withTrace };
}

const RATE_LIMIT_DOC =
  'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.';

/** No token at all: 2500, HTTP 400. */
export function missingTokenError(): GraphError {
  return make(400, {
    message: 'An active access token must be used to query information about the current user.',
    type: 'OAuthException',
    code: 2500,
  });
}

/** A token the sandbox does not know: 190 without subcode. */
export function invalidTokenError(): GraphError {
  return make(400, {
    message: 'Invalid OAuth access token - Cannot parse access token',
    type: 'OAuthException',
    code: 190,
  });
}

/** 190/463 (observed shape, reference §2). `expired` and `now` are formatted in Pacific time. */
export function expiredTokenError(expiredAt: string, now: string): GraphError {
  return make(400, {
    message: `Error validating access token: Session has expired on ${expiredAt}. The current time is ${now}.`,
    type: 'OAuthException',
    code: 190,
    error_subcode: 463,
  });
}

/** 190/460 (reference §2, verbatim) or 190/467 (invalid session, user logged out). */
export function revokedTokenError(subcode: 460 | 467): GraphError {
  const message =
    subcode === 460
      ? 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.'
      : 'Error validating access token: The session is invalid because the user logged out.';
  return make(400, { message, type: 'OAuthException', code: 190, error_subcode: subcode });
}

/** 100/33, GraphMethodException: unknown object, no permission, or unsupported operation. */
export function unsupportedRequestError(method: string, id: string): GraphError {
  return make(400, {
    message:
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to ` +
      'missing permissions, or does not support this operation. Please read the Graph API documentation at ' +
      'https://developers.facebook.com/docs/graph-api',
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

/** 2500 "Unknown path components". */
export function unknownPathError(components: string): GraphError {
  return make(400, { message: `Unknown path components: ${components}`, type: 'OAuthException', code: 2500 });
}

/** 100 invalid parameter; `detail` follows the `(#100) ` prefix. */
export function invalidParameterError(detail: string, subcode?: number): GraphError {
  const error: GraphErrorBody = { message: `(#100) ${detail}`, type: 'OAuthException', code: 100 };
  if (subcode !== undefined) error.error_subcode = subcode;
  return make(400, error);
}

/** A field that does not exist on a node type. */
export function nonexistingFieldError(field: string, nodeType: string): GraphError {
  return invalidParameterError(`Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
}

/** Insights ranges that start more than 37 months ago (code 100 assumed, reference §9). */
export function rangeTooOldError(): GraphError {
  return invalidParameterError(
    'The start date of the time range cannot be beyond 37 months from the current date',
  );
}

/** 80000 (ads_insights) / 80004 (ads_management) + 2446079, HTTP 400 (reference §1.6). */
export function bucThrottleError(buc: 'ads_insights' | 'ads_management'): GraphError {
  const code = buc === 'ads_insights' ? 80000 : 80004;
  const text =
    buc === 'ads_insights'
      ? 'There have been too many calls from this ad-account. Wait a bit and try again.'
      : 'There have been too many calls to this ad-account. Wait a bit and try again.';
  return make(
    400,
    { message: `(#${code}) ${text} ${RATE_LIMIT_DOC}`, type: 'OAuthException', code, error_subcode: 2446079 },
    'throttle',
  );
}

/** Ad-account score limit: 17/2446079 or 613/1487742 (reference §1.3). */
export function scoreThrottleError(form: '17' | '613'): GraphError {
  if (form === '613') {
    return make(
      400,
      {
        message:
          '(#613) There have been too many calls from this ad-account. Please wait a bit and try again.',
        type: 'OAuthException',
        code: 613,
        error_subcode: 1487742,
        is_transient: false,
      },
      'throttle',
    );
  }
  return make(
    400,
    {
      message: '(#17) User request limit reached',
      type: 'OAuthException',
      code: 17,
      error_subcode: 2446079,
      is_transient: false,
      error_user_title: 'Ad Account Has Too Many API Calls',
    },
    'throttle',
  );
}

/** App-level Ads Insights load: 4/1504022 or 4/1504039 (HTTP 400), or plain 4 (HTTP 403, transient). */
export function appInsightsThrottleError(form: '1504022' | '1504039' | 'plain'): GraphError {
  if (form === 'plain') {
    return make(
      403,
      {
        message: '(#4) Application request limit reached',
        type: 'OAuthException',
        code: 4,
        is_transient: true,
      },
      'throttle',
    );
  }
  return make(
    400,
    {
      message: 'There have been too many calls from this app. Wait a bit and try again.',
      type: 'OAuthException',
      code: 4,
      error_subcode: Number(form),
      is_transient: true,
      error_user_title: 'Too many API requests',
    },
    'throttle',
  );
}

/**
 * The app-wide budget is used up (reference §1.4, §2.1 "App-wide throttle"): ads_insights calls
 * get 4/1504022 (HTTP 400), every other call the plain `(#4) Application request limit reached`
 * with `is_transient: true` (HTTP 403 as observed, or 400).
 */
export function appBudgetError(insights: boolean, plainStatus: 400 | 403): GraphError {
  if (insights) return appInsightsThrottleError('1504022');
  const error = appInsightsThrottleError('plain');
  return { ...error, status: plainStatus };
}

/** The `errorIn200Rate` quirk: an error body sent with HTTP 200. */
export function errorIn200(spec: {
  code: number;
  error_subcode?: number | undefined;
  message?: string | undefined;
  type?: string | undefined;
}): GraphError {
  const error: GraphErrorBody = {
    message: spec.message ?? `(#${spec.code}) An unexpected error occurred.`,
    type: spec.type ?? 'OAuthException',
    code: spec.code,
  };
  if (spec.error_subcode !== undefined) error.error_subcode = spec.error_subcode;
  return make(200, error);
}

const V27_APPS = 'apps created on or after November 4, 2026 (Marketing API v27.0)';

/** Marketing API v27: features new apps may not use (reference §6, update 2026-12). Code 100. */
export function v27RestrictionError(feature: 'ids' | 'alias' | 'async_batch'): GraphError {
  const detail =
    feature === 'ids'
      ? `Multi-ID requests (the ids parameter) are not available to ${V27_APPS}. Request each ID separately`
      : feature === 'alias'
        ? `Field aliases (field.as(alias)) are not available to ${V27_APPS}. Request the fields by their names`
        : `Async batch requests are not available to ${V27_APPS}. Send the requests one by one or in a batch`;
  return invalidParameterError(detail);
}

/** `?ids=` naming an object that does not exist (Graph's multi-ID error). */
export function unknownAliasesError(ids: readonly string[]): GraphError {
  return make(400, {
    message: `(#803) Some of the aliases you requested do not exist: ${ids.join(',')}`,
    type: 'OAuthException',
    code: 803,
  });
}

/** Injected server errors: 500 -> code 1, 503 -> code 2 (transient). */
export function serverError(status: 500 | 503): GraphError {
  if (status === 503) {
    return make(503, {
      message: 'An unexpected error has occurred. Please retry your request later.',
      type: 'OAuthException',
      code: 2,
      is_transient: true,
    });
  }
  return make(500, {
    message: 'An unknown error occurred',
    type: 'OAuthException',
    code: 1,
    is_transient: false,
  });
}

export const REDUCE_DATA_MESSAGE =
  "Please reduce the amount of data you're asking for, then retry your request";

/** "Please reduce the amount of data ...", HTTP 500: plain `{code:1,message}` or wrapped code 1 / subcode 99. */
export function reduceDataError(form: 'plain' | 'wrapped'): GraphError {
  if (form === 'plain') return make(500, { code: 1, message: REDUCE_DATA_MESSAGE }, 'error', false);
  return make(500, {
    message: 'An unknown error occurred',
    code: 1,
    type: 'OAuthException',
    error_subcode: 99,
    error_user_title: 'Please reduce the amount of data',
    error_user_msg: REDUCE_DATA_MESSAGE,
  });
}

/** More than 50 requests in a batch (observed message, reference §2; the code is assumed). */
export function batchTooLargeError(): GraphError {
  return make(400, {
    message: 'Too many requests in batch message. Maximum batch size is 50',
    type: 'GraphBatchException',
    code: 100,
  });
}

/** Reading the results of a report run that has not completed (sandbox wording). */
export function reportNotReadyError(status: string): GraphError {
  return invalidParameterError(
    `The report run is not complete (async_status: ${status}). Poll it until async_status is 'Job Completed'`,
  );
}

/** The error fields (v25+) of a report run that ended `Job Failed`. */
export interface ReportFailure {
  error_code: number;
  error_subcode: number;
  error_message: string;
  error_user_title: string;
  error_user_msg: string;
}

export function reportFailure(kind: 'too_large' | 'try_again'): ReportFailure {
  if (kind === 'try_again') {
    return {
      error_code: -2,
      error_subcode: 2490547,
      error_message: 'Report Failed, try again later',
      error_user_title: 'Report Failed',
      error_user_msg: 'Report Failed, try again later',
    };
  }
  return {
    error_code: -3,
    error_subcode: 1504045,
    error_message: 'Report Too Large',
    error_user_title: 'Report Too Large',
    error_user_msg: 'The report is too large. Try a smaller date range, fewer breakdowns or a lower level.',
  };
}
