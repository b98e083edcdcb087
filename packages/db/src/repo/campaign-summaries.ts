/**
 * @module repo/campaign-summaries
 * The app's permanent store `campaign_summaries` (Meta rows: `platform = 'meta'`, monthly on the 1st, weekly
 * on the ISO Monday), with this system's bookkeeping (`meta_summary_periods`), history of changes
 * (`meta_summary_changes`) and drift checks (`meta_summary_drift`), migration 0007.
 *
 * One writer, never worse data: a row is written only through `meta_write_campaign_summary` (one
 * transaction: the row, its bookkeeping and its history), and only if the row is still what the worker read
 * (`expected`): a row another writer touched in between is not overwritten (`conflict`), and a client whose
 * ad account changed since the job was planned gets nothing (`superseded`). `last_updated = now()` of the
 * database, as the app's freshness trigger expects.
 */
import { z } from 'zod';
import { toDbError } from '../errors/db-error.ts';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { quote, requireDate, requireInteger, requireNumber, requireUuid } from './values.ts';

const WRITE_RPC = 'meta_write_campaign_summary';
const TIME_ZONES_RPC = 'meta_client_time_zones';

export type SummaryType = 'monthly' | 'weekly';

/** The columns of a Meta `campaign_summaries` row this system writes (the app's names and types). */
export interface CampaignSummaryColumns {
  client_id: string;
  summary_type: SummaryType;
  /** 1st of the month, or the ISO Monday (CHECK weekly_must_be_monday). */
  summary_date: string;
  platform: 'meta';
  total_spend: number;
  /** BIGINT columns: integers. */
  total_impressions: number;
  total_clicks: number;
  total_conversions: number;
  average_ctr: number;
  average_cpc: number;
  average_cpa: number;
  active_campaigns: number;
  total_campaigns: number;
  active_campaign_count: number;
  click_to_call: number;
  email_contacts: number;
  booking_step_1: number;
  booking_step_2: number;
  booking_step_3: number;
  reservations: number;
  reservation_value: number;
  roas: number;
  cost_per_reservation: number;
  reach: number;
  campaign_data: unknown[];
  meta_tables: object;
  data_source: string;
}

/** The numeric columns, BIGINT/integer ones first (rounded and checked as integers). */
export const SUMMARY_INTEGER_COLUMNS = [
  'total_impressions',
  'total_clicks',
  'total_conversions',
  'active_campaigns',
  'total_campaigns',
  'active_campaign_count',
  'click_to_call',
  'email_contacts',
  'booking_step_1',
  'booking_step_2',
  'booking_step_3',
  'reservations',
  'reach',
] as const;
export const SUMMARY_DECIMAL_COLUMNS = [
  'total_spend',
  'average_ctr',
  'average_cpc',
  'average_cpa',
  'reservation_value',
  'roas',
  'cost_per_reservation',
] as const;
export type SummaryNumberColumn =
  | (typeof SUMMARY_INTEGER_COLUMNS)[number]
  | (typeof SUMMARY_DECIMAL_COLUMNS)[number];

/** The stored row, as read back (the written columns plus what tells its writer apart). */
export type StoredCampaignSummary = Omit<CampaignSummaryColumns, 'data_source'> & {
  data_source: string | null;
  last_updated: string | null;
};

/** What is known of one period without reading its JSON: the row (if any) and the engine's bookkeeping. */
export interface SummaryPeriodState {
  summaryDate: string;
  /** The row in campaign_summaries, if there is one. */
  row: { lastUpdated: string | null; dataSource: string | null } | null;
  /** The engine's bookkeeping of its last complete fetch, if any. */
  book: {
    periodEnd: string;
    outcome: 'written' | 'unchanged' | 'empty';
    fetchedOn: string;
    writtenAt: string | null;
    contentHash: string | null;
    /** The run of the last complete fetch. */
    runId: string | null;
  } | null;
}

export interface SummaryChangeInput {
  change: 'created' | 'restated' | 'replaced';
  previousSource: string | null;
  previousLastUpdated: string | null;
  /** `{ <column>: { before, after, delta } }` of the numbers that changed. */
  metrics: Record<string, { before: number | null; after: number; delta: number | null }>;
  /** JSON parts that changed (`campaign_data`, each meta table): `{ before, after }` row counts. */
  tables: Record<string, { before: number | null; after: number }>;
}

export interface WriteSummaryInput {
  row: CampaignSummaryColumns;
  /** The bare ad account id the numbers are for (the write is refused when the client's changed). */
  adAccountId: string;
  /** The row as the worker read it: none, or one with this last_updated. */
  expected: { exists: boolean; lastUpdated: string | null };
  period: { periodEnd: string; fetchedOn: string; contentHash: string; runId: string };
  change: SummaryChangeInput;
}

export interface WriteSummaryResult {
  outcome: 'written' | 'conflict' | 'superseded';
  lastUpdated: string | null;
}

export interface SummaryChange {
  clientId: string;
  summaryType: SummaryType;
  summaryDate: string;
  changedAt: string;
  change: SummaryChangeInput['change'];
  previousSource: string | null;
  metrics: SummaryChangeInput['metrics'];
  tables: SummaryChangeInput['tables'];
  runId: string | null;
}

export interface DriftRow {
  checkId: string;
  clientId: string;
  summaryType: SummaryType;
  summaryDate: string;
  tableName: string;
  metric: string;
  stored: number | null;
  fresh: number | null;
  runId: string;
}

/** Sums of one client's Meta `daily_kpi_data` rows over a date range. */
export interface DailyKpiSums {
  days: number;
  total_spend: number;
  total_impressions: number;
  total_clicks: number;
  total_conversions: number;
  reservations: number;
  reservation_value: number;
  click_to_call: number;
  email_contacts: number;
  booking_step_1: number;
  booking_step_2: number;
  booking_step_3: number;
}

/** The columns `sumDailyKpiRows` adds up. */
const DAILY_KPI_SUM_COLUMNS = [
  'total_spend',
  'total_impressions',
  'total_clicks',
  'total_conversions',
  'reservations',
  'reservation_value',
  'click_to_call',
  'email_contacts',
  'booking_step_1',
  'booking_step_2',
  'booking_step_3',
] as const;

/** What a read for `sumDailyKpiRows` selects from `daily_kpi_data` (the date, and the columns it adds up). */
export const DAILY_KPI_SUM_SELECT = `date,${DAILY_KPI_SUM_COLUMNS.join(',')}`;

/** At most this many rows per read (a year and a month of days). */
export const DAILY_KPI_SUM_LIMIT = 400;

/**
 * The sums of `daily_kpi_data` rows (DAILY_KPI_SUM_SELECT) dated `since` to `until` (pure): rows outside the
 * range are left out, a missing or non-numeric value counts 0.
 *
 * @example
 * sumDailyKpiRows([{ date: '2026-07-01', total_spend: 10 }], '2026-07-01', '2026-07-31').total_spend // 10
 */
export function sumDailyKpiRows(
  rows: ReadonlyArray<Record<string, unknown>>,
  since: string,
  until: string,
): DailyKpiSums {
  const inRange = rows.filter((row) => {
    const date = String(row.date ?? '');
    return date >= since && date <= until;
  });
  const sums = { days: inRange.length } as DailyKpiSums;
  for (const key of DAILY_KPI_SUM_COLUMNS) {
    sums[key] = inRange.reduce((sum, row) => sum + (Number(row[key] ?? 0) || 0), 0);
  }
  return sums;
}

const STORED_COLUMNS = [
  'client_id',
  'summary_type',
  'summary_date',
  'platform',
  ...SUMMARY_INTEGER_COLUMNS,
  ...SUMMARY_DECIMAL_COLUMNS,
  'campaign_data',
  'meta_tables',
  'data_source',
  'last_updated',
].join(',');

const writeAnswer = z.object({
  outcome: z.enum(['written', 'conflict', 'superseded']),
  last_updated: z.string().nullable(),
});

const bookRow = z.object({
  summary_date: z.string(),
  period_end: z.string(),
  outcome: z.enum(['written', 'unchanged', 'empty']),
  fetched_on: z.string(),
  written_at: z.string().nullable(),
  content_hash: z.string().nullable(),
  run_id: z.string().nullable(),
});

const changeRow = z.object({
  client_id: z.string(),
  summary_type: z.enum(['monthly', 'weekly']),
  summary_date: z.string(),
  changed_at: z.string(),
  change: z.enum(['created', 'restated', 'replaced']),
  previous_source: z.string().nullable(),
  metrics: z.record(z.string(), z.any()),
  tables: z.record(z.string(), z.any()),
  run_id: z.string().nullable(),
});

function requireType(table: string, value: unknown): SummaryType {
  if (value !== 'monthly' && value !== 'weekly') {
    throw new InvalidRowError(table, 'summary_type', `expected 'monthly' or 'weekly', got ${quote(value)}`);
  }
  return value;
}

/** Checks a row before it leaves the process: integers where the app has BIGINT, a Monday for weekly rows. */
export function toSummaryColumns(row: CampaignSummaryColumns): CampaignSummaryColumns {
  const t = TABLES.campaignSummaries;
  const summaryType = requireType(t, row.summary_type);
  const date = requireDate(t, 'summary_date', row.summary_date);
  const day = new Date(`${date}T00:00:00Z`);
  if (summaryType === 'weekly' && day.getUTCDay() !== 1) {
    throw new InvalidRowError(t, 'summary_date', `a weekly row starts on a Monday, got ${date}`);
  }
  if (summaryType === 'monthly' && day.getUTCDate() !== 1) {
    throw new InvalidRowError(t, 'summary_date', `a monthly row starts on the 1st, got ${date}`);
  }
  if (row.platform !== 'meta')
    throw new InvalidRowError(t, 'platform', `expected 'meta', got ${quote(row.platform)}`);
  const out = { ...row, client_id: requireUuid(t, 'client_id', row.client_id), summary_date: date };
  for (const column of SUMMARY_INTEGER_COLUMNS) {
    const value = requireNumber(t, column, row[column]);
    if (!Number.isInteger(value)) {
      throw new InvalidRowError(t, column, `BIGINT columns take integers, got ${value}`);
    }
    out[column] = requireInteger(t, column, value);
  }
  for (const column of SUMMARY_DECIMAL_COLUMNS) out[column] = requireNumber(t, column, row[column]);
  if (!Array.isArray(row.campaign_data)) throw new InvalidRowError(t, 'campaign_data', 'expected an array');
  if (typeof row.meta_tables !== 'object' || row.meta_tables === null || Array.isArray(row.meta_tables)) {
    throw new InvalidRowError(t, 'meta_tables', 'expected an object');
  }
  return out;
}

export function createCampaignSummariesRepo(ctx: RepoContext) {
  const summaries = TABLES.campaignSummaries;
  const periods = TABLES.summaryPeriods;

  /**
   * The row state and the bookkeeping of every period of one kind from `from` to `to` (summary dates), in
   * two requests, without the JSON columns.
   *
   * @example
   * const states = await repo.listSummaryStates({ clientId, summaryType: 'monthly', from: '2025-12-01', to: '2026-11-01' });
   */
  async function listSummaryStates(query: {
    clientId: string;
    summaryType: SummaryType;
    from: string;
    to: string;
  }): Promise<SummaryPeriodState[]> {
    const clientId = requireUuid(summaries, 'client_id', query.clientId);
    const type = requireType(summaries, query.summaryType);
    const from = requireDate(summaries, 'summary_date', query.from);
    const to = requireDate(summaries, 'summary_date', query.to);
    const [rows, books] = await Promise.all([
      run(
        summaries,
        'select',
        ctx.client
          .from(summaries)
          .select('summary_date,last_updated,data_source')
          .eq('client_id', clientId)
          .eq('summary_type', type)
          .eq('platform', 'meta')
          .gte('summary_date', from)
          .lte('summary_date', to),
      ),
      run(
        periods,
        'select',
        ctx.client
          .from(periods)
          .select('summary_date,period_end,outcome,fetched_on,written_at,content_hash,run_id')
          .eq('client_id', clientId)
          .eq('summary_type', type)
          .gte('summary_date', from)
          .lte('summary_date', to),
      ),
    ]);
    const byDate = new Map<string, SummaryPeriodState>();
    const entry = (date: string) => {
      let state = byDate.get(date);
      if (!state) {
        state = { summaryDate: date, row: null, book: null };
        byDate.set(date, state);
      }
      return state;
    };
    for (const raw of z
      .array(
        z.object({
          summary_date: z.string(),
          last_updated: z.string().nullable(),
          data_source: z.string().nullable(),
        }),
      )
      .parse(rows)) {
      entry(raw.summary_date).row = { lastUpdated: raw.last_updated, dataSource: raw.data_source };
    }
    for (const raw of z.array(bookRow).parse(books)) {
      entry(raw.summary_date).book = {
        periodEnd: raw.period_end,
        outcome: raw.outcome,
        fetchedOn: raw.fetched_on,
        writtenAt: raw.written_at,
        contentHash: raw.content_hash,
        runId: raw.run_id,
      };
    }
    return [...byDate.values()].sort((a, b) => (a.summaryDate < b.summaryDate ? 1 : -1));
  }

  /**
   * Full Meta rows (numbers, campaign_data, meta_tables, data_source, last_updated) of the given periods.
   *
   * @example
   * const [row] = await repo.getCampaignSummaries({ clientId, summaryType: 'weekly', dates: ['2026-12-28'] });
   */
  async function getCampaignSummaries(query: {
    clientId: string;
    summaryType: SummaryType;
    dates: readonly string[];
  }): Promise<StoredCampaignSummary[]> {
    if (query.dates.length === 0) return [];
    const data = await run(
      summaries,
      'select',
      ctx.client
        .from(summaries)
        .select(STORED_COLUMNS)
        .eq('client_id', requireUuid(summaries, 'client_id', query.clientId))
        .eq('summary_type', requireType(summaries, query.summaryType))
        .eq('platform', 'meta')
        .in(
          'summary_date',
          query.dates.map((date) => requireDate(summaries, 'summary_date', date)),
        ),
    );
    return (data ?? []) as StoredCampaignSummary[];
  }

  /**
   * Writes one row, its bookkeeping and its history in one transaction (migration 0007's function), only
   * when the row is still as expected and the client still has `adAccountId`.
   *
   * @example
   * const { outcome } = await repo.writeCampaignSummary({ row, adAccountId: '123',
   *   expected: { exists: false, lastUpdated: null },
   *   period: { periodEnd: '2026-11-30', fetchedOn: '2026-12-05', contentHash, runId },
   *   change: { change: 'created', previousSource: null, previousLastUpdated: null, metrics: {}, tables: {} } });
   */
  async function writeCampaignSummary(input: WriteSummaryInput): Promise<WriteSummaryResult> {
    const row = toSummaryColumns(input.row);
    const payload = {
      row,
      ad_account_id: input.adAccountId,
      expected: { exists: input.expected.exists, last_updated: input.expected.lastUpdated },
      period: {
        period_end: requireDate(periods, 'period_end', input.period.periodEnd),
        fetched_on: requireDate(periods, 'fetched_on', input.period.fetchedOn),
        content_hash: input.period.contentHash,
        run_id: input.period.runId,
      },
      change: {
        change: input.change.change,
        previous_source: input.change.previousSource,
        previous_last_updated: input.change.previousLastUpdated,
        metrics: input.change.metrics,
        tables: input.change.tables,
      },
    };
    const { data, error, status } = await ctx.client.rpc(WRITE_RPC, { p: payload });
    if (error) throw toDbError(summaries, 'upsert', error, status);
    const answer = writeAnswer.parse(data);
    return { outcome: answer.outcome, lastUpdated: answer.last_updated };
  }

  /**
   * Records a complete fetch that wrote nothing: `unchanged` (the stored numbers were right) or `empty`
   * (no delivery: no row is written or replaced). The bookkeeping of the last write stays.
   */
  async function recordSummaryFetch(input: {
    clientId: string;
    summaryType: SummaryType;
    summaryDate: string;
    periodEnd: string;
    outcome: 'unchanged' | 'empty';
    fetchedOn: string;
    runId: string;
  }): Promise<void> {
    const row = {
      client_id: requireUuid(periods, 'client_id', input.clientId),
      summary_type: requireType(periods, input.summaryType),
      summary_date: requireDate(periods, 'summary_date', input.summaryDate),
      period_end: requireDate(periods, 'period_end', input.periodEnd),
      outcome: input.outcome,
      fetched_on: requireDate(periods, 'fetched_on', input.fetchedOn),
      fetched_at: ctx.now().toISOString(),
      run_id: input.runId,
    };
    await run(
      periods,
      'upsert',
      ctx.client.from(periods).upsert(row, { onConflict: 'client_id,summary_type,summary_date' }),
    );
  }

  /** A client's recorded changes, newest first (optionally of one period). */
  async function listSummaryChanges(query: {
    clientId: string;
    summaryType?: SummaryType;
    summaryDate?: string;
    limit?: number;
  }): Promise<SummaryChange[]> {
    const table = TABLES.summaryChanges;
    let select = ctx.client
      .from(table)
      .select('client_id,summary_type,summary_date,changed_at,change,previous_source,metrics,tables,run_id')
      .eq('client_id', requireUuid(table, 'client_id', query.clientId));
    if (query.summaryType) select = select.eq('summary_type', requireType(table, query.summaryType));
    if (query.summaryDate)
      select = select.eq('summary_date', requireDate(table, 'summary_date', query.summaryDate));
    const data = await run(
      table,
      'select',
      select.order('id', { ascending: false }).limit(Math.min(Math.max(query.limit ?? 100, 1), 1000)),
    );
    return z
      .array(changeRow)
      .parse(data)
      .map((r) => ({
        clientId: r.client_id,
        summaryType: r.summary_type,
        summaryDate: r.summary_date,
        changedAt: r.changed_at,
        change: r.change,
        previousSource: r.previous_source,
        metrics: r.metrics,
        tables: r.tables,
        runId: r.run_id,
      }));
  }

  /** Records one drift check (one row per table and metric); delta and delta_pct are computed here. */
  async function recordDrift(rows: readonly DriftRow[]): Promise<void> {
    if (rows.length === 0) return;
    const table = TABLES.summaryDrift;
    const columns = rows.map((r, index) => {
      const stored = r.stored === null ? null : requireNumber(table, 'stored', r.stored, index);
      const fresh = r.fresh === null ? null : requireNumber(table, 'fresh', r.fresh, index);
      const delta = stored === null || fresh === null ? null : fresh - stored;
      return {
        check_id: requireUuid(table, 'check_id', r.checkId, index),
        client_id: requireUuid(table, 'client_id', r.clientId, index),
        summary_type: requireType(table, r.summaryType),
        summary_date: requireDate(table, 'summary_date', r.summaryDate, index),
        table_name: r.tableName,
        metric: r.metric,
        stored,
        fresh,
        delta,
        delta_pct: delta === null || !stored ? null : Math.round((10_000 * delta) / stored) / 100,
        run_id: r.runId,
      };
    });
    await run(table, 'insert', ctx.client.from(table).insert(columns));
  }

  /**
   * One client's `daily_kpi_data` Meta rows (data_source `meta_api`) from `since` to `until`, with the
   * columns `sumDailyKpiRows` adds up.
   */
  async function listDailyKpiSumRows(query: {
    clientId: string;
    since: string;
    until: string;
  }): Promise<Array<Record<string, unknown>>> {
    const table = TABLES.dailyKpi;
    const data = await run(
      table,
      'select',
      ctx.client
        .from(table)
        .select(DAILY_KPI_SUM_SELECT)
        .eq('client_id', requireUuid(table, 'client_id', query.clientId))
        .eq('data_source', 'meta_api')
        .gte('date', requireDate(table, 'date', query.since))
        .lte('date', requireDate(table, 'date', query.until))
        .limit(DAILY_KPI_SUM_LIMIT),
    );
    return (data ?? []) as Array<Record<string, unknown>>;
  }

  /** Sums of one client's `daily_kpi_data` Meta rows (data_source `meta_api`) from `since` to `until`. */
  async function sumDailyKpi(query: {
    clientId: string;
    since: string;
    until: string;
  }): Promise<DailyKpiSums> {
    return sumDailyKpiRows(await listDailyKpiSumRows(query), query.since, query.until);
  }

  /**
   * The ad account time zone of each client from its newest validation that reported one (null when none
   * did), in one request (migration 0007).
   */
  async function getClientTimeZones(clientIds: readonly string[]): Promise<Map<string, string | null>> {
    const ids = clientIds.map((id) => requireUuid(TABLES.validations, 'client_id', id));
    const zones = new Map<string, string | null>();
    if (ids.length === 0) return zones;
    const { data, error, status } = await ctx.client.rpc(TIME_ZONES_RPC, { p_ids: ids });
    if (error) throw toDbError(TABLES.validations, 'select', error, status);
    for (const row of z
      .array(z.object({ client_id: z.string(), timezone_name: z.string().nullable() }))
      .parse(data)) {
      zones.set(row.client_id, row.timezone_name);
    }
    return zones;
  }

  return {
    listSummaryStates,
    getCampaignSummaries,
    writeCampaignSummary,
    recordSummaryFetch,
    listSummaryChanges,
    recordDrift,
    sumDailyKpi,
    listDailyKpiSumRows,
    getClientTimeZones,
  };
}
