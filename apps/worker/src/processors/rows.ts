/**
 * @module processors/rows
 * Glue between the pure transforms (snake_case rows, the app's column names) and the db repository's
 * camelCase inputs, plus the one place where meta-client's loosely typed insights rows become the
 * transforms' `InsightsRow`. Pure.
 */
import type {
  CampaignInsightRow as DbCampaignInsightRow,
  DailyKpiRow as DbDailyKpiRow,
} from '@meta-engine/db';
import type { InsightsRow as MetaInsightsRow } from '@meta-engine/meta-client';
import type { CampaignInsightRow, DailyKpiRow, InsightsRow } from '../transform/index.ts';

/**
 * Meta's insights rows as the transforms read them. meta-client validates only `date_start`/`date_stop`
 * and passes every other field through as sent: metric strings and action arrays, which is exactly
 * `InsightsRow`; the transforms' readers check each field's type again before using it.
 */
export function asInsightsRows(rows: readonly MetaInsightsRow[]): InsightsRow[] {
  return rows as unknown as InsightsRow[];
}

/** A transform campaign-day row → the repository's `meta_campaign_insights` input. */
export function toDbCampaignInsight(row: CampaignInsightRow, collectedAt: string): DbCampaignInsightRow {
  return {
    clientId: row.client_id,
    adAccountId: row.ad_account_id,
    campaignId: row.campaign_id,
    date: row.date,
    campaignName: row.campaign_name,
    spend: row.spend,
    impressions: row.impressions,
    clicks: row.clicks,
    inlineLinkClicks: row.inline_link_clicks,
    reach: row.reach,
    frequency: row.frequency,
    ctr: row.ctr,
    cpc: row.cpc,
    cpm: row.cpm,
    cpp: row.cpp,
    inlineLinkClickCtr: row.inline_link_click_ctr,
    costPerInlineLinkClick: row.cost_per_inline_link_click,
    actions: row.actions,
    actionValues: row.action_values,
    conversions: row.conversions,
    collectedAt,
  };
}

/** A transform `daily_kpi_data` row → the repository's input for `clientId`. */
export function toDbDailyKpi(row: DailyKpiRow, clientId: string): DbDailyKpiRow {
  return {
    clientId,
    date: row.date,
    totalSpend: row.total_spend,
    totalImpressions: row.total_impressions,
    totalClicks: row.total_clicks,
    totalConversions: row.total_conversions,
    clickToCall: row.click_to_call,
    emailContacts: row.email_contacts,
    bookingStep1: row.booking_step_1,
    bookingStep2: row.booking_step_2,
    bookingStep3: row.booking_step_3,
    reservations: row.reservations,
    reservationValue: row.reservation_value,
    averageCtr: row.average_ctr,
    averageCpc: row.average_cpc,
    roas: row.roas,
    costPerReservation: row.cost_per_reservation,
    campaignsCount: row.campaigns_count,
    reach: row.reach,
  };
}
