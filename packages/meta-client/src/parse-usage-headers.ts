/**
 * Pure parsing of Meta's rate-limit usage headers (`reference/meta-graph-api.md` §1.5).
 * Works on every response, errors included. Missing or malformed headers give an empty
 * snapshot; this module never throws.
 *
 * Units as Meta sends them: percentages are 0-100+ (can exceed 100 and be fractional),
 * `estimated_time_to_regain_access` is in minutes, `reset_time_duration` in seconds.
 *
 * @example
 * parseUsageHeaders({ 'x-ad-account-usage': '{"acc_id_util_pct":9.67,"reset_time_duration":100}' })
 * // { businessUseCase: [], adAccount: { accIdUtilPct: 9.67, resetTimeDurationSeconds: 100 } }
 */

/** `development_access` (dev / "Limited" tier) or `standard_access` ("Full" tier); other values kept as sent. */
export type AccessTier = string;

/** One element of `X-Business-Use-Case-Usage` (one key, one array element). */
export interface BucEntry {
  /** The header key: the business object id (for Marketing API calls, the ad account id without `act_`). */
  businessId: string;
  /** `ads_insights`, `ads_management`, `custom_audience`, ... ('unknown' if absent). */
  type: string;
  /** Percent of allowed calls used in the rolling hour. */
  callCount: number;
  /** Percent of allowed CPU time used. */
  totalCputime: number;
  /** Percent of allowed total time used. */
  totalTime: number;
  /** Minutes until calls are no longer throttled (0 when not throttled). */
  estimatedTimeToRegainAccessMinutes: number;
  tier?: AccessTier;
}

/** `X-Ad-Account-Usage`. */
export interface AdAccountUsage {
  accIdUtilPct: number;
  /** Seconds until the account's limit resets to 0. */
  resetTimeDurationSeconds: number;
  tier?: AccessTier;
}

/** `X-FB-Ads-Insights-Throttle` (unreliable on its own: combine with the other headers). */
export interface InsightsThrottleUsage {
  appIdUtilPct: number;
  accIdUtilPct: number;
  tier?: AccessTier;
}

/** `X-App-Usage` (platform limits; whole-number percentages). */
export interface AppUsage {
  callCount: number;
  totalTime: number;
  totalCputime: number;
}

export interface UsageSnapshot {
  businessUseCase: BucEntry[];
  adAccount?: AdAccountUsage;
  insightsThrottle?: InsightsThrottleUsage;
  app?: AppUsage;
}

/** Header shapes accepted: WHATWG `Headers`, undici/node header records, or a batch item's `[{name, value}]`. */
export type HeaderInput =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<{ readonly name: string; readonly value: string }>
  | null
  | undefined;

export const USAGE_HEADER_NAMES = {
  businessUseCase: 'x-business-use-case-usage',
  adAccount: 'x-ad-account-usage',
  insightsThrottle: 'x-fb-ads-insights-throttle',
  app: 'x-app-usage',
} as const;

export function emptyUsage(): UsageSnapshot {
  return { businessUseCase: [] };
}

export function isEmptyUsage(usage: UsageSnapshot): boolean {
  return (
    usage.businessUseCase.length === 0 &&
    usage.adAccount === undefined &&
    usage.insightsThrottle === undefined &&
    usage.app === undefined
  );
}

/** Reads one header case-insensitively from any accepted shape; the first value if repeated. */
export function getHeader(headers: HeaderInput, name: string): string | undefined {
  try {
    if (headers === null || headers === undefined) return undefined;
    const wanted = name.toLowerCase();
    if (typeof Headers !== 'undefined' && headers instanceof Headers) {
      return headers.get(wanted) ?? undefined;
    }
    if (Array.isArray(headers)) {
      for (const item of headers as ReadonlyArray<unknown>) {
        if (isRecord(item) && typeof item.name === 'string' && item.name.toLowerCase() === wanted) {
          return typeof item.value === 'string' ? item.value : undefined;
        }
      }
      return undefined;
    }
    if (typeof headers !== 'object') return undefined;
    // undici names headers in lower case: the common case is one lookup, not a walk over every header.
    const direct: unknown = Object.hasOwn(headers, wanted)
      ? (headers as Record<string, unknown>)[wanted]
      : undefined;
    if (typeof direct === 'string') return direct;
    if (Array.isArray(direct) && typeof direct[0] === 'string') return direct[0];
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() !== wanted) continue;
      if (typeof value === 'string') return value;
      if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
      return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

export function parseUsageHeaders(headers: HeaderInput): UsageSnapshot {
  const snapshot = emptyUsage();
  const buc = parseJsonObject(getHeader(headers, USAGE_HEADER_NAMES.businessUseCase));
  if (buc) snapshot.businessUseCase = parseBusinessUseCase(buc);

  const account = parseJsonObject(getHeader(headers, USAGE_HEADER_NAMES.adAccount));
  if (account) {
    snapshot.adAccount = withTier(
      {
        accIdUtilPct: toNumber(account.acc_id_util_pct),
        resetTimeDurationSeconds: toNumber(account.reset_time_duration),
      },
      account.ads_api_access_tier,
    );
  }

  const throttle = parseJsonObject(getHeader(headers, USAGE_HEADER_NAMES.insightsThrottle));
  if (throttle) {
    snapshot.insightsThrottle = withTier(
      { appIdUtilPct: toNumber(throttle.app_id_util_pct), accIdUtilPct: toNumber(throttle.acc_id_util_pct) },
      throttle.ads_api_access_tier,
    );
  }

  const app = parseJsonObject(getHeader(headers, USAGE_HEADER_NAMES.app));
  if (app) {
    snapshot.app = {
      callCount: toNumber(app.call_count),
      totalTime: toNumber(app.total_time),
      totalCputime: toNumber(app.total_cputime),
    };
  }
  return snapshot;
}

function parseBusinessUseCase(value: Record<string, unknown>): BucEntry[] {
  const entries: BucEntry[] = [];
  for (const [businessId, raw] of Object.entries(value)) {
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    for (const item of items) {
      if (!isRecord(item)) continue;
      entries.push(
        withTier(
          {
            businessId,
            type: typeof item.type === 'string' && item.type !== '' ? item.type : 'unknown',
            callCount: toNumber(item.call_count),
            totalCputime: toNumber(item.total_cputime),
            totalTime: toNumber(item.total_time),
            estimatedTimeToRegainAccessMinutes: toNumber(item.estimated_time_to_regain_access),
          },
          item.ads_api_access_tier,
        ),
      );
    }
  }
  return entries;
}

function withTier<T extends object>(value: T, tier: unknown): T & { tier?: AccessTier } {
  return typeof tier === 'string' && tier !== '' ? { ...value, tier } : value;
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Numbers or numeric strings; anything else (missing, NaN, Infinity, garbage) is 0. */
function toNumber(value: unknown): number {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : 0;
  return Number.isFinite(n) ? n : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
