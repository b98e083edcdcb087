/**
 * @module
 * collect-insights output: campaign x day insights rows → the app's `daily_kpi_data` (one row per
 * client and day, `app-contract.md` §1.5) and this system's raw campaign-day rows.
 *
 * Each day is parsed on its own, because the app's daily cron fetches and parses one day per
 * call (`getCampaignInsights(acct, d, d)`), so its account-wide choices (the phone action type,
 * the contact source) are per day too. BIGINT columns get integers; DECIMAL(p,2) columns are
 * rounded to 2 places, so the row we build is the row Postgres stores.
 */
import { apiRates } from './account-stats.ts';
import { linkClicks } from './campaign-rows.ts';
import { type ConversionMappings, parseConversionMetrics } from './conversions.ts';
import { type ActionEntry, type InsightsRow, rowActions, rowString } from './insights-row.ts';
import { roundTo, safeRatio, toBigintValue, toMetricNumber } from './metric-number.ts';
import { type IsoDate, isIsoDate } from './periods.ts';

/** One `daily_kpi_data` row without `client_id` (the writer adds it with the conflict key). */
export interface DailyKpiRow {
  date: IsoDate;
  /** Link clicks (`inline_link_clicks`, fallback `clicks`). BIGINT. */
  total_clicks: number;
  total_impressions: number;
  /** DECIMAL(12,2). */
  total_spend: number;
  /** Parsed reservations, as the app's daily cron stores them. BIGINT. */
  total_conversions: number;
  click_to_call: number;
  email_contacts: number;
  booking_step_1: number;
  booking_step_2: number;
  booking_step_3: number;
  reservations: number;
  reservation_value: number;
  /** Meta's own CTR (account row, else click-weighted campaign values), never computed from totals. */
  average_ctr: number;
  average_cpc: number;
  roas: number;
  cost_per_reservation: number;
  /** Sum over campaigns (the app's rule; people reached by two campaigns count twice). BIGINT. */
  reach: number;
  campaigns_count: number;
  data_source: 'meta_api';
  platform: 'meta';
}

/** One raw campaign-day row for this system's insights table. */
export interface CampaignInsightRow {
  client_id: string;
  /** Bare numeric id, without `act_`. */
  ad_account_id: string;
  campaign_id: string;
  campaign_name: string;
  date: IsoDate;
  spend: number;
  impressions: number;
  clicks: number;
  inline_link_clicks: number;
  ctr: number;
  inline_link_click_ctr: number;
  cpc: number;
  cost_per_inline_link_click: number;
  cpm: number;
  cpp: number;
  reach: number;
  frequency: number;
  actions: ActionEntry[];
  action_values: ActionEntry[];
  conversions: ActionEntry[];
  cost_per_action_type: ActionEntry[];
}

export interface DailyKpiOptions {
  mappings?: ConversionMappings;
  /**
   * Account-level daily rows (`level=account`, `time_increment=1`) if the caller fetched them:
   * their CTR/CPC then win over the campaign-weighted average, as in `stats`.
   */
  accountRows?: readonly InsightsRow[];
  /**
   * Every day of the collected range. Days Meta returned no rows for get an all-zero row (a
   * successful answer of "no delivery", not a placeholder); without this, only days with rows
   * are returned.
   */
  days?: readonly IsoDate[];
}

/** The day of a `time_increment=1` row; throws on rows that are not single days, which would corrupt the table. */
function rowDay(row: InsightsRow, index: number): IsoDate {
  const start = rowString(row, 'date_start');
  const stop = rowString(row, 'date_stop');
  if (!isIsoDate(start) || (stop !== undefined && stop !== start)) {
    throw new RangeError(
      `Insights row ${index} is not a single day (date_start=${String(start)}, date_stop=${String(stop)}): request time_increment=1`,
    );
  }
  return start;
}

/** Groups rows by their day, in ascending date order. */
export function groupRowsByDay(rows: readonly InsightsRow[]): Map<IsoDate, InsightsRow[]> {
  const byDay = new Map<IsoDate, InsightsRow[]>();
  rows.forEach((row, index) => {
    const day = rowDay(row, index);
    const list = byDay.get(day);
    if (list) list.push(row);
    else byDay.set(day, [row]);
  });
  return new Map([...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function dailyRow(
  date: IsoDate,
  rows: readonly InsightsRow[],
  accountRow: InsightsRow | undefined,
  mappings?: ConversionMappings,
): DailyKpiRow {
  const { totals, spend } = parseConversionMetrics(rows, mappings);
  const rates = apiRates(accountRow, rows);
  let clicks = 0;
  let impressions = 0;
  let reach = 0;
  const campaignIds = new Set<string>();
  for (const row of rows) {
    clicks += linkClicks(row);
    impressions += toMetricNumber(rowString(row, 'impressions'));
    reach += toMetricNumber(rowString(row, 'reach'));
    campaignIds.add(rowString(row, 'campaign_id') ?? '');
  }
  const reservations = toBigintValue(totals.reservations);
  return {
    date,
    total_clicks: toBigintValue(clicks),
    total_impressions: toBigintValue(impressions),
    total_spend: roundTo(spend, 2),
    total_conversions: reservations,
    click_to_call: toBigintValue(totals.click_to_call),
    email_contacts: toBigintValue(totals.email_contacts),
    booking_step_1: toBigintValue(totals.booking_step_1),
    booking_step_2: toBigintValue(totals.booking_step_2),
    booking_step_3: toBigintValue(totals.booking_step_3),
    reservations,
    reservation_value: roundTo(totals.reservation_value, 2),
    average_ctr: roundTo(rates.ctr, 2),
    average_cpc: roundTo(rates.cpc, 2),
    roas: roundTo(safeRatio(totals.reservation_value, spend), 2),
    cost_per_reservation: roundTo(safeRatio(spend, reservations), 2),
    reach: toBigintValue(reach),
    campaigns_count: rows.length === 0 ? 0 : campaignIds.size,
    data_source: 'meta_api',
    platform: 'meta',
  };
}

/**
 * Campaign x day rows of one ad account (many campaigns, many days) → one `daily_kpi_data` row
 * per day, ascending by date.
 *
 * @example
 * const kpis = buildDailyKpiRows(rows, { mappings, days: dateRange(since, until) });
 * await repo.upsertDailyKpi(kpis.map((k) => ({ ...k, client_id: clientId })));
 */
export function buildDailyKpiRows(
  rows: readonly InsightsRow[],
  options: DailyKpiOptions = {},
): DailyKpiRow[] {
  const byDay = groupRowsByDay(rows);
  const accountByDay = options.accountRows
    ? groupRowsByDay(options.accountRows)
    : new Map<IsoDate, InsightsRow[]>();
  const days = new Set<IsoDate>(byDay.keys());
  for (const day of options.days ?? []) {
    if (!isIsoDate(day)) throw new RangeError(`Not a YYYY-MM-DD day: ${JSON.stringify(day)}`);
    days.add(day);
  }
  return [...days]
    .sort()
    .map((day) => dailyRow(day, byDay.get(day) ?? [], accountByDay.get(day)?.[0], options.mappings));
}

/**
 * Campaign x day insights rows → raw rows for this system's campaign-day table: numbers for the
 * scalar metrics, the action arrays kept as Meta sent them (re-parsable if the app's rules change).
 *
 * @example
 * toCampaignInsightRows(rows, 'act_438600948208231', clientId)[0]?.ad_account_id // '438600948208231'
 */
export function toCampaignInsightRows(
  rows: readonly InsightsRow[],
  adAccountId: string,
  clientId: string,
): CampaignInsightRow[] {
  const bareAccountId = adAccountId.trim().replace(/^act_/, '');
  const seen = new Set<string>();
  return rows.map((row, index) => {
    const num = (field: string): number => toMetricNumber(rowString(row, field));
    const campaignId = rowString(row, 'campaign_id');
    if (!campaignId) throw new RangeError(`Insights row ${index} has no campaign_id: request level=campaign`);
    const date = rowDay(row, index);
    // One upsert cannot touch a key twice (Postgres rejects the whole statement), so say which row.
    const key = `${campaignId}|${date}`;
    if (seen.has(key))
      throw new RangeError(`Insights row ${index} repeats campaign ${campaignId} on ${date}`);
    seen.add(key);
    return {
      client_id: clientId,
      ad_account_id: bareAccountId,
      campaign_id: campaignId,
      campaign_name: rowString(row, 'campaign_name') ?? '',
      date,
      spend: num('spend'),
      impressions: toBigintValue(rowString(row, 'impressions')),
      clicks: toBigintValue(rowString(row, 'clicks')),
      inline_link_clicks: toBigintValue(rowString(row, 'inline_link_clicks')),
      ctr: num('ctr'),
      inline_link_click_ctr: num('inline_link_click_ctr'),
      cpc: num('cpc'),
      cost_per_inline_link_click: num('cost_per_inline_link_click'),
      cpm: num('cpm'),
      cpp: num('cpp'),
      reach: toBigintValue(rowString(row, 'reach')),
      frequency: num('frequency'),
      actions: rowActions(row, 'actions'),
      action_values: rowActions(row, 'action_values'),
      conversions: rowActions(row, 'conversions'),
      cost_per_action_type: rowActions(row, 'cost_per_action_type'),
    };
  });
}
