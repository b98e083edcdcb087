/**
 * @module
 * One Meta `campaign_summaries` row (`app-contract.md` §1.4) from the period-level insights of one closed
 * month or ISO week, by the same rules as the caches (§2.3, §3.3):
 *
 * - totals are sums over the period's campaign rows (spend, impressions, link clicks), CTR and CPC come from
 *   Meta only (the account row, else the click-weighted campaign values), `total_conversions` is the parsed
 *   reservations (what the app's stats and archive store);
 * - the funnel columns come from the same conversion parser as the caches, the client's mappings included;
 * - `reach` is the ACCOUNT's reach over the period (people reached on two days or by two campaigns count
 *   once): Meta's period-level number, never a sum of days or of campaigns;
 * - BIGINT columns are integers, money has 2 decimals, ratios 6, so the row built is the row Postgres stores
 *   and a re-fetch with the same numbers compares equal;
 * - `campaign_data` holds the raw campaign rows with the parsed funnel fields and `conversions` as a
 *   number (the app's collector shape), `meta_tables` the four breakdown tables; both in a stable order;
 * - `active_campaigns` counts the campaigns with delivery in the period (the summaries make no campaign
 *   status call: a campaign that spent in the period was active in it).
 *
 * A period with no campaign row and no delivery in its account row is `empty`: the caller writes no row for
 * it (the app's phantom zero rows, §6.3). A period with campaign rows but no account row is `incomplete`.
 */
import type { CampaignSummaryColumns } from '@meta-engine/db';
import { buildAccountStats } from './account-stats.ts';
import { toWeekCampaign, type WeekCampaign } from './campaign-rows.ts';
import { type ConversionMappings, parseConversionMetrics } from './conversions.ts';
import { type InsightsRow, rowString } from './insights-row.ts';
import { buildMetaTables, type MetaTables, type MetaTablesInput } from './meta-tables.ts';
import { roundTo, safeRatio, toBigintValue, toMetricNumber } from './metric-number.ts';
import type { SummaryPeriod } from './summary-periods.ts';

/**
 * The columns of a Meta campaign_summaries row the engine writes (last_updated is the database's now()): the
 * repository's column type, with the JSON columns and constants typed as this transform builds them.
 */
export type CampaignSummaryRow = Omit<
  CampaignSummaryColumns,
  'campaign_data' | 'meta_tables' | 'data_source'
> & {
  campaign_data: WeekCampaign[];
  meta_tables: MetaTables;
  data_source: 'meta_api';
};

export interface CampaignSummaryInput {
  clientId: string;
  period: SummaryPeriod;
  /** The period's campaign-level rows (`splitRowsByRange`). */
  campaignRows: readonly InsightsRow[];
  /** The period's account-level row. */
  accountRow?: InsightsRow | undefined;
  tables: MetaTablesInput;
  mappings?: ConversionMappings;
}

export type CampaignSummaryResult =
  | { status: 'ok'; row: CampaignSummaryRow }
  | { status: 'empty' }
  | { status: 'incomplete'; problem: string };

/** `data_source` of the engine's rows: what the app's own API collector writes and its readers expect. */
export const SUMMARY_DATA_SOURCE = 'meta_api';

function hasDelivery(row: InsightsRow | undefined): boolean {
  if (!row) return false;
  return toMetricNumber(rowString(row, 'impressions')) > 0 || toMetricNumber(rowString(row, 'spend')) > 0;
}

/**
 * Canonical JSON, built in one pass (no per-node entry arrays): it was a quarter of a summaries job's CPU
 * (issue 17). Its output is the stored content hashes' input, so it must never change: the test holds it
 * to the first version's output.
 */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      out += stableJson(value[index]) ?? '';
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const inner = record[key];
    if (inner === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${stableJson(inner)}`;
  }
  return `${out}}`;
}

/** Canonical JSON (sorted keys at every level): equal values give equal strings, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return stableJson(value);
}

/**
 * Rows in an order that does not depend on the order Meta sent them in: by `key`, and rows that share a key
 * (ad relevance rows carry no id) by their canonical JSON, computed only for those.
 */
function sortedBy<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const keyed = rows.map((row) => ({ row, k: key(row), tie: '' }));
  const counts = new Map<string, number>();
  for (const entry of keyed) counts.set(entry.k, (counts.get(entry.k) ?? 0) + 1);
  for (const entry of keyed) if ((counts.get(entry.k) ?? 0) > 1) entry.tie = stableJson(entry.row);
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return keyed.sort((a, b) => compare(a.k, b.k) || compare(a.tie, b.tie)).map(({ row }) => row);
}

function sortTables(tables: MetaTables): MetaTables {
  return {
    placementPerformance: sortedBy(
      tables.placementPerformance,
      (r) => `${r.publisher_platform}|${r.platform_position}`,
    ),
    demographicPerformance: sortedBy(
      tables.demographicPerformance,
      (r) => `${String(r.age)}|${String(r.gender)}`,
    ),
    adRelevanceResults: sortedBy(tables.adRelevanceResults, () => ''),
    geographicPerformance: sortedBy(tables.geographicPerformance, (r) => `${r.countryCode}|${r.regionName}`),
  };
}

/**
 * The row of one period, or why there is none.
 *
 * @example
 * const result = buildCampaignSummaryRow({ clientId, period, campaignRows: byRange[key], accountRow, tables, mappings });
 * if (result.status === 'ok') await write(result.row);
 */
export function buildCampaignSummaryRow(input: CampaignSummaryInput): CampaignSummaryResult {
  const { campaignRows, accountRow } = input;
  if (campaignRows.length === 0 && !hasDelivery(accountRow)) return { status: 'empty' };
  if (!accountRow) {
    return {
      status: 'incomplete',
      problem: `${input.period.label}: ${campaignRows.length} campaign rows but no account row (period reach and CTR/CPC unknown)`,
    };
  }
  const parsed = parseConversionMetrics(campaignRows, input.mappings);
  const reservations = toBigintValue(parsed.totals.reservations);
  const stats = buildAccountStats({ campaignRows, accountRow, totalConversions: reservations });
  const spend = roundTo(stats.totalSpend, 2);
  const campaigns = campaignRows.map((row, index) => {
    const conversions = parsed.campaigns[index];
    if (!conversions) throw new Error(`no parsed conversions for campaign row ${index}`);
    return toWeekCampaign(row, conversions);
  });
  const ids = new Set(campaignRows.map((row) => rowString(row, 'campaign_id') ?? ''));
  const active = new Set(
    campaignRows.filter((row) => hasDelivery(row)).map((row) => rowString(row, 'campaign_id') ?? ''),
  );
  const reservationValue = roundTo(parsed.totals.reservation_value, 2);
  return {
    status: 'ok',
    row: {
      client_id: input.clientId,
      summary_type: input.period.kind,
      summary_date: input.period.summaryDate,
      platform: 'meta',
      total_spend: spend,
      total_impressions: toBigintValue(stats.totalImpressions),
      total_clicks: toBigintValue(stats.totalClicks),
      total_conversions: reservations,
      average_ctr: roundTo(stats.averageCtr, 6),
      average_cpc: roundTo(stats.averageCpc, 6),
      average_cpa: roundTo(safeRatio(spend, reservations), 2),
      active_campaigns: active.size,
      total_campaigns: ids.size,
      active_campaign_count: active.size,
      click_to_call: toBigintValue(parsed.totals.click_to_call),
      email_contacts: toBigintValue(parsed.totals.email_contacts),
      booking_step_1: toBigintValue(parsed.totals.booking_step_1),
      booking_step_2: toBigintValue(parsed.totals.booking_step_2),
      booking_step_3: toBigintValue(parsed.totals.booking_step_3),
      reservations,
      reservation_value: reservationValue,
      roas: roundTo(safeRatio(reservationValue, spend), 6),
      cost_per_reservation: roundTo(safeRatio(spend, reservations), 2),
      reach: toBigintValue(rowString(accountRow, 'reach')),
      campaign_data: sortedBy(campaigns, (c) => String(c.campaign_id ?? '')),
      meta_tables: sortTables(buildMetaTables(input.tables)),
      data_source: SUMMARY_DATA_SOURCE,
    },
  };
}
