import type { UsageSnapshot } from '../parse-usage-headers.ts';
import { emptyUsage } from '../parse-usage-headers.ts';
import type { MetaErrorCategory } from './meta-error-category.ts';

export interface MetaErrorOptions {
  category: MetaErrorCategory;
  /** HTTP method of the failed call. */
  method?: string;
  /** Scrubbed path of the failed call (no query string, never a token). */
  path?: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
  isTransient?: boolean;
  /** Bare numeric ad account id the call was about, when known. */
  adAccountId?: string;
  /** Usage snapshot of the response that carried the error (empty when there was none). */
  usage?: UsageSnapshot;
  /** How long to wait before retrying, when the response headers (or the documented block times) say so. */
  retryAfterMs?: number;
  /** Must already be scrubbed (see `sanitizeCause`). */
  cause?: unknown;
}

/**
 * Base of every error this package throws. Fields shared by all families; `code`, `subcode`,
 * `status`, ... are `undefined` where they do not apply (e.g. a connection reset).
 */
export class MetaError extends Error {
  override readonly name: string = 'MetaError';
  readonly category: MetaErrorCategory;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly fbtraceId: string | undefined;
  readonly isTransient: boolean | undefined;
  readonly adAccountId: string | undefined;
  readonly usage: UsageSnapshot;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: MetaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.category = options.category;
    this.method = options.method;
    this.path = options.path;
    this.status = options.status;
    this.code = options.code;
    this.subcode = options.subcode;
    this.fbtraceId = options.fbtraceId;
    this.isTransient = options.isTransient;
    this.adAccountId = options.adAccountId;
    this.usage = options.usage ?? emptyUsage();
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A plain, log-safe object (what `JSON.stringify(error)` prints). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined) out[key] = value;
    }
    out.name = this.name;
    out.message = this.message;
    if (this.cause instanceof Error) out.cause = { name: this.cause.name, message: this.cause.message };
    return out;
  }
}

/** Error names of every family, so guards work across duplicate copies of this module. */
export const META_ERROR_NAMES: ReadonlySet<string> = new Set([
  'MetaError',
  'MetaApiError',
  'MetaNetworkError',
  'MetaTimeoutError',
  'MetaMalformedResponseError',
  'MetaReportRunError',
  'MetaPagingError',
  'InvalidAdAccountIdError',
  'MetaInvalidRequestError',
]);

export function isMetaError(error: unknown): error is MetaError {
  return error instanceof MetaError || (isNamed(error) && META_ERROR_NAMES.has(error.name));
}

/** `error.category` for any `MetaError` (also a duplicate module copy), else `undefined`. */
export function metaErrorCategory(error: unknown): MetaErrorCategory | undefined {
  return isMetaError(error) ? error.category : undefined;
}

export function isNamed(error: unknown, name?: string): error is { name: string } & Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return false;
  const actual = (error as { name?: unknown }).name;
  return typeof actual === 'string' && (name === undefined || actual === name);
}

/** `METHOD /path` for messages; path already scrubbed. */
export function describeCall(method: string | undefined, path: string | undefined): string {
  if (method === undefined && path === undefined) return '';
  return ` on ${[method, path].filter((p) => p !== undefined).join(' ')}`;
}
