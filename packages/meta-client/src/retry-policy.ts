/**
 * In-client retry: defaults plus a pure `nextDelay()`. Only short, safe retries happen here
 * (transient errors on GET by default); throttles, data-size and fatal errors go straight back
 * to the caller, whose queue and per-account limiter decide. Every attempt's response still
 * reaches `onResponse`.
 */
import type { HttpMethod } from './build-request.ts';
import { isMetaError } from './errors/meta-error.ts';
import type { MetaErrorCategory } from './errors/meta-error-category.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (0 disables in-client retries). */
  limit: number;
  baseDelayMs: number;
  /** Longest wait the client will sleep itself; a longer `retryAfterMs` is left to the caller. */
  maxDelayMs: number;
  methods: readonly HttpMethod[];
  categories: readonly MetaErrorCategory[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  limit: 2,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  methods: ['GET'],
  categories: ['transient'],
};

export interface NextDelayInput {
  /** Failed attempts so far (1 after the first failure). */
  attempt: number;
  error: unknown;
  method: HttpMethod;
  policy?: RetryPolicy;
  /** Injected for tests; `Math.random` by default. */
  random?: () => number;
}

/**
 * Milliseconds to wait before the next attempt, or `undefined` to give up and throw. Honours the
 * error's `retryAfterMs` when it fits in `maxDelayMs`; otherwise exponential backoff with jitter
 * (half fixed, half random) capped at `maxDelayMs`.
 */
export function nextDelay(input: NextDelayInput): number | undefined {
  const policy = input.policy ?? DEFAULT_RETRY_POLICY;
  const { error, attempt } = input;
  if (attempt > policy.limit || !isMetaError(error)) return undefined;
  if (!policy.methods.includes(input.method) || !policy.categories.includes(error.category)) return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= policy.maxDelayMs ? error.retryAfterMs : undefined;
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const random = input.random ?? Math.random;
  return Math.round(cap / 2 + (random() * cap) / 2);
}
