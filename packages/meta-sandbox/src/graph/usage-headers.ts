/**
 * @module
 * The usage headers of reference §1.5, as JSON strings. Header names are lower case on HTTP
 * responses (as Meta's HTTP/2 responses) and canonical case inside batch items.
 */
import type { AccessTier } from '../config/schema.ts';
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

/** `{"<account id>":[{type, call_count, total_cputime, total_time, estimated_time_to_regain_access, ads_api_access_tier}]}` */
export function businessUseCaseUsage(accountId: string, usage: BucUsage, tier: AccessTier): string {
  return JSON.stringify({
    [accountId]: [
      {
        type: usage.type,
        call_count: usage.callCount,
        total_cputime: usage.totalCputime,
        total_time: usage.totalTime,
        estimated_time_to_regain_access: usage.regainMinutes,
        ads_api_access_tier: tierHeaderValue(tier),
      },
    ],
  });
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
export function appUsage(usage: { call_count: number; total_time: number; total_cputime: number }): string {
  return JSON.stringify(usage);
}

/** Precise percent (2 decimals) of a BUC's calls against its quota. */
export function precisePct(usage: BucUsage): number {
  if (usage.blockedUntil > 0) return Math.max(100, Math.round((10_000 * usage.calls) / usage.quota) / 100);
  return Math.round((10_000 * usage.calls) / usage.quota) / 100;
}
