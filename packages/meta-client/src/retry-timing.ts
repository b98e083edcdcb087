/**
 * Pure header-to-delay logic: how long Meta says to wait (`reference/meta-graph-api.md` §1.3,
 * §1.5, §2.1). Returns `undefined` when the response does not say; the caller then backs off.
 */
import type { MetaErrorCategory } from './errors/meta-error-category.ts';
import type { BucEntry, UsageSnapshot } from './parse-usage-headers.ts';

export interface RetryTimingInput {
  category: MetaErrorCategory;
  code?: number;
  subcode?: number;
  usage: UsageSnapshot;
  /** Bare ad account id of the call; BUC entries keyed by it are preferred when present. */
  adAccountId?: string;
  /** Raw `Retry-After` header (seconds or HTTP date), honoured for transient errors. */
  retryAfterHeader?: string;
  /** Clock for HTTP-date `Retry-After` values. */
  now?: number;
}

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

/** Ad-account score-limit blocks [D2]: 60 s at the standard ("Full") tier, 300 s at the development tier. */
export const SCORE_BLOCK_MS = { standard_access: 60_000, development_access: 300_000 } as const;
/** Ad set budget changes: blocked for one hour [D2]. */
export const BUDGET_CHANGE_BLOCK_MS = 3_600_000;

export function isScoreLimit(code: number | undefined, subcode: number | undefined): boolean {
  return (code === 17 && subcode === 2446079) || (code === 613 && subcode === 1487742);
}

/**
 * THE throttle-timing rule of this system (the client's `retryAfterMs`, the worker's limiter blocks and
 * parks all come from here; nothing else turns Meta's hints into a wait):
 *
 * - throttles (`account_throttle`, `app_throttle`): every hint Meta gave is a moment before which access
 *   will not return, so the wait is the LONGEST of them: `estimated_time_to_regain_access` (minutes, the
 *   call's own ad account entries when present, else every entry), `reset_time_duration` (seconds, from
 *   X-Ad-Account-Usage) and a `Retry-After` header (seconds or HTTP date). Without any hint: the documented
 *   block for score limits 17/2446079 and 613/1487742 (60 s standard tier, 300 s development or unknown
 *   tier), one hour for 613/1487632 (ad set budget changes), else `undefined` (the caller's fallback);
 * - transient errors: `Retry-After` when present;
 * - everything else: `undefined`.
 *
 * @example
 * suggestRetryAfterMs({ category: 'account_throttle', code: 17, subcode: 2446079, usage }) // reset 300 s, regain 1 min → 300_000
 */
export function suggestRetryAfterMs(input: RetryTimingInput): number | undefined {
  const { category, code, subcode, usage } = input;
  const retryAfterMs =
    input.retryAfterHeader === undefined
      ? undefined
      : parseRetryAfter(input.retryAfterHeader, input.now ?? Date.now());
  if (category === 'account_throttle' || category === 'app_throttle') {
    const hints = [
      maxRegainMs(relevantEntries(usage.businessUseCase, input.adAccountId)),
      (usage.adAccount?.resetTimeDurationSeconds ?? 0) * SECOND_MS,
      retryAfterMs ?? 0,
    ].filter((ms) => Number.isFinite(ms) && ms > 0);
    if (hints.length > 0) return Math.ceil(Math.max(...hints));
    if (isScoreLimit(code, subcode)) return scoreBlockMs(usage);
    if (code === 613 && subcode === 1487632) return BUDGET_CHANGE_BLOCK_MS;
    return undefined;
  }
  if (category === 'transient') return retryAfterMs;
  return undefined;
}

/** `Retry-After` as seconds or an HTTP date; `undefined` if unparseable. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * SECOND_MS);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function scoreBlockMs(usage: UsageSnapshot): number {
  const tier =
    usage.adAccount?.tier ??
    usage.insightsThrottle?.tier ??
    usage.businessUseCase.find((e) => e.tier !== undefined)?.tier;
  return tier === 'standard_access' ? SCORE_BLOCK_MS.standard_access : SCORE_BLOCK_MS.development_access;
}

function relevantEntries(entries: readonly BucEntry[], adAccountId: string | undefined): readonly BucEntry[] {
  if (adAccountId === undefined) return entries;
  const own = entries.filter((e) => e.businessId === adAccountId);
  return own.length > 0 ? own : entries;
}

function maxRegainMs(entries: readonly BucEntry[]): number {
  return entries.reduce((max, e) => Math.max(max, e.estimatedTimeToRegainAccessMinutes * MINUTE_MS), 0);
}
