/**
 * @module
 * `current_month_cache.cache_data` and `current_week_cache.cache_data`, exactly in the shapes of
 * `app-contract.md` §3.3 (the app's `fetchFreshCurrentMonthData` / `fetchFreshCurrentWeekData`).
 *
 * What the app did and we deliberately do not: placeholder values on error (`reservation_value:
 * 350`, `roas: 0.35`), a synthetic campaign when insights are empty, the whole `clients` row
 * (tokens included) in the weekly `client`. These builders only ever shape API data: empty
 * insights give empty campaigns and zero stats, and the caller, which knows whether every fetch
 * succeeded, decides whether to write. A failed fetch must not reach these functions at all.
 */
import { type AccountStats, buildAccountStats } from './account-stats.ts';
import {
  type MonthCampaign,
  normalizeMonthCampaign,
  toWeekCampaign,
  type WeekCampaign,
} from './campaign-rows.ts';
import { type ConversionMappings, type ConversionMetrics, parseConversionMetrics } from './conversions.ts';
import type { InsightsRow } from './insights-row.ts';
import { buildMetaTables, emptyMetaTables, type MetaTables, type MetaTablesInput } from './meta-tables.ts';
import { safeRatio } from './metric-number.ts';
import { type IsoDate, isIsoDate } from './periods.ts';

/** `act_X?fields=id,name,account_status,currency,timezone_name,spend_cap`, as Meta returns it. */
export interface MetaAccountInfo {
  id: string;
  name?: string;
  account_status?: number;
  currency?: string;
  timezone_name?: string;
  spend_cap?: string;
}

/** Monthly `cache_data.client`. */
export interface MonthCacheClient {
  id: string;
  name: string;
  adAccountId: string;
}

/** Weekly `cache_data.client`: these four fields and nothing else (never tokens). */
export interface WeekCacheClient extends MonthCacheClient {
  currency: string;
}

/** Weekly `cache_data.accountInfo`. */
export interface WeekAccountInfo {
  currency: string | null;
  timezone: string | null;
  status: number | null;
}

/** Sums over the month's `daily_kpi_data` rows, for the app's second-tier fallback (optional). */
export type DailyKpiTotals = Partial<
  Pick<
    ConversionMetrics,
    | 'click_to_call'
    | 'email_contacts'
    | 'booking_step_1'
    | 'booking_step_2'
    | 'booking_step_3'
    | 'reservations'
    | 'reservation_value'
  >
>;

export interface MonthCacheData {
  client: MonthCacheClient;
  campaigns: MonthCampaign[];
  stats: AccountStats;
  conversionMetrics: ConversionMetrics;
  metaTables: MetaTables | null;
  accountInfo: MetaAccountInfo | null;
  fetchedAt: string;
  fromCache: false;
  cacheAge: 0;
}

export interface WeekCacheData {
  client: WeekCacheClient;
  campaigns: WeekCampaign[];
  stats: AccountStats;
  conversionMetrics: ConversionMetrics;
  metaTables: MetaTables;
  dateRange: { start: IsoDate; end: IsoDate };
  accountInfo: WeekAccountInfo | null;
  fromCache: false;
  lastUpdated: string;
}

export interface MonthCacheInput {
  client: MonthCacheClient;
  /** Campaign-level rows of the month range only (see `splitRowsByRange`). */
  campaignRows: readonly InsightsRow[];
  /** The month's account-level row (CTR/CPC source); `undefined` if Meta returned none. */
  accountRow?: InsightsRow;
  /** Breakdown rows of the month; `null` stores `metaTables: null` (allowed in the monthly shape). */
  tables: MetaTablesInput | null;
  accountInfo: MetaAccountInfo | null;
  mappings?: ConversionMappings;
  /** Second tier of the app's conversion-metric fallback (sums of this month's `daily_kpi_data`; refresh-cache reads them). */
  dailyKpiTotals?: DailyKpiTotals;
  fetchedAt: Date | string;
}

export interface WeekCacheInput {
  client: WeekCacheClient;
  /** Campaign-level rows of the week range only. */
  campaignRows: readonly InsightsRow[];
  accountRow?: InsightsRow;
  /** Breakdown rows of the week; `null` (not fetched) is stored as empty tables: the weekly shape requires an object. */
  tables: MetaTablesInput | null;
  accountInfo: MetaAccountInfo | null;
  mappings?: ConversionMappings;
  /** Required: the app deletes a weekly row whose range is not this week's Monday to today. */
  dateRange: { start: IsoDate; end: IsoDate };
  lastUpdated: Date | string;
}

function toIsoInstant(value: Date | string, field: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`${field} is not a valid instant`);
  return date.toISOString();
}

function pickAccountInfo(info: MetaAccountInfo | null): MetaAccountInfo | null {
  if (!info) return null;
  // Copy only the fields the app asked Meta for, so nothing else the caller attached is stored.
  const picked: MetaAccountInfo = { id: info.id };
  if (info.name !== undefined) picked.name = info.name;
  if (info.account_status !== undefined) picked.account_status = info.account_status;
  if (info.currency !== undefined) picked.currency = info.currency;
  if (info.timezone_name !== undefined) picked.timezone_name = info.timezone_name;
  if (info.spend_cap !== undefined) picked.spend_cap = info.spend_cap;
  return picked;
}

/** Weekly `accountInfo` from Meta's account object. */
export function toWeekAccountInfo(info: MetaAccountInfo | null): WeekAccountInfo | null {
  if (!info) return null;
  return {
    currency: info.currency ?? null,
    timezone: info.timezone_name ?? null,
    status: info.account_status ?? null,
  };
}

/**
 * The monthly `conversionMetrics` by the app's tiers: each field is the first positive of
 * (1) the fresh parse, (2) the month's `daily_kpi_data` sum when given, (3) 0; for
 * `reservations` the last tier is the API's headline conversions instead of 0. ROAS and cost per
 * reservation are recomputed from the chosen values.
 */
export function resolveMonthConversionMetrics(
  parsed: ConversionMetrics,
  spend: number,
  headlineConversions: number,
  dailyKpiTotals?: DailyKpiTotals,
): ConversionMetrics {
  const pick = (key: keyof DailyKpiTotals, last = 0): number => {
    if (parsed[key] > 0) return parsed[key];
    const fromDaily = dailyKpiTotals?.[key] ?? 0;
    return fromDaily > 0 ? fromDaily : last;
  };
  const reservationValue = pick('reservation_value');
  const reservations = pick('reservations', headlineConversions);
  return {
    click_to_call: pick('click_to_call'),
    email_contacts: pick('email_contacts'),
    booking_step_1: pick('booking_step_1'),
    booking_step_2: pick('booking_step_2'),
    booking_step_3: pick('booking_step_3'),
    reservations,
    reservation_value: reservationValue,
    conversion_value: reservationValue,
    total_conversion_value: reservationValue,
    roas: safeRatio(reservationValue, spend),
    cost_per_reservation: safeRatio(spend, reservations),
  };
}

/**
 * `current_month_cache.cache_data` for one client and month.
 *
 * @example
 * const cacheData = buildMonthCacheData({
 *   client: { id: client.id, name: client.name, adAccountId: client.ad_account_id },
 *   campaignRows: byRange.month, accountRow: accountByRange.month[0], tables, accountInfo,
 *   mappings, fetchedAt: new Date(),
 * });
 */
export function buildMonthCacheData(input: MonthCacheInput): MonthCacheData {
  const parsed = parseConversionMetrics(input.campaignRows, input.mappings);
  const campaigns = input.campaignRows.map((row, index) => {
    const conversions = parsed.campaigns[index];
    if (!conversions) throw new Error(`No parsed conversions for campaign row ${index}`);
    return normalizeMonthCampaign(row, conversions);
  });
  const dailyReservations = input.dailyKpiTotals?.reservations ?? 0;
  return {
    client: { id: input.client.id, name: input.client.name, adAccountId: input.client.adAccountId },
    campaigns,
    stats: buildAccountStats({
      campaignRows: input.campaignRows,
      accountRow: input.accountRow,
      totalConversions: dailyReservations > 0 ? dailyReservations : parsed.totals.reservations,
    }),
    conversionMetrics: resolveMonthConversionMetrics(
      parsed.totals,
      parsed.spend,
      parsed.headlineConversions,
      input.dailyKpiTotals,
    ),
    metaTables: input.tables ? buildMetaTables(input.tables) : null,
    accountInfo: pickAccountInfo(input.accountInfo),
    fetchedAt: toIsoInstant(input.fetchedAt, 'fetchedAt'),
    fromCache: false,
    cacheAge: 0,
  };
}

/**
 * `current_week_cache.cache_data` for one client and ISO week.
 *
 * @example
 * const cacheData = buildWeekCacheData({
 *   client: { id: client.id, name: client.name, adAccountId: client.ad_account_id, currency: 'PLN' },
 *   campaignRows: byRange.week, accountRow: accountByRange.week[0], tables, accountInfo,
 *   dateRange: { start: periods.week.start, end: periods.week.end }, lastUpdated: new Date(),
 * });
 */
export function buildWeekCacheData(input: WeekCacheInput): WeekCacheData {
  // Checked at run time too: a weekly row without a valid range is deleted by the app on read.
  const range: { start?: unknown; end?: unknown } | undefined = input.dateRange;
  const start = range?.start;
  const end = range?.end;
  if (!isIsoDate(start) || !isIsoDate(end) || start > end) {
    throw new RangeError('buildWeekCacheData: dateRange {start, end} must be YYYY-MM-DD with start <= end');
  }
  const parsed = parseConversionMetrics(input.campaignRows, input.mappings);
  const campaigns = input.campaignRows.map((row, index) => {
    const conversions = parsed.campaigns[index];
    if (!conversions) throw new Error(`No parsed conversions for campaign row ${index}`);
    return toWeekCampaign(row, conversions);
  });
  return {
    client: {
      id: input.client.id,
      name: input.client.name,
      adAccountId: input.client.adAccountId,
      currency: input.client.currency,
    },
    campaigns,
    stats: buildAccountStats({
      campaignRows: input.campaignRows,
      accountRow: input.accountRow,
      totalConversions: parsed.totals.reservations,
    }),
    conversionMetrics: parsed.totals,
    metaTables: input.tables ? buildMetaTables(input.tables) : emptyMetaTables(),
    dateRange: { start, end },
    accountInfo: toWeekAccountInfo(input.accountInfo),
    fromCache: false,
    lastUpdated: toIsoInstant(input.lastUpdated, 'lastUpdated'),
  };
}
