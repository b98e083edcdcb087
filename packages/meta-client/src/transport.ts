/**
 * @module transport
 * How a Graph call is sent: undici (keep-alive pool, bounded connections, connect / headers / body / total
 * timeouts), the token read before every attempt (and remembered for scrubbing), in-client retries,
 * `beforeRequest` before and `onResponse` after every HTTP attempt, and every failure turned into a typed
 * `MetaError`. The endpoints (client.ts) only say what to call and how to read the answer.
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
} from './build-request.ts';
import type { ClassifyInput } from './classify-meta-error.ts';
import type { MetaError } from './errors/meta-error.ts';
import { isMetaError } from './errors/meta-error.ts';
import { MetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import { MetaMalformedResponseError } from './errors/meta-malformed-response-error.ts';
import { MetaNetworkError } from './errors/meta-network-error.ts';
import type { MetaTimeoutPhase } from './errors/meta-timeout-error.ts';
import { MetaTimeoutError } from './errors/meta-timeout-error.ts';
import { parseGraphResponse } from './parse-response.ts';
import type { HeaderInput, UsageSnapshot } from './parse-usage-headers.ts';
import { parseUsageHeaders } from './parse-usage-headers.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { DEFAULT_RETRY_POLICY, nextDelay } from './retry-policy.ts';
import { sanitizeCause } from './scrub.ts';

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

export interface CallSpec<T> {
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

export interface CallResult<T> {
  data: T;
  usage: UsageSnapshot;
  status: number;
}

/** One client's way of sending: what the endpoints call. */
export interface Transport {
  readonly baseUrl: string;
  readonly apiVersion: string;
  /** Sends `spec` (retrying transient failures per the policy) and returns the validated data. */
  call<T>(spec: CallSpec<T>): Promise<CallResult<T>>;
  /** Every token sent so far (the last few), the app secret and their proofs: what messages are scrubbed of. */
  secrets(): readonly string[];
  /** Closes the keep-alive pool (idempotent). */
  close(): Promise<void>;
}

/** Validates the options (never echoing a value) and opens the pool. */
export function createTransport(options: MetaClientOptions): Transport {
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
    // The whole attempt's deadline. A timer cleared when the body is in, not `AbortSignal.timeout`: that one
    // cannot be cancelled, so every answered request kept a live timer (and its signal) for `totalMs` and
    // cost about twice as much CPU (issue 17).
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      timeouts.totalMs,
    );
    timer.unref();
    const signal = deadline.signal;
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
    } finally {
      clearTimeout(timer);
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

  return {
    baseUrl,
    apiVersion,
    call,
    secrets: () => secrets,
    async close() {
      closing ??= agent.close();
      await closing;
    },
  };
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
