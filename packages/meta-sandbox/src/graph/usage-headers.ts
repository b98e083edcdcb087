/**
 * @module
 * The usage headers of reference §1.5, as JSON strings. Header names are lower case on HTTP
 * responses (as Meta's HTTP/2 responses) and canonical case inside batch items.
 */
import type { AccessTier } from '../config/schema.ts';
import type { AppBudgetUsage } from '../limits/app-budget.ts';
import type { BucUsage } from '../limits/buc-limiter.ts';
import { tierHeaderValue } from '../limits/quota.ts';

export const BUC_USAGE_HEADER = 'x-business-use-case-usage';
export const AD_ACCOUNT_USAGE_HEADER = 'x-ad-account-usage';
export const INSIGHTS_THROTTLE_HEADER = 'x-fb-ads-insights-throttle';
export const APP_USAGE_HEADER = 'x-app-usage';

/** Canonical names used in batch items' `headers` lists. */
export const CANONICAL_HEADER_NAMES: Record<string, string> = {
  'content-type': 'Content-Type',
  'facebook-api-version': 'facebook-api-version',
  'x-fb-trace-id': 'x-fb-trace-id',
  'x-fb-rev': 'x-fb-rev',
  [BUC_USAGE_HEADER]: 'X-Business-Use-Case-Usage',
  [AD_ACCOUNT_USAGE_HEADER]: 'X-Ad-Account-Usage',
  [INSIGHTS_THROTTLE_HEADER]: 'X-FB-Ads-Insights-Throttle',
  [APP_USAGE_HEADER]: 'X-App-Usage',
};

/** `integer`: whole percent as in Meta's samples; `fractional`: 2 decimals. */
export type UsagePrecision = 'integer' | 'fractional';

/**
 * A `call_count` / `total_time` / `total_cputime` value. Integers are rounded down, so 100 means
 * the quota is used up (never "100" while one call is still allowed).
 */
export function usagePercent(exact: number, precision: UsagePrecision): number {
  return precision === 'integer' ? Math.floor(exact + 1e-9) : fractionalPercent(exact);
}

/** `acc_id_util_pct` / `app_id_util_pct`: may be fractional (reference sample 9.67), 2 decimals. */
export function fractionalPercent(exact: number): number {
  return Math.round(exact * 100) / 100;
}

/** One `X-Business-Use-Case-Usage` entry. */
export function bucEntry(usage: BucUsage, tier: AccessTier, precision: UsagePrecision) {
  const time = usagePercent(usage.timePct, precision);
  return {
    type: usage.type,
    call_count: usagePercent(usage.callPct, precision),
    total_cputime: time,
    total_time: time,
    estimated_time_to_regain_access: usage.regainMinutes,
    ads_api_access_tier: tierHeaderValue(tier),
  };
}

/** `{"<account id>":[{type, call_count, total_cputime, total_time, estimated_time_to_regain_access, ads_api_access_tier}]}` */
export function businessUseCaseUsage(
  accountId: string,
  usage: BucUsage,
  tier: AccessTier,
  precision: UsagePrecision = 'integer',
): string {
  return JSON.stringify({ [accountId]: [bucEntry(usage, tier, precision)] });
}

/** `{"acc_id_util_pct": 9.67, "reset_time_duration": 100, "ads_api_access_tier": "standard_access"}` */
export function adAccountUsage(utilPct: number, resetSeconds: number, tier: AccessTier): string {
  return JSON.stringify({
    acc_id_util_pct: utilPct,
    reset_time_duration: resetSeconds,
    ads_api_access_tier: tierHeaderValue(tier),
  });
}

/** `{"app_id_util_pct": 100, "acc_id_util_pct": 10, "ads_api_access_tier": "standard_access"}` */
export function insightsThrottle(appPct: number, accountPct: number, tier: AccessTier): string {
  return JSON.stringify({
    app_id_util_pct: appPct,
    acc_id_util_pct: accountPct,
    ads_api_access_tier: tierHeaderValue(tier),
  });
}

/** `{"call_count": 28, "total_time": 25, "total_cputime": 25}` */
export function appUsage(usage: AppBudgetUsage, precision: UsagePrecision = 'integer'): string {
  const time = usagePercent(usage.timePct, precision);
  return JSON.stringify({
    call_count: usagePercent(usage.callPct, precision),
    total_time: time,
    total_cputime: time,
  });
}
