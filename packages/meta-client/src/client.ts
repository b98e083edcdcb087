/**
 * The Graph API endpoints: what each call asks for and how its answer is read. Sending, retries, timeouts
 * and the `beforeRequest` / `onResponse` hooks are the transport's (transport.ts).
 *
 * @example
 * const meta = createMetaClient({ accessToken: process.env.META_TOKEN!, appSecret: process.env.META_APP_SECRET });
 * const { data: account } = await meta.getAdAccount('act_123');
 * await meta.close();
 */
import { z } from 'zod';
import type { HttpMethod, Params } from './build-request.ts';
import { pathFromNextUrl, versionedPath } from './build-request.ts';
import type { ClassifyInput } from './classify-meta-error.ts';
import { MetaApiError } from './errors/meta-api-error.ts';
import { MetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import type { InsightsParams } from './insights-params.ts';
import { DEFAULT_INSIGHTS_LIMIT, validateInsightsParams } from './insights-params.ts';
import type { AdAccount, Campaign, DebugTokenData, InsightsRow } from './meta-schemas.ts';
import {
  adAccountSchema,
  campaignSchema,
  debugTokenSchema,
  insightsRowSchema,
  pageSchema,
  reportRunCreatedSchema,
} from './meta-schemas.ts';
import type { GraphPage } from './paging.ts';
import { collectPages, paginate } from './paging.ts';
import { parseAdAccountId, toActId } from './parse-ad-account-id.ts';
import type { UsageSnapshot } from './parse-usage-headers.ts';
import type { ReadWithSplittingOptions } from './read-with-splitting.ts';
import { readWithSplitting } from './read-with-splitting.ts';
import type { ReportRun, ReportRunCheck } from './report-run.ts';
import { interpretReportRun, reportRunSchema } from './report-run.ts';
import { scrubText } from './scrub.ts';
import { createTransport, type MetaClientOptions } from './transport.ts';

export interface MetaResult<T> {
  data: T;
  /** Usage snapshot of the (last) response. */
  usage: UsageSnapshot;
}

export interface MetaListResult<T> extends MetaResult<T[]> {
  pages: number;
}

export interface InsightsResult extends MetaListResult<InsightsRow> {
  /** Date-range parts the read was split into after "data too large" errors (1 = no split). */
  parts: number;
}

export interface RequestOptions<T> {
  method: HttpMethod;
  /** Graph path without version (`act_1/campaigns`), optionally with a query. */
  path: string;
  params?: Params;
  /** Validates the JSON body; a mismatch throws `MetaMalformedResponseError`. */
  schema?: z.ZodType<T>;
  adAccountId?: string;
  context?: ClassifyInput['context'];
}

export interface PaginateCallOptions<T> {
  params?: Params;
  itemSchema?: z.ZodType<T>;
  adAccountId?: string;
  context?: ClassifyInput['context'];
  maxPages?: number;
}

export interface InsightsCallOptions extends ReadWithSplittingOptions {
  /** Split the date range on "data too large" errors (default true). */
  split?: boolean;
}

export interface MetaClient {
  readonly baseUrl: string;
  readonly apiVersion: string;
  /** Escape hatch: one call, any path; data validated by `schema` when given. */
  request<T = unknown>(options: RequestOptions<T>): Promise<MetaResult<T>>;
  /** Escape hatch: pages of any edge (GET), following `paging.next`. */
  paginate<T = unknown>(path: string, options?: PaginateCallOptions<T>): AsyncIterable<GraphPage<T>>;
  getAdAccount(id: string, fields?: readonly string[]): Promise<MetaResult<AdAccount>>;
  /** `debug_token` for the client's own token; `is_valid: false` throws a `token_fatal` error unless `allowInvalid`. */
  debugToken(options?: { allowInvalid?: boolean }): Promise<MetaResult<DebugTokenData>>;
  listCampaigns(
    id: string,
    options?: { fields?: readonly string[]; effectiveStatus?: readonly string[]; limit?: number },
  ): Promise<MetaListResult<Campaign>>;
  /** Sync insights of an ad account: every page, split by date range on "data too large". */
  getInsights(id: string, params: InsightsParams, options?: InsightsCallOptions): Promise<InsightsResult>;
  createReportRun(id: string, params: InsightsParams): Promise<MetaResult<{ reportRunId: string }>>;
  getReportRun(reportRunId: string, options?: { adAccountId?: string }): Promise<MetaResult<ReportRun>>;
  /** One poll: `done` when `Job Completed` at 100 %; `Job Failed` / `Job Skipped` throw `MetaReportRunError`. */
  checkReportRun(reportRunId: string, options?: { adAccountId?: string }): Promise<ReportRunCheck>;
  getReportRunInsights(
    reportRunId: string,
    options?: { limit?: number; adAccountId?: string },
  ): Promise<MetaListResult<InsightsRow>>;
  /** Closes the keep-alive pool (idempotent). Calls made after `close()` fail with `MetaNetworkError`. */
  close(): Promise<void>;
}

/** Who an ad account is and whether it can be used (what validation reads). */
export const AD_ACCOUNT_LIST_FIELDS = [
  'id',
  'account_id',
  'name',
  'account_status',
  'disable_reason',
  'currency',
  'timezone_name',
] as const;

/** Fields of `act_<id>` by default: the list fields plus money and the UTC offset. */
export const DEFAULT_AD_ACCOUNT_FIELDS = [
  ...AD_ACCOUNT_LIST_FIELDS,
  'timezone_offset_hours_utc',
  'amount_spent',
  'spend_cap',
] as const;

export const DEFAULT_CAMPAIGN_FIELDS = [
  'id',
  'name',
  'status',
  'effective_status',
  'objective',
  'created_time',
  'updated_time',
  'start_time',
  'stop_time',
  'daily_budget',
] as const;
const REPORT_RUN_ID = /^\d{1,30}$/;

export function createMetaClient(options: MetaClientOptions): MetaClient {
  const transport = createTransport(options);
  const { baseUrl, apiVersion, call } = transport;

  function pages<T>(path: string, opts: PaginateCallOptions<T> & { method?: HttpMethod } = {}) {
    const schema = pageSchema(opts.itemSchema ?? (z.unknown() as z.ZodType<T>));
    const firstPath = pathFromNextUrl(versionedPath(apiVersion, path));
    const safePath = firstPath.split('?', 1)[0];
    return paginate<T>(
      async (next) => {
        const result = await call({
          method: 'GET',
          path: next === undefined ? firstPath : pathFromNextUrl(next),
          params: next === undefined ? opts.params : undefined,
          schema,
          adAccountId: opts.adAccountId,
          context: opts.context,
        });
        const page = result.data as { data: T[]; paging?: GraphPage<T>['paging']; summary?: unknown };
        return { data: page.data, paging: page.paging, summary: page.summary, usage: result.usage };
      },
      { maxPages: opts.maxPages, method: 'GET', path: safePath, adAccountId: opts.adAccountId },
    );
  }

  async function list<T>(path: string, opts: PaginateCallOptions<T>): Promise<MetaListResult<T>> {
    const collected = await collectPages(pages(path, opts));
    return { data: collected.data, usage: collected.usage, pages: collected.pages };
  }

  function reportRunPath(reportRunId: string): string {
    const id = String(reportRunId).trim();
    if (!REPORT_RUN_ID.test(id)) {
      throw new MetaInvalidRequestError('Invalid report run id: expected digits', { field: 'reportRunId' });
    }
    return id;
  }

  const client: MetaClient = {
    baseUrl,
    apiVersion,

    async request<T = unknown>(opts: RequestOptions<T>): Promise<MetaResult<T>> {
      const result = await call<T>(opts);
      return { data: result.data, usage: result.usage };
    },

    paginate<T = unknown>(path: string, opts: PaginateCallOptions<T> = {}): AsyncIterable<GraphPage<T>> {
      return pages(path, opts);
    },

    async getAdAccount(id, fields = DEFAULT_AD_ACCOUNT_FIELDS) {
      const adAccountId = parseAdAccountId(id);
      const result = await call({
        method: 'GET',
        path: toActId(adAccountId),
        params: { fields },
        schema: adAccountSchema,
        adAccountId,
      });
      return { data: result.data, usage: result.usage };
    },

    async debugToken(opts = {}) {
      const result = await call({
        method: 'GET',
        path: 'debug_token',
        tokenParam: 'input_token',
        allowSecretParams: ['input_token'],
        schema: debugTokenSchema,
        check: (data, ctx) =>
          opts.allowInvalid || data.data.is_valid ? undefined : invalidTokenError(data.data, ctx),
      });
      return { data: result.data.data, usage: result.usage };
    },

    async listCampaigns(id, opts = {}) {
      const adAccountId = parseAdAccountId(id);
      return list(`${toActId(adAccountId)}/campaigns`, {
        params: {
          fields: opts.fields ?? DEFAULT_CAMPAIGN_FIELDS,
          effective_status: opts.effectiveStatus,
          limit: opts.limit ?? 100,
        },
        itemSchema: campaignSchema,
        adAccountId,
      });
    },

    async getInsights(id, params, opts = {}) {
      const adAccountId = parseAdAccountId(id);
      const path = `${toActId(adAccountId)}/insights`;
      validateInsightsParams(params, path);
      const read = (p: InsightsParams) =>
        list(path, { params: { ...p }, itemSchema: insightsRowSchema, adAccountId });
      const first = { ...params, limit: params.limit ?? DEFAULT_INSIGHTS_LIMIT };
      if (opts.split === false) return { ...(await read(first)), parts: 1 };
      return readWithSplitting(first, read, opts);
    },

    async createReportRun(id, params) {
      const adAccountId = parseAdAccountId(id);
      const path = `${toActId(adAccountId)}/insights`;
      validateInsightsParams(params, path);
      const result = await call({
        method: 'POST',
        path,
        params: { ...params },
        schema: reportRunCreatedSchema,
        adAccountId,
      });
      return { data: { reportRunId: result.data.report_run_id }, usage: result.usage };
    },

    async getReportRun(reportRunId, opts = {}) {
      const result = await call({
        method: 'GET',
        path: reportRunPath(reportRunId),
        schema: reportRunSchema,
        adAccountId: opts.adAccountId,
        context: 'report_run',
      });
      return { data: result.data, usage: result.usage };
    },

    async checkReportRun(reportRunId, opts = {}) {
      const id = reportRunPath(reportRunId);
      const { data, usage } = await client.getReportRun(id, opts);
      return interpretReportRun(data, {
        reportRunId: id,
        usage,
        method: 'GET',
        path: versionedPath(apiVersion, id),
        adAccountId: opts.adAccountId,
        secrets: transport.secrets(),
      });
    },

    async getReportRunInsights(reportRunId, opts = {}) {
      const id = reportRunPath(reportRunId);
      return list(`${id}/insights`, {
        params: { limit: opts.limit ?? DEFAULT_INSIGHTS_LIMIT },
        itemSchema: insightsRowSchema,
        adAccountId: opts.adAccountId,
        context: 'report_run',
      });
    },

    close: () => transport.close(),
  };
  return client;

  function invalidTokenError(
    data: DebugTokenData,
    ctx: { path: string; status: number; usage: UsageSnapshot },
  ): MetaApiError {
    const message = scrubText(
      data.error?.message ?? 'debug_token reports is_valid: false',
      transport.secrets(),
    );
    return new MetaApiError({
      category: 'token_fatal',
      status: ctx.status,
      code: data.error?.code ?? 190,
      subcode: data.error?.subcode,
      metaMessage: message,
      method: 'GET',
      path: ctx.path,
      usage: ctx.usage,
    });
  }
}
