/**
 * @module
 * What changed between a stored `campaign_summaries` row and a fresh one (pure): the content hash the engine
 * keeps per period (unchanged numbers are never rewritten), the changed numbers with before / after / delta
 * for the history of restatements, and the JSON parts that changed.
 */
import { createHash } from 'node:crypto';
import { type CampaignSummaryRow, canonicalJson } from './campaign-summary.ts';

/** The number columns compared and recorded, in the app's column order. */
export const SUMMARY_METRICS = [
  'total_spend',
  'total_impressions',
  'total_clicks',
  'total_conversions',
  'average_ctr',
  'average_cpc',
  'average_cpa',
  'active_campaigns',
  'total_campaigns',
  'active_campaign_count',
  'click_to_call',
  'email_contacts',
  'booking_step_1',
  'booking_step_2',
  'booking_step_3',
  'reservations',
  'reservation_value',
  'roas',
  'cost_per_reservation',
  'reach',
] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** The four `meta_tables` keys. */
export const META_TABLE_KEYS = [
  'placementPerformance',
  'demographicPerformance',
  'adRelevanceResults',
  'geographicPerformance',
] as const;

/** A stored row as PostgREST returns it: numbers (or numeric strings), JSON already parsed. */
export type StoredSummaryLike = Partial<Record<SummaryMetric, number | string | null>> & {
  campaign_data?: unknown;
  meta_tables?: unknown;
  data_source?: string | null;
};

export interface SummaryDiff {
  /** Any number or JSON part differs. */
  changed: boolean;
  metrics: Record<string, { before: number | null; after: number; delta: number | null }>;
  /** `campaign_data` and `meta_tables.<table>` that differ, with their row counts. */
  tables: Record<string, { before: number | null; after: number }>;
}

/**
 * sha256 of the row's content (every written column but the client id): the same numbers and JSON give the
 * same hash whatever the key order.
 */
export function summaryContentHash(row: CampaignSummaryRow): string {
  const { client_id: _client, ...content } = row;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Equal to the stored precision: NUMERIC keeps what was sent, so only binary noise is tolerated. */
function sameNumber(a: number | null, b: number): boolean {
  if (a === null) return false;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function rowCount(value: unknown): number | null {
  return Array.isArray(value) ? value.length : null;
}

/**
 * The differences of `fresh` against `stored` (`null`: no row before, every number "changed").
 *
 * @example
 * diffSummaryRows(stored, fresh).metrics.total_spend // { before: 100, after: 110, delta: 10 }
 */
export function diffSummaryRows(stored: StoredSummaryLike | null, fresh: CampaignSummaryRow): SummaryDiff {
  const metrics: SummaryDiff['metrics'] = {};
  for (const metric of SUMMARY_METRICS) {
    const before = stored ? toNumber(stored[metric]) : null;
    const after = fresh[metric];
    if (!sameNumber(before, after)) {
      metrics[metric] = {
        before,
        after,
        delta: before === null ? null : Number((after - before).toPrecision(12)),
      };
    }
  }
  const tables: SummaryDiff['tables'] = {};
  if (!stored || canonicalJson(stored.campaign_data ?? null) !== canonicalJson(fresh.campaign_data)) {
    tables.campaign_data = { before: rowCount(stored?.campaign_data), after: fresh.campaign_data.length };
  }
  const storedTables =
    stored && typeof stored.meta_tables === 'object' && stored.meta_tables !== null
      ? (stored.meta_tables as Record<string, unknown>)
      : null;
  for (const key of META_TABLE_KEYS) {
    const before = storedTables?.[key];
    if (canonicalJson(before ?? null) !== canonicalJson(fresh.meta_tables[key])) {
      tables[key] = { before: rowCount(before), after: fresh.meta_tables[key].length };
    }
  }
  const changed =
    Object.keys(metrics).length > 0 ||
    Object.keys(tables).length > 0 ||
    (stored !== null && stored.data_source !== fresh.data_source);
  return { changed, metrics, tables };
}
