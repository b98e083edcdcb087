/**
 * @module
 * Campaign objects as the app stores them in `cache_data.campaigns` (`app-contract.md` §3.3):
 * normalized all-number objects in the monthly cache, raw insights rows plus parsed funnel
 * fields in the weekly cache (the app never normalized those, and its readers expect e.g.
 * `clicks` = all clicks with `inline_link_clicks` beside it).
 */
import type { CampaignConversions, ConversionMetrics } from './conversions.ts';
import { type ActionEntry, type InsightsRow, rowString } from './insights-row.ts';
import { toMetricNumber } from './metric-number.ts';

/** One campaign in `current_month_cache.cache_data.campaigns`: every metric a number. */
export interface MonthCampaign extends ConversionMetrics {
  campaign_id: string;
  campaign_name: string;
  /** Delivery status from `act_X/campaigns`; `'ACTIVE'` when unknown, as the app does. */
  status: string;
  spend: number;
  impressions: number;
  /** Link clicks (`inline_link_clicks`), falling back to all `clicks`. */
  clicks: number;
  /** Headline conversions (see `headlineConversions`). */
  conversions: number;
  /** Meta's `inline_link_click_ctr` (percent), never computed. */
  ctr: number;
  /** Meta's `cost_per_inline_link_click`, never computed. */
  cpc: number;
  cpp: number;
  cpm: number;
  frequency: number;
  reach: number;
  date_start: string;
  date_stop: string;
}

/**
 * One campaign in `current_week_cache.cache_data.campaigns`: the raw row (string metrics, action
 * arrays) with the parsed funnel fields added and `conversions` replaced by a number.
 */
export type WeekCampaign = {
  [field: string]: string | number | ActionEntry[] | undefined;
} & CampaignConversions;

/** True when the row carries the field as a usable numeric string (Meta omits fields it has no value for). */
function hasMetric(row: InsightsRow, field: string): boolean {
  const value = rowString(row, field);
  return value !== undefined && value.trim() !== '' && Number.isFinite(Number(value));
}

/**
 * The row's API value of `primary`, else of `fallback`. The app reads `x || y` on the raw
 * strings, so a missing link metric falls back to the all-clicks metric Meta sent.
 */
export function metricWithFallback(row: InsightsRow, primary: string, fallback: string): number {
  return toMetricNumber(rowString(row, hasMetric(row, primary) ? primary : fallback));
}

/** Link clicks of a row: `inline_link_clicks`, else `clicks` (the app never parses `link_click` actions). */
export function linkClicks(row: InsightsRow): number {
  return metricWithFallback(row, 'inline_link_clicks', 'clicks');
}

/**
 * A campaign-level insights row plus its parsed conversions → the monthly campaign object.
 *
 * @example
 * const parsed = parseConversionMetrics(rows, mappings);
 * const campaigns = rows.map((row, i) => normalizeMonthCampaign(row, parsed.campaigns[i]!));
 */
export function normalizeMonthCampaign(row: InsightsRow, parsed: CampaignConversions): MonthCampaign {
  const campaignId = rowString(row, 'campaign_id') ?? '';
  const num = (field: string): number => toMetricNumber(rowString(row, field));
  return {
    campaign_id: campaignId,
    campaign_name: rowString(row, 'campaign_name') ?? '',
    // The app never reads act_X/campaigns for the cache: every campaign is shown ACTIVE.
    status: 'ACTIVE',
    spend: num('spend'),
    impressions: num('impressions'),
    clicks: linkClicks(row),
    conversions: parsed.conversions,
    ctr: metricWithFallback(row, 'inline_link_click_ctr', 'ctr'),
    cpc: metricWithFallback(row, 'cost_per_inline_link_click', 'cpc'),
    cpp: num('cpp'),
    cpm: num('cpm'),
    frequency: num('frequency'),
    reach: num('reach'),
    click_to_call: parsed.click_to_call,
    email_contacts: parsed.email_contacts,
    booking_step_1: parsed.booking_step_1,
    booking_step_2: parsed.booking_step_2,
    booking_step_3: parsed.booking_step_3,
    reservations: parsed.reservations,
    reservation_value: parsed.reservation_value,
    conversion_value: parsed.conversion_value,
    total_conversion_value: parsed.total_conversion_value,
    roas: parsed.roas,
    cost_per_reservation: parsed.cost_per_reservation,
    date_start: rowString(row, 'date_start') ?? '',
    date_stop: rowString(row, 'date_stop') ?? '',
  };
}

/**
 * A campaign-level insights row plus its parsed conversions → the weekly campaign object
 * (`{ ...row, ...parsed, conversions: <number> }`, the app's `enhanceCampaignsWithConversions`).
 */
export function toWeekCampaign(row: InsightsRow, parsed: CampaignConversions): WeekCampaign {
  return { ...row, ...parsed };
}
