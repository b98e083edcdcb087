/**
 * The Graph API client: sends with undici (keep-alive pool, bounded connections, connect /
 * headers / body / total timeouts), turns every response into data or a typed `MetaError`, and
 * reports every response (errors included) to `onResponse` with its usage
 * snapshot, so a per-account limiter can be fed from one place.
 *
 * @example
 * const meta = createMetaClient({ accessToken: process.env.META_TOKEN!, appSecret: process.env.META_APP_SECRET });
 * const { data: account } = await meta.getAdAccount('act_123');
 * await meta.close();
 */
import { Agent } from 'undici';
import { z } from 'zod';
import type { HttpMethod, Params } from './build-request.ts';
import {
  adAccountIdFromPath,
  appsecretProof,
  buildRequest,
  DEFAULT_API_VERSION,
  DEFAULT_BASE_URL,
  pathFromNextUrl,
  versionedPath,
} from './build-request.ts';
import type { ClassifyInput } from './classify-meta-error.ts';
import { MetaApiError } from './errors/meta-api-error.ts';
import type { MetaError } from './errors/meta-error.ts';
import { isMetaError } from './errors/meta-error.ts';
import { MetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import { MetaMalformedResponseError } from './errors/meta-malformed-response-error.ts';
import { MetaNetworkError } from './errors/meta-network-error.ts';
import type { MetaTimeoutPhase } from './errors/meta-timeout-error.ts';
import { MetaTimeoutError } from './errors/meta-timeout-error.ts';
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
import { parseGraphResponse } from './parse-response.ts';
import type { HeaderInput, UsageSnapshot } from './parse-usage-headers.ts';
import { parseUsageHeaders } from './parse-usage-headers.ts';
import type { ReadWithSplittingOptions } from './read-with-splitting.ts';
import { readWithSplitting } from './read-with-splitting.ts';
import type { ReportRun, ReportRunCheck } from './report-run.ts';
import { interpretReportRun, reportRunSchema } from './report-run.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { DEFAULT_RETRY_POLICY, nextDelay } from './retry-policy.ts';
import { sanitizeCause, scrubText } from './scrub.ts';

export interface MetaClientTimeouts {
  /** TCP + TLS connect (default 10 s). */
  connectMs?: number;
  /** Waiting for response headers (default 60 s; sync insights can be slow). */
  headersMs?: number;
  /** Longest gap between body chunks (default 60 s). */
  bodyMs?: number;
  /** Whole request, headers and body (default 120 s). */
  totalMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<MetaClientTimeouts> = {
  connectMs: 10_000,
  headersMs: 60_000,
  bodyMs: 60_000,
  totalMs: 120_000,
};

export const DEFAULT_CONNECTIONS = 10;

/** What `onResponse` receives for every HTTP response (success or error). */
export interface MetaResponseEvent {
  method: string;
  /** Scrubbed path without query, e.g. `/v26.0/act_123/insights`. */
  path: string;
  /** HTTP status. */
  status: number;
  /** Bare ad account id the call was about, when known. */
  adAccountId?: string | undefined;
  usage: UsageSnapshot;
  /** The typed error this response became, if it is one. */
  error?: MetaError | undefined;
  /** 1 for the first attempt, 2+ for in-client retries. */
  attempt: number;
  durationMs: number;
}

/** What `beforeRequest` receives before every HTTP attempt (pages, split parts and retries included). */
export interface MetaRequestEvent {
  method: string;
  /** Scrubbed path without query, e.g. `/v26.0/act_123/insights`. */
  path: string;
  /** Bare ad account id the call is about, when known. */
  adAccountId?: string | undefined;
  /** 1 for the first attempt, 2+ for in-client retries. */
  attempt: number;
}

/** The token, or a function read before every HTTP attempt (a token that can be rotated while running). */
export type AccessTokenInput = string | (() => string);

export interface MetaClientOptions {
  /**
   * The system-user token, or a function returning the token to use now: it is read before every HTTP
   * attempt (pages, split parts and retries included), so a rotated token is used from the next call on,
   * with `appsecret_proof` computed for that token. Sent only as `Authorization: Bearer` (and as
   * `input_token` of `debug_token`); never logged or put in errors, the previous tokens neither.
   */
  accessToken: AccessTokenInput;
  /** When set, `appsecret_proof` (HMAC-SHA256 of the token) is sent with every call. */
  appSecret?: string | undefined;
  /** Default `https://graph.facebook.com`. */
  baseUrl?: string | undefined;
  /** Default `v26.0`. */
  apiVersion?: string | undefined;
  timeouts?: MetaClientTimeouts | undefined;
  /** Max sockets to the Graph origin (default 10). */
  connections?: number | undefined;
  /** Idle keep-alive socket lifetime (default 10 s). */
  keepAliveTimeoutMs?: number | undefined;
  /** In-client retries (default: 2 retries of transient errors on GET). `{ limit: 0 }` disables them. */
  retry?: Partial<RetryPolicy> | undefined;
  /**
   * Called for every response, errors included; awaited. It must not throw: if it
   * does, its error replaces the call's result.
   */
  onResponse?: ((event: MetaResponseEvent) => void | Promise<void>) | undefined;
  /**
   * Called and awaited before every HTTP attempt, so a caller can book each call with its rate limiter (a
   * paged read or a split range makes several). Whatever it throws ends the call with that error, not retried.
   */
  beforeRequest?: ((event: MetaRequestEvent) => void | Promise<void>) | undefined;
  /** Sleep used between in-client retries (tests inject a fake). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

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

const TOKEN_SHAPE = /^\S+$/;
/** Tokens a client keeps scrubbing after they were replaced (a message may still quote an old one). */
const REMEMBERED_TOKENS = 8;

const optionsSchema = z.object({
  accessToken: z.union([
    z.string().min(1).regex(TOKEN_SHAPE),
    z.custom<() => string>((value) => typeof value === 'function'),
  ]),
  appSecret: z.string().min(1).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .optional(),
  connections: z.number().int().min(1).optional(),
  keepAliveTimeoutMs: z.number().int().min(1).optional(),
  timeouts: z
    .object({
      connectMs: z.number().int().min(1).optional(),
      headersMs: z.number().int().min(1).optional(),
      bodyMs: z.number().int().min(1).optional(),
      totalMs: z.number().int().min(1).optional(),
    })
    .optional(),
});

interface CallSpec<T> {
  method: HttpMethod;
  path: string;
  params?: Params | undefined;
  schema?: z.ZodType<T> | undefined;
  adAccountId?: string | undefined;
  context?: ClassifyInput['context'] | undefined;
  allowSecretParams?: readonly string[] | undefined;
  /** A parameter that carries the attempt's own token (only `input_token` of `debug_token`). */
  tokenParam?: string | undefined;
  /** Turns valid data into an error (e.g. debug_token is_valid:false), before `onResponse`. */
  check?:
    | ((data: T, ctx: { path: string; status: number; usage: UsageSnapshot }) => MetaError | undefined)
    | undefined;
}

interface CallResult<T> {
  data: T;
  usage: UsageSnapshot;
  status: number;
}

const REPORT_RUN_ID = /^\d{1,30}$/;

export function createMetaClient(options: MetaClientOptions): MetaClient {
  const checked = optionsSchema.safeParse(options);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue?.path.join('.') ?? 'options';
    // Never echo the offending value: it may be the token.
    throw new MetaInvalidRequestError(`Invalid Meta client option: ${field}`, { field });
  }
  const tokenInput = options.accessToken;
  const appSecret = options.appSecret;
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...stripUndefined(options.timeouts ?? {}) };
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(options.retry ?? {}) };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Every token this client has sent (the last few), its app secret and their proofs: what errors are
  // scrubbed of. Replaced, not mutated, when a new token shows up.
  const tokensSeen: string[] = [];
  let secrets: readonly string[] = [];

  /** The token for this attempt; a new one joins the scrub list before it is sent anywhere. */
  function tokenForAttempt(): string {
    const token = typeof tokenInput === 'function' ? tokenInput() : tokenInput;
    if (typeof token !== 'string' || token === '' || !TOKEN_SHAPE.test(token)) {
      // Never echo the value: it may be a token.
      throw new MetaInvalidRequestError(
        'Invalid Meta access token: expected a non-empty string without spaces',
        {
          field: 'accessToken',
        },
      );
    }
    if (tokensSeen.at(-1) === token || tokensSeen.includes(token)) return token;
    tokensSeen.push(token);
    if (tokensSeen.length > REMEMBERED_TOKENS) tokensSeen.shift();
    secrets = [
      ...tokensSeen,
      ...(appSecret ? [appSecret, ...tokensSeen.map((seen) => appsecretProof(seen, appSecret))] : []),
    ];
    return token;
  }
  if (typeof tokenInput === 'string') tokenForAttempt();

  const agent = new Agent({
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    connect: { timeout: timeouts.connectMs },
  });

  let closing: Promise<void> | undefined;

  async function emit(event: MetaResponseEvent): Promise<void> {
    if (options.onResponse) await options.onResponse(event);
  }

  async function call<T>(spec: CallSpec<T>): Promise<CallResult<T>> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await attemptOnce(spec, attempt);
      } catch (error) {
        const wait = nextDelay({ attempt, error, method: spec.method, policy: retryPolicy });
        if (wait === undefined) throw error;
        await sleep(wait);
      }
    }
  }

  async function attemptOnce<T>(spec: CallSpec<T>, attempt: number): Promise<CallResult<T>> {
    const accessToken = tokenForAttempt();
    const built = buildRequest(
      { baseUrl, apiVersion, accessToken, appSecret },
      {
        method: spec.method,
        path: spec.path,
        params: spec.tokenParam ? { ...spec.params, [spec.tokenParam]: accessToken } : spec.params,
        allowSecretParams: spec.allowSecretParams,
      },
    );
    const path = built.safePath;
    const method = spec.method;
    const adAccountId = spec.adAccountId ?? adAccountIdFromPath(path);
    if (options.beforeRequest) {
      await options.beforeRequest({ method, path, adAccountId, attempt });
    }
    const started = performance.now();
    const signal = AbortSignal.timeout(timeouts.totalMs);
    let status: number | undefined;
    let headers: HeaderInput;
    let body: string;
    try {
      const response = await agent.request({
        origin: built.origin,
        path: built.pathAndQuery,
        method,
        headers: built.headers,
        body: built.body ?? null,
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.bodyMs,
        signal,
      });
      status = response.statusCode;
      headers = response.headers;
      body = await response.body.text();
    } catch (cause) {
      const usage = parseUsageHeaders(headers);
      const error = transportError(cause, { method, path, adAccountId, status, usage, signal });
      if (status !== undefined) {
        await emit({
          method,
          path,
          status,
          adAccountId,
          usage,
          error,
          attempt,
          durationMs: since(started),
        });
      }
      throw error;
    }

    const parsed = parseGraphResponse({
      method,
      path,
      status,
      headers,
      body,
      adAccountId,
      context: spec.context,
      secrets,
    });
    let error: MetaError | undefined = parsed.ok ? undefined : parsed.error;
    let data: T | undefined;
    if (parsed.ok) {
      if (spec.schema) {
        const result = spec.schema.safeParse(parsed.data);
        if (result.success) data = result.data;
        else error = shapeError(result.error, { method, path, status, usage: parsed.usage, adAccountId });
      } else {
        data = parsed.data as T;
      }
      if (error === undefined && spec.check) {
        error = spec.check(data as T, { path, status, usage: parsed.usage });
      }
    }
    await emit({
      method,
      path,
      status,
      adAccountId,
      usage: parsed.usage,
      error,
      attempt,
      durationMs: since(started),
    });
    if (error !== undefined) throw error;
    return { data: data as T, usage: parsed.usage, status };
  }

  function transportError(
    cause: unknown,
    ctx: {
      method: string;
      path: string;
      adAccountId: string | undefined;
      status: number | undefined;
      usage: UsageSnapshot;
      signal: AbortSignal;
    },
  ): MetaError {
    if (isMetaError(cause)) return cause;
    const safeCause = sanitizeCause(cause, secrets);
    const base = {
      method: ctx.method,
      path: ctx.path,
      adAccountId: ctx.adAccountId,
      status: ctx.status,
      usage: ctx.usage,
      cause: safeCause,
    };
    const codes = errorCodes(cause);
    const phase: MetaTimeoutPhase | undefined = ctx.signal.aborted
      ? 'total'
      : codes.includes('UND_ERR_CONNECT_TIMEOUT')
        ? 'connect'
        : codes.includes('UND_ERR_HEADERS_TIMEOUT')
          ? 'headers'
          : codes.includes('UND_ERR_BODY_TIMEOUT')
            ? 'body'
            : undefined;
    if (phase !== undefined) {
      const timeoutMs =
        phase === 'total'
          ? timeouts.totalMs
          : phase === 'connect'
            ? timeouts.connectMs
            : phase === 'headers'
              ? timeouts.headersMs
              : timeouts.bodyMs;
      return new MetaTimeoutError({ ...base, phase, timeoutMs });
    }
    return new MetaNetworkError({ ...base, errorCode: codes[0] });
  }

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
        secrets,
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

    async close() {
      closing ??= agent.close();
      await closing;
    },
  };
  return client;

  function invalidTokenError(
    data: DebugTokenData,
    ctx: { path: string; status: number; usage: UsageSnapshot },
  ): MetaApiError {
    const message = scrubText(data.error?.message ?? 'debug_token reports is_valid: false', secrets);
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

function shapeError(
  error: z.ZodError,
  ctx: {
    method: string;
    path: string;
    status: number;
    usage: UsageSnapshot;
    adAccountId: string | undefined;
  },
): MetaMalformedResponseError {
  // Paths and messages only: never the offending values.
  const detail = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return new MetaMalformedResponseError({ reason: 'unexpected_shape', detail, ...ctx });
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function since(started: number): number {
  return Math.round(performance.now() - started);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
