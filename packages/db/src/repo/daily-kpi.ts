/**
 * @module repo/daily-kpi
 * The app's `daily_kpi_data`: one Meta row per client per day, upserted on `client_id,date` (the app's
 * Meta cron key) with `data_source = 'meta_api'` (what the app's readers filter on), `platform = 'meta'`,
 * BIGINT columns rounded to integers and `last_updated = now()`.
 */
import { chunk, forEachLimit, lastPerKey } from './bulk.ts';
import type { BulkResult } from './campaign-insights.ts';
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { requireDate, requireInteger, requireNumber, requireUuid } from './values.ts';

/** One client-day of Meta totals. Omitted funnel fields are written as 0 (the app's convention). */
export interface DailyKpiRow {
  clientId: string;
  /** `YYYY-MM-DD`. */
  date: string;
  totalSpend: number;
  totalImpressions: number;
  totalClicks: number;
  totalConversions: number;
  clickToCall?: number;
  emailContacts?: number;
  bookingStep1?: number;
  bookingStep2?: number;
  bookingStep3?: number;
  reservations?: number;
  reservationValue?: number;
  /** Percent, API value (`inline_link_click_ctr`); DECIMAL(5,2) in the app. */
  averageCtr?: number;
  averageCpc?: number;
  roas?: number;
  costPerReservation?: number;
  campaignsCount?: number;
  reach?: number;
}

export function toDailyKpiColumns(row: DailyKpiRow, index: number, lastUpdated: string) {
  return {
    client_id: requireUuid(TABLES.dailyKpi, 'client_id', row.clientId, index),
    ...dailyKpiRowColumns(row, index, lastUpdated),
  };
}

/** A row's own columns, checked: all but the client, which a guarded write takes from its guard once. */
export function dailyKpiRowColumns(row: Omit<DailyKpiRow, 'clientId'>, index: number, lastUpdated: string) {
  const t = TABLES.dailyKpi;
  const int = (field: string, value: number | undefined) => requireInteger(t, field, value ?? 0, index);
  const num = (field: string, value: number | undefined) => requireNumber(t, field, value ?? 0, index);
  return {
    date: requireDate(t, 'date', row.date, index),
    total_spend: requireNumber(t, 'total_spend', row.totalSpend, index),
    total_impressions: requireInteger(t, 'total_impressions', row.totalImpressions, index),
    total_clicks: requireInteger(t, 'total_clicks', row.totalClicks, index),
    total_conversions: requireInteger(t, 'total_conversions', row.totalConversions, index),
    click_to_call: int('click_to_call', row.clickToCall),
    email_contacts: int('email_contacts', row.emailContacts),
    booking_step_1: int('booking_step_1', row.bookingStep1),
    booking_step_2: int('booking_step_2', row.bookingStep2),
    booking_step_3: int('booking_step_3', row.bookingStep3),
    reservations: int('reservations', row.reservations),
    reservation_value: num('reservation_value', row.reservationValue),
    average_ctr: num('average_ctr', row.averageCtr),
    average_cpc: num('average_cpc', row.averageCpc),
    roas: num('roas', row.roas),
    cost_per_reservation: num('cost_per_reservation', row.costPerReservation),
    campaigns_count: int('campaigns_count', row.campaignsCount),
    reach: int('reach', row.reach),
    data_source: 'meta_api',
    platform: 'meta',
    last_updated: lastUpdated,
  };
}

export function createDailyKpiRepo(ctx: RepoContext) {
  const table = TABLES.dailyKpi;

  /**
   * Upserts Meta client-day rows on `client_id,date`, chunked.
   *
   * @example
   * await repo.upsertDailyKpi([{ clientId, date: '2026-07-19', totalSpend: 120.4,
   *   totalImpressions: 15000, totalClicks: 310, totalConversions: 4, reservations: 4 }]);
   */
  async function upsertDailyKpi(rows: readonly DailyKpiRow[]): Promise<BulkResult> {
    const lastUpdated = ctx.now().toISOString();
    const columns = lastPerKey(
      rows.map((row, index) => toDailyKpiColumns(row, index, lastUpdated)),
      (c) => `${c.client_id}|${c.date}`,
    );
    const chunks = chunk(columns, ctx.chunkSize);
    await forEachLimit(chunks, ctx.concurrency, async (part) => {
      await run(
        table,
        'upsert',
        ctx.client.from(table).upsert(part, { onConflict: 'client_id,date', defaultToNull: false }),
      );
    });
    return { rows: columns.length, chunks: chunks.length };
  }

  return { upsertDailyKpi };
}
