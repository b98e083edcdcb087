/**
 * @module repo/campaign-insights
 * `meta_campaign_insights`: raw campaign-day rows, one per (ad account, campaign, date), bulk-upserted
 * in chunks. Writing the same rows again updates them in place (idempotent).
 */

import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { chunk, forEachLimit, lastPerKey } from './bulk.ts';
import { type RepoContext, run } from './context.ts';
import { storedAdAccountId } from './stored-ad-account-id.ts';
import { TABLES } from './tables.ts';
import {
  optionalInteger,
  optionalNumber,
  requireDate,
  requireInteger,
  requireNumber,
  requireUuid,
} from './values.ts';

/** One campaign on one day, metrics already numbers (Meta sends strings; parse before). */
export interface CampaignInsightRow {
  clientId: string;
  /** `act_123` or `123`; stored bare. */
  adAccountId: string;
  campaignId: string;
  /** `YYYY-MM-DD` (Meta's `date_start` of a `time_increment=1` row). */
  date: string;
  campaignName?: string | null;
  spend: number;
  impressions: number;
  clicks: number;
  inlineLinkClicks?: number | null;
  reach?: number | null;
  frequency?: number | null;
  ctr?: number | null;
  cpc?: number | null;
  cpm?: number | null;
  cpp?: number | null;
  inlineLinkClickCtr?: number | null;
  costPerInlineLinkClick?: number | null;
  /** Meta's `actions` / `action_values` / `conversions` arrays, as returned. */
  actions?: unknown[] | null;
  actionValues?: unknown[] | null;
  conversions?: unknown[] | null;
  /** When it was fetched (default: now). */
  collectedAt?: string;
}

export interface BulkResult {
  /** Rows sent (after keeping the last of any duplicates on the natural key). */
  rows: number;
  /** Requests made. */
  chunks: number;
}

/** The column object for one row; throws InvalidRowError naming the field. */
export function toInsightColumns(row: CampaignInsightRow, index: number, collectedAt: string) {
  const table = TABLES.campaignInsights;
  let adAccountId: string;
  try {
    adAccountId = storedAdAccountId(row.adAccountId);
  } catch (error) {
    throw new InvalidRowError(table, 'ad_account_id', (error as Error).message, { index, cause: error });
  }
  return {
    ad_account_id: adAccountId,
    client_id: requireUuid(table, 'client_id', row.clientId, index),
    ...insightRowColumns(row, index, collectedAt),
  };
}

/**
 * A row's own columns, checked: all but the client and the ad account, which a guarded write takes from its
 * guard once for every row.
 */
export function insightRowColumns(
  row: Omit<CampaignInsightRow, 'clientId' | 'adAccountId'>,
  index: number,
  collectedAt: string,
) {
  const table = TABLES.campaignInsights;
  if (typeof row.campaignId !== 'string' || row.campaignId.trim() === '') {
    throw new InvalidRowError(table, 'campaign_id', 'expected a non-empty string', { index });
  }
  return {
    campaign_id: row.campaignId.trim(),
    date: requireDate(table, 'date', row.date, index),
    campaign_name: row.campaignName ?? null,
    spend: requireNumber(table, 'spend', row.spend, index),
    impressions: requireInteger(table, 'impressions', row.impressions, index),
    clicks: requireInteger(table, 'clicks', row.clicks, index),
    inline_link_clicks: optionalInteger(table, 'inline_link_clicks', row.inlineLinkClicks, index),
    reach: optionalInteger(table, 'reach', row.reach, index),
    frequency: optionalNumber(table, 'frequency', row.frequency, index),
    ctr: optionalNumber(table, 'ctr', row.ctr, index),
    cpc: optionalNumber(table, 'cpc', row.cpc, index),
    cpm: optionalNumber(table, 'cpm', row.cpm, index),
    cpp: optionalNumber(table, 'cpp', row.cpp, index),
    inline_link_click_ctr: optionalNumber(table, 'inline_link_click_ctr', row.inlineLinkClickCtr, index),
    cost_per_inline_link_click: optionalNumber(
      table,
      'cost_per_inline_link_click',
      row.costPerInlineLinkClick,
      index,
    ),
    actions: row.actions ?? null,
    action_values: row.actionValues ?? null,
    conversions: row.conversions ?? null,
    collected_at: row.collectedAt ?? collectedAt,
  };
}

export function createCampaignInsightsRepo(ctx: RepoContext) {
  const table = TABLES.campaignInsights;

  /**
   * Upserts campaign-day rows on (ad_account_id, campaign_id, date), `chunkSize` rows per request.
   * Every row is checked before the first request; a later chunk failing leaves earlier chunks written
   * (re-running the call is safe).
   *
   * @example
   * await repo.upsertCampaignInsights([{ clientId, adAccountId: 'act_123', campaignId: '6001',
   *   date: '2026-07-01', spend: 12.5, impressions: 1000, clicks: 40, actions: [] }]);
   */
  async function upsertCampaignInsights(rows: readonly CampaignInsightRow[]): Promise<BulkResult> {
    const collectedAt = ctx.now().toISOString();
    const columns = lastPerKey(
      rows.map((row, index) => toInsightColumns(row, index, collectedAt)),
      (c) => `${c.ad_account_id}|${c.campaign_id}|${c.date}`,
    );
    const chunks = chunk(columns, ctx.chunkSize);
    await forEachLimit(chunks, ctx.concurrency, async (part) => {
      await run(
        table,
        'upsert',
        ctx.client
          .from(table)
          .upsert(part, { onConflict: 'ad_account_id,campaign_id,date', defaultToNull: false }),
      );
    });
    return { rows: columns.length, chunks: chunks.length };
  }

  return { upsertCampaignInsights };
}
