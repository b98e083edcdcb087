/**
 * @module @meta-engine/meta-client
 * A Graph (Marketing) API client that never hides an error: every call returns data or throws a
 * typed `MetaError`, and every response reports the usage headers. Knows HTTP and Meta; nothing
 * of queues, limiters or tables.
 */

export { daysInMonth } from './calendar.ts';
export { classifyMetaError } from './classify-meta-error.ts';
export type {
  InsightsCallOptions,
  InsightsResult,
  MetaClient,
  MetaListResult,
  MetaResult,
  PaginateCallOptions,
  RequestOptions,
} from './client.ts';
export { AD_ACCOUNT_LIST_FIELDS, createMetaClient } from './client.ts';
export * from './errors/index.ts';
export { earliestInsightsDate } from './insights-history.ts';
export type { InsightsParams } from './insights-params.ts';
export type { AdAccount, Campaign, DebugTokenData, InsightsRow } from './meta-schemas.ts';
export { metricNumber } from './metric-number.ts';
export type { GraphPage } from './paging.ts';
export { collectPages } from './paging.ts';
export { parseAdAccountId, toActId } from './parse-ad-account-id.ts';

export type { UsageSnapshot } from './parse-usage-headers.ts';
export { parseUsageHeaders } from './parse-usage-headers.ts';

export type { ReportRun, ReportRunCheck } from './report-run.ts';

export type { RetryPolicy } from './retry-policy.ts';
export { DEFAULT_RETRY_POLICY } from './retry-policy.ts';

export { scrubText, scrubUrl } from './scrub.ts';

export { shortFingerprint, tokenFingerprint } from './token-fingerprint.ts';
export type {
  AccessTokenInput,
  MetaClientOptions,
  MetaClientTimeouts,
  MetaRequestEvent,
  MetaResponseEvent,
} from './transport.ts';
export { DEFAULT_CONNECTIONS, DEFAULT_TIMEOUTS } from './transport.ts';
