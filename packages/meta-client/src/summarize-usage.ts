import type { UsageSnapshot } from './parse-usage-headers.ts';

/** A limiter-friendly digest of one usage snapshot. All values are 0 when nothing was reported. */
export interface UsageSummary {
  /** Highest utilisation percent across every header and field (BUC, ad account, insights, app). */
  maxUtilPct: number;
  /** Highest app-wide utilisation percent (`X-App-Usage`, insights `app_id_util_pct`). */
  appUtilPct: number;
  /** Longest `estimated_time_to_regain_access` over every BUC entry, in milliseconds. */
  maxRegainMs: number;
  /** `X-Ad-Account-Usage.reset_time_duration` in milliseconds. */
  resetMs: number;
}

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

/**
 * Pure digest of a usage snapshot for a per-account limiter.
 *
 * @example
 * const { maxUtilPct, maxRegainMs } = summarizeUsage(error.usage);
 * if (maxRegainMs > 0) blockAccountFor(maxRegainMs);
 */
export function summarizeUsage(usage: UsageSnapshot): UsageSummary {
  let maxUtilPct = 0;
  let appUtilPct = 0;
  let maxRegainMs = 0;
  for (const entry of usage.businessUseCase) {
    maxUtilPct = Math.max(maxUtilPct, entry.callCount, entry.totalCputime, entry.totalTime);
    maxRegainMs = Math.max(maxRegainMs, entry.estimatedTimeToRegainAccessMinutes * MINUTE_MS);
  }
  if (usage.adAccount) maxUtilPct = Math.max(maxUtilPct, usage.adAccount.accIdUtilPct);
  if (usage.insightsThrottle) {
    appUtilPct = Math.max(appUtilPct, usage.insightsThrottle.appIdUtilPct);
    maxUtilPct = Math.max(
      maxUtilPct,
      usage.insightsThrottle.accIdUtilPct,
      usage.insightsThrottle.appIdUtilPct,
    );
  }
  if (usage.app) {
    appUtilPct = Math.max(appUtilPct, usage.app.callCount, usage.app.totalTime, usage.app.totalCputime);
  }
  maxUtilPct = Math.max(maxUtilPct, appUtilPct);
  const resetMs = usage.adAccount ? usage.adAccount.resetTimeDurationSeconds * SECOND_MS : 0;
  return { maxUtilPct, appUtilPct, maxRegainMs, resetMs };
}
