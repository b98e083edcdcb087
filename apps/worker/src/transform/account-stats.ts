/**
 * @module
 * `cache_data.stats` (`app-contract.md` §3.3) and the CTR/CPC rule of §2.3: CTR and CPC come
 * ONLY from Meta, never from totals. Meta's account-level link CTR de-duplicates people and
 * clicks across campaigns; `sum(clicks) / sum(impressions)` does not, and the app's users
 * compare the report with Ads Manager.
 */
import { linkClicks, metricWithFallback } from './campaign-rows.ts';
import { type InsightsRow, rowString } from './insights-row.ts';
import { toMetricNumber } from './metric-number.ts';

/** `cache_data.stats`. */
export interface AccountStats {
  totalSpend: number;
  totalImpressions: number;
  /** Sum of link clicks (`inline_link_clicks`, fallback `clicks`). */
  totalClicks: number;
  totalConversions: number;
  averageCtr: number;
  averageCpc: number;
}

/** Which tier of the CTR/CPC rule produced a value. */
export type ApiRateSource = 'account' | 'campaigns' | 'none';

export interface ApiRates {
  ctr: number;
  cpc: number;
  ctrSource: ApiRateSource;
  cpcSource: ApiRateSource;
}

function accountValue(accountRow: InsightsRow | undefined, field: string): number | undefined {
  if (!accountRow) return undefined;
  const raw = rowString(accountRow, field);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(Number(raw))) return undefined;
  return toMetricNumber(raw);
}

/** Click-weighted average of the campaigns' own API values; `undefined` when no campaign has clicks. */
function clickWeighted(
  campaignRows: readonly InsightsRow[],
  primary: string,
  fallback: string,
): number | undefined {
  let weighted = 0;
  let clicks = 0;
  for (const row of campaignRows) {
    const weight = linkClicks(row);
    if (weight <= 0) continue;
    weighted += metricWithFallback(row, primary, fallback) * weight;
    clicks += weight;
  }
  return clicks > 0 ? weighted / clicks : undefined;
}

/**
 * CTR and CPC by the app's three tiers, each metric on its own: (1) the account-level row's
 * `inline_link_click_ctr` / `cost_per_inline_link_click`; else (2) the link-click-weighted average
 * of the campaign rows' API values; else (3) 0.
 *
 * @example
 * apiRates(accountRow, campaignRows) // { ctr: 1.84, cpc: 0.92, ctrSource: 'account', cpcSource: 'account' }
 */
export function apiRates(
  accountRow: InsightsRow | undefined,
  campaignRows: readonly InsightsRow[],
): ApiRates {
  const resolve = (accountField: string, fallbackField: string): [number, ApiRateSource] => {
    const fromAccount = accountValue(accountRow, accountField);
    if (fromAccount !== undefined) return [fromAccount, 'account'];
    const fromCampaigns = clickWeighted(campaignRows, accountField, fallbackField);
    if (fromCampaigns !== undefined) return [fromCampaigns, 'campaigns'];
    return [0, 'none'];
  };
  const [ctr, ctrSource] = resolve('inline_link_click_ctr', 'ctr');
  const [cpc, cpcSource] = resolve('cost_per_inline_link_click', 'cpc');
  return { ctr, cpc, ctrSource, cpcSource };
}

export interface AccountStatsInput {
  /** The period's campaign-level rows. */
  campaignRows: readonly InsightsRow[];
  /** The period's account-level row (the CTR/CPC source), if the call succeeded. */
  accountRow?: InsightsRow;
  /** Parsed reservations (the app's `totalConversions`). */
  totalConversions: number;
}

/**
 * `cache_data.stats`: sums over the campaign rows, CTR/CPC from {@link apiRates}. No rows gives
 * all zeros; the caller decides whether such a result may be written.
 */
export function buildAccountStats(input: AccountStatsInput): AccountStats {
  const rates = apiRates(input.accountRow, input.campaignRows);
  let totalSpend = 0;
  let totalImpressions = 0;
  let totalClicks = 0;
  for (const row of input.campaignRows) {
    totalSpend += toMetricNumber(rowString(row, 'spend'));
    totalImpressions += toMetricNumber(rowString(row, 'impressions'));
    totalClicks += linkClicks(row);
  }
  return {
    totalSpend,
    totalImpressions,
    totalClicks,
    totalConversions: input.totalConversions,
    averageCtr: rates.ctr,
    averageCpc: rates.cpc,
  };
}
