import { describe, expect, it } from 'vitest';
import { InvalidAdAccountIdError, isInvalidAdAccountIdError } from './invalid-ad-account-id-error.ts';
import { isMetaApiError, MetaApiError } from './meta-api-error.ts';
import type { MetaError } from './meta-error.ts';
import { isMetaError, META_ERROR_NAMES, metaErrorCategory } from './meta-error.ts';
import { isMetaInvalidRequestError, MetaInvalidRequestError } from './meta-invalid-request-error.ts';
import { isMetaMalformedResponseError, MetaMalformedResponseError } from './meta-malformed-response-error.ts';
import { isMetaNetworkError, MetaNetworkError } from './meta-network-error.ts';
import { isMetaPagingError, MetaPagingError } from './meta-paging-error.ts';
import { isMetaReportRunError, MetaReportRunError } from './meta-report-run-error.ts';
import { isMetaTimeoutError, MetaTimeoutError } from './meta-timeout-error.ts';

const call = { method: 'GET', path: '/v26.0/act_1/insights' };

// One row per family: instance, literal name, category, guard, expected message.
const ROWS: Array<[string, MetaError, string, (e: unknown) => boolean, string]> = [
  [
    'MetaApiError',
    new MetaApiError({
      ...call,
      category: 'account_throttle',
      status: 400,
      code: 80004,
      subcode: 2446079,
      metaMessage: '(#80004) Too many calls',
    }),
    'account_throttle',
    isMetaApiError,
    'Meta API error 400 (#80004/2446079, account_throttle) on GET /v26.0/act_1/insights: (#80004) Too many calls',
  ],
  [
    'MetaNetworkError',
    new MetaNetworkError({ ...call, errorCode: 'ECONNRESET' }),
    'transient',
    isMetaNetworkError,
    'Network error (ECONNRESET) on GET /v26.0/act_1/insights',
  ],
  [
    'MetaTimeoutError',
    new MetaTimeoutError({ ...call, phase: 'headers', timeoutMs: 500 }),
    'transient',
    isMetaTimeoutError,
    'Timeout (headers) after 500 ms on GET /v26.0/act_1/insights',
  ],
  [
    'MetaMalformedResponseError',
    new MetaMalformedResponseError({ ...call, reason: 'html', status: 502 }),
    'transient',
    isMetaMalformedResponseError,
    'Malformed response, html (HTTP 502) on GET /v26.0/act_1/insights',
  ],
  [
    'MetaReportRunError',
    new MetaReportRunError({
      category: 'data_too_large',
      failure: 'job_failed',
      reportRunId: '77',
      asyncStatus: 'Job Failed',
      code: -3,
      subcode: 1504045,
      metaMessage: 'Report Too Large',
    }),
    'data_too_large',
    isMetaReportRunError,
    'Report run 77 "Job Failed" #-3/1504045 (data_too_large): Report Too Large',
  ],
  [
    'MetaPagingError',
    new MetaPagingError({ ...call, reason: 'max_pages', pages: 10 }),
    'request_bug',
    isMetaPagingError,
    'Paging stopped: more than 10 pages on GET /v26.0/act_1/insights',
  ],
  [
    'InvalidAdAccountIdError',
    new InvalidAdAccountIdError('act_x'),
    'request_bug',
    isInvalidAdAccountIdError,
    'Invalid ad account id "act_x": expected "act_<digits>" or "<digits>"',
  ],
  [
    'MetaInvalidRequestError',
    new MetaInvalidRequestError('A batch needs 1 to 50 requests, got 51', { field: 'batch' }),
    'request_bug',
    isMetaInvalidRequestError,
    'A batch needs 1 to 50 requests, got 51',
  ],
];

describe('error families', () => {
  it.each(ROWS)('%s: name, category, message, guards', (name, error, category, guard, message) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
    expect(error.category).toBe(category);
    expect(error.message).toBe(message);
    expect(error.stack?.startsWith(`${name}: `)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(isMetaError(error)).toBe(true);
    expect(metaErrorCategory(error)).toBe(category);
    expect(META_ERROR_NAMES.has(name)).toBe(true);
    expect(error.usage).toEqual({ businessUseCase: [] });
  });

  it.each(ROWS)(
    '%s: guards match on name for a copy from another module instance',
    (name, error, _category, guard) => {
      const clone = { ...JSON.parse(JSON.stringify(error)), name };
      expect(guard(clone)).toBe(true);
      expect(isMetaError(clone)).toBe(true);
      expect(guard({ name: 'SomethingElse' })).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard(new Error('x'))).toBe(false);
    },
  );

  it('JSON.stringify gives a plain, complete, log-safe object', () => {
    const cause = new Error('socket hang up');
    const error = new MetaNetworkError({ ...call, errorCode: 'ECONNRESET', cause });
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toMatchObject({
      name: 'MetaNetworkError',
      category: 'transient',
      method: 'GET',
      path: '/v26.0/act_1/insights',
      errorCode: 'ECONNRESET',
      cause: { name: 'Error', message: 'socket hang up' },
    });
    expect(error.cause).toBe(cause);
  });

  it('guards do not confuse families', () => {
    const api = ROWS[0]?.[1];
    expect(isMetaNetworkError(api)).toBe(false);
    expect(isMetaTimeoutError(api)).toBe(false);
    expect(isMetaError(new Error('plain'))).toBe(false);
    expect(metaErrorCategory('nope')).toBeUndefined();
  });
});
