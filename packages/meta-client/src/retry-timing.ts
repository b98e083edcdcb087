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
 * Suggested wait before retrying:
 * - throttles: the longest `estimated_time_to_regain_access` (minutes → ms);
 * - score limits 17/2446079 and 613/1487742: `reset_time_duration` (seconds → ms), else the
 *   documented block for the tier (60 s standard, 300 s development or unknown), and at least the regain time;
 * - 613/1487632: one hour;
 * - transient errors: a `Retry-After` header.
 */
export function suggestRetryAfterMs(input: RetryTimingInput): number | undefined {
  const { category, code, subcode, usage } = input;
  if (category === 'account_throttle' || category === 'app_throttle') {
    const regainMs = maxRegainMs(relevantEntries(usage.businessUseCase, input.adAccountId));
    if (isScoreLimit(code, subcode)) {
      const resetMs = (usage.adAccount?.resetTimeDurationSeconds ?? 0) * SECOND_MS;
      const blockMs = resetMs > 0 ? resetMs : scoreBlockMs(usage);
      return Math.max(blockMs, regainMs);
    }
    if (code === 613 && subcode === 1487632) return Math.max(BUDGET_CHANGE_BLOCK_MS, regainMs);
    return regainMs > 0 ? regainMs : undefined;
  }
  if (category === 'transient' && input.retryAfterHeader !== undefined) {
    return parseRetryAfter(input.retryAfterHeader, input.now ?? Date.now());
  }
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
