/**
 * @module
 * The drift check's measures (pure): what is stored for a closed month against what Meta says now, per
 * table and metric. It replaces the app's nightly `drift-check` (§5), which compared a live report with the
 * stored one; here every table the engine writes for the month is measured:
 *
 * - `campaign_summaries`: every number column of the monthly row;
 * - `campaign_data`: its campaigns and their spend;
 * - `meta_tables.<table>`: rows, spend, impressions and clicks of each breakdown table;
 * - `daily_kpi_data`: the month's days summed (spend, impressions, clicks, reservations, reservation value)
 *   against the fresh month (reach is left out: days do not add up to a month's reach).
 *
 * A stored value of `null` means nothing is stored (no row, no days).
 */
import type { CampaignSummaryRow } from './campaign-summary.ts';
import { toMetricNumber } from './metric-number.ts';
import { META_TABLE_KEYS, type StoredSummaryLike, SUMMARY_METRICS } from './summary-diff.ts';

export interface DriftMeasure {
  table: string;
  metric: string;
  stored: number | null;
  fresh: number | null;
}

/** Sums of the month's `daily_kpi_data` rows (the db package's `DailyKpiSums`). */
export interface DailySums {
  days: number;
  total_spend: number;
  total_impressions: number;
  total_clicks: number;
  reservations: number;
  reservation_value: number;
}

const DAILY_METRICS = [
  'total_spend',
  'total_impressions',
  'total_clicks',
  'reservations',
  'reservation_value',
] as const;

function num(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function tableSums(
  rows: unknown,
): { rows: number; spend: number; impressions: number; clicks: number } | null {
  if (!Array.isArray(rows)) return null;
  let spend = 0;
  let impressions = 0;
  let clicks = 0;
  for (const row of rows as Array<Record<string, unknown>>) {
    spend += toMetricNumber(row?.spend);
    impressions += toMetricNumber(row?.impressions);
    clicks += toMetricNumber(row?.clicks);
  }
  return { rows: rows.length, spend: round2(spend), impressions, clicks };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function campaignSums(rows: unknown): { campaigns: number; spend: number } | null {
  if (!Array.isArray(rows)) return null;
  const spend = (rows as Array<Record<string, unknown>>).reduce(
    (sum, row) => sum + toMetricNumber(row?.spend),
    0,
  );
  return { campaigns: rows.length, spend: round2(spend) };
}

/**
 * Stored against fresh, one measure per table and metric (see the module comment).
 *
 * @example
 * driftMeasures(storedRow, freshRow, dailySums).filter((m) => m.stored !== m.fresh)
 */
export function driftMeasures(
  stored: StoredSummaryLike | null,
  fresh: CampaignSummaryRow | null,
  daily: DailySums | null,
): DriftMeasure[] {
  const measures: DriftMeasure[] = [];
  for (const metric of SUMMARY_METRICS) {
    measures.push({
      table: 'campaign_summaries',
      metric,
      stored: stored ? num(stored[metric]) : null,
      fresh: fresh ? fresh[metric] : null,
    });
  }
  const storedCampaigns = campaignSums(stored?.campaign_data);
  const freshCampaigns = campaignSums(fresh?.campaign_data);
  measures.push(
    {
      table: 'campaign_data',
      metric: 'campaigns',
      stored: storedCampaigns?.campaigns ?? null,
      fresh: freshCampaigns?.campaigns ?? null,
    },
    {
      table: 'campaign_data',
      metric: 'spend',
      stored: storedCampaigns?.spend ?? null,
      fresh: freshCampaigns?.spend ?? null,
    },
  );
  const storedTables =
    stored && typeof stored.meta_tables === 'object' && stored.meta_tables !== null
      ? (stored.meta_tables as Record<string, unknown>)
      : null;
  for (const key of META_TABLE_KEYS) {
    const before = tableSums(storedTables?.[key]);
    const after = tableSums(fresh?.meta_tables[key]);
    for (const metric of ['rows', 'spend', 'impressions', 'clicks'] as const) {
      measures.push({
        table: `meta_tables.${key}`,
        metric,
        stored: before ? before[metric] : null,
        fresh: after ? after[metric] : null,
      });
    }
  }
  for (const metric of DAILY_METRICS) {
    measures.push({
      table: 'daily_kpi_data',
      metric,
      stored: daily && daily.days > 0 ? round2(daily[metric]) : null,
      fresh: fresh ? fresh[metric] : null,
    });
  }
  return measures;
}

/** The measures whose stored and fresh values differ (beyond binary noise). */
export function driftedMeasures(measures: readonly DriftMeasure[]): DriftMeasure[] {
  return measures.filter((m) => {
    if (m.stored === null || m.fresh === null) return m.stored !== m.fresh;
    return Math.abs(m.stored - m.fresh) > 1e-6 * Math.max(1, Math.abs(m.stored));
  });
}
