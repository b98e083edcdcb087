/**
 * @module
 * Hourly Business-Use-Case quotas per ad account (reference §1.2).
 */
import type { AccessTier, BucType } from '../config/schema.ts';

export interface QuotaInput {
  buc: BucType;
  tier: AccessTier;
  activeAds: number;
  /** Errors the account received in the window (ads_insights subtracts 0.001 per error). */
  userErrors?: number;
  override?: number | undefined;
}

/**
 * ads_insights: dev `600 + 400*active_ads - 0.001*user_errors`, standard `190000 + 400*active_ads - 0.001*user_errors`;
 * ads_management: dev `300 + 40*active_ads`, standard `100000 + 40*active_ads`. An override wins.
 */
export function computeQuota(input: QuotaInput): number {
  if (input.override !== undefined) return input.override;
  const errors = input.userErrors ?? 0;
  if (input.buc === 'ads_insights') {
    const base = input.tier === 'standard' ? 190_000 : 600;
    return Math.max(1, base + 400 * input.activeAds - 0.001 * errors);
  }
  const base = input.tier === 'standard' ? 100_000 : 300;
  return Math.max(1, base + 40 * input.activeAds);
}

/** The header value of the tier. */
export function tierHeaderValue(tier: AccessTier): 'development_access' | 'standard_access' {
  return tier === 'standard' ? 'standard_access' : 'development_access';
}
