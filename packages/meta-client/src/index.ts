/**
 * @module @meta-engine/meta-client
 * A Graph (Marketing) API client that never hides an error: every call returns data or throws a
 * typed `MetaError`, and every response reports the usage headers. Knows HTTP and Meta; nothing
 * of queues, limiters or tables.
 */

export type { HttpMethod, Params, ParamValue } from './build-request.ts';
export {
  adAccountIdFromPath,
  appsecretProof,
  buildRequest,
  DEFAULT_API_VERSION,
  DEFAULT_BASE_URL,
  encodeParam,
  pathFromNextUrl,
} from './build-request.ts';
export type { ClassifyInput } from './classify-meta-error.ts';
export { classifyMetaError, isReduceDataError } from './classify-meta-error.ts';
export type {
  InsightsCallOptions,
  InsightsResult,
  MetaClient,
  MetaListResult,
  MetaResult,
  PaginateCallOptions,
  RequestOptions,
} from './client.ts';
export {
  AD_ACCOUNT_LIST_FIELDS,
  createMetaClient,
  DEFAULT_AD_ACCOUNT_FIELDS,
  DEFAULT_CAMPAIGN_FIELDS,
} from './client.ts';
export * from './errors/index.ts';
export { earliestInsightsDate, INSIGHTS_HISTORY_MONTHS } from './insights-history.ts';
export type {
  InsightsFilter,
  InsightsLevel,
  InsightsParams,
  TimeIncrement,
  TimeRange,
} from './insights-params.ts';
export { DEFAULT_INSIGHTS_LIMIT, insightsParamsSchema, validateInsightsParams } from './insights-params.ts';
export type { AdAccount, Campaign, DebugTokenData, InsightsRow } from './meta-schemas.ts';
export { metricNumber } from './metric-number.ts';
export type { CollectedPages, GraphPage, GraphPaging, PageFetcher, PaginateOptions } from './paging.ts';
export { collectPages, DEFAULT_MAX_PAGES, paginate } from './paging.ts';
export { parseAdAccountId, toActId } from './parse-ad-account-id.ts';
export type { ParsedAction, ParsedInsightRow, ParseInsightNumbersOptions } from './parse-insight-numbers.ts';
export { actionValue, INSIGHT_NUMERIC_FIELDS, parseInsightNumbers } from './parse-insight-numbers.ts';
export type { ParsedResponse, ResponseInput } from './parse-response.ts';
export { parseGraphResponse } from './parse-response.ts';
export type {
  AccessTier,
  AdAccountUsage,
  AppUsage,
  BucEntry,
  HeaderInput,
  InsightsThrottleUsage,
  UsageSnapshot,
} from './parse-usage-headers.ts';
export {
  emptyUsage,
  getHeader,
  isEmptyUsage,
  parseUsageHeaders,
  USAGE_HEADER_NAMES,
} from './parse-usage-headers.ts';
export type { PartResult, ReadWithSplittingOptions, SplitReadResult } from './read-with-splitting.ts';
export { DEFAULT_MIN_LIMIT, readWithSplitting } from './read-with-splitting.ts';
export type { ReportRun, ReportRunCheck } from './report-run.ts';
export { interpretReportRun, REPORT_RUN_STATUS } from './report-run.ts';
export type { NextDelayInput, RetryPolicy } from './retry-policy.ts';
export { DEFAULT_RETRY_POLICY, nextDelay } from './retry-policy.ts';
export type { RetryTimingInput } from './retry-timing.ts';
export { SCORE_BLOCK_MS, suggestRetryAfterMs } from './retry-timing.ts';
export { pathOnly, REDACTED, scrubText, scrubUrl } from './scrub.ts';
export { halveLimit, splitInsightsParams, splitTimeRange } from './split-insights-params.ts';
export { shortFingerprint, tokenFingerprint } from './token-fingerprint.ts';
export type {
  AccessTokenInput,
  MetaClientOptions,
  MetaClientTimeouts,
  MetaRequestEvent,
  MetaResponseEvent,
} from './transport.ts';
export { DEFAULT_CONNECTIONS, DEFAULT_TIMEOUTS } from './transport.ts';
