/**
 * @module repo/job-context
 * What a refresh-cache or collect-insights job reads before its Meta calls, in ONE PostgREST request: the
 * client's row, its conversion mappings, its latest validations and, when asked, one task's sync state and
 * the Meta `daily_kpi_data` rows of a date range, as resources embedded in `clients` (each of those tables
 * references `clients.id`). Read one by one, that was four requests for a refresh job and two or three for a
 * collect job, each costing the worker about 0.2 ms of CPU (postgrest-js, undici, the answer) and PostgREST
 * and Postgres about as much again (issue 17).
 *
 * Where the app's schema lacks one of the tables or a column (`client_dashboard_config` is the app's, not
 * ours), the one request fails as a whole: the separate reads are used then, each handling its own gap as
 * before (no mappings: the defaults apply), and for a minute after without trying the one request again.
 */

import { DAILY_KPI_SUM_LIMIT, DAILY_KPI_SUM_SELECT } from './campaign-summaries.ts';
import { CLIENT_COLUMNS, type Client, type InvalidClient, toClient } from './clients.ts';
import { type RepoContext, run } from './context.ts';
import { MISSING_RELATION_CODES, toConversionMappings } from './dashboard-config.ts';
import { requireTask, SYNC_STATE_COLUMNS, type SyncState, toSyncState } from './sync-state.ts';
import { TABLES } from './tables.ts';
import { requireDate, requireUuid } from './values.ts';

export interface JobContext {
  /** null when there is no such client (deleted): a job then writes nothing. */
  client: Client | InvalidClient | null;
  /** `client_dashboard_config.conversion_mappings`, null when absent (see `getConversionMappings`). */
  conversionMappings: Record<string, unknown> | null;
  /** The client's latest validations, newest first, as `listValidations` answers them. */
  validations: Record<string, unknown>[];
  /** The sync state of `syncTask`, null before its first run or when no task was asked for. */
  syncState: SyncState | null;
  /** The Meta `daily_kpi_data` rows of `dailyKpi`'s range (for `sumDailyKpiRows`); [] when not asked for. */
  dailyKpiRows: Array<Record<string, unknown>>;
}

export interface JobContextOptions {
  /** How many of the latest validations (default 5, at most 100). */
  validations?: number;
  /** Also the sync state of this task (e.g. `collect-insights`). */
  syncTask?: string;
  /** Also the client's Meta `daily_kpi_data` rows from `since` to `until` (`YYYY-MM-DD`, at most 400). */
  dailyKpi?: { since: string; until: string };
}

/** The separate reads, used when the one request cannot be made on this schema. */
export interface SeparateReads {
  getClient(id: string): Promise<Client | InvalidClient | null>;
  getConversionMappings(clientId: string): Promise<Record<string, unknown> | null>;
  listValidations(clientId: string, limit?: number): Promise<Record<string, unknown>[]>;
  getSyncState(clientId: string, task: string): Promise<SyncState | null>;
  listDailyKpiSumRows(query: {
    clientId: string;
    since: string;
    until: string;
  }): Promise<Array<Record<string, unknown>>>;
}

const SEPARATE_FOR_MS = 60_000;

export function createJobContextRepo(ctx: RepoContext, separate: SeparateReads) {
  let separateUntil = 0;

  async function readSeparately(
    clientId: string,
    limit: number,
    task: string | undefined,
    days: JobContextOptions['dailyKpi'],
  ): Promise<JobContext> {
    const [client, conversionMappings, validations, syncState, dailyKpiRows] = await Promise.all([
      separate.getClient(clientId),
      separate.getConversionMappings(clientId),
      separate.listValidations(clientId, limit),
      task === undefined ? null : separate.getSyncState(clientId, task),
      days === undefined ? [] : separate.listDailyKpiSumRows({ clientId, ...days }),
    ]);
    return { client, conversionMappings, validations, syncState, dailyKpiRows };
  }

  /**
   * See the module comment. Throws `InvalidRowError` for a client id that is not a uuid, `DbError` when the
   * database does not answer.
   *
   * @example
   * const { client, conversionMappings, validations, syncState } =
   *   await repo.getJobContext(clientId, { validations: 5, syncTask: 'collect-insights' });
   */
  async function getJobContext(clientId: string, options: JobContextOptions = {}): Promise<JobContext> {
    const id = requireUuid(TABLES.clients, 'id', clientId);
    const limit = Math.min(100, Math.max(1, Math.floor(options.validations ?? 5)));
    const task = options.syncTask === undefined ? undefined : requireTask(options.syncTask);
    const days = options.dailyKpi && {
      since: requireDate(TABLES.dailyKpi, 'date', options.dailyKpi.since),
      until: requireDate(TABLES.dailyKpi, 'date', options.dailyKpi.until),
    };
    if (Date.now() < separateUntil) return readSeparately(id, limit, task, days);

    const embedded = [
      `${TABLES.dashboardConfig}(conversion_mappings)`,
      `${TABLES.validations}(*)`,
      ...(task === undefined ? [] : [`${TABLES.syncState}(${SYNC_STATE_COLUMNS})`]),
      ...(days === undefined ? [] : [`${TABLES.dailyKpi}(${DAILY_KPI_SUM_SELECT})`]),
    ];
    let query = ctx.client
      .from(TABLES.clients)
      .select(`${CLIENT_COLUMNS},${embedded.join(',')}`)
      .eq('id', id)
      .order('checked_at', { referencedTable: TABLES.validations, ascending: false })
      .limit(limit, { referencedTable: TABLES.validations });
    if (task !== undefined) query = query.eq(`${TABLES.syncState}.task`, task);
    if (days !== undefined) {
      query = query
        .eq(`${TABLES.dailyKpi}.data_source`, 'meta_api')
        .gte(`${TABLES.dailyKpi}.date`, days.since)
        .lte(`${TABLES.dailyKpi}.date`, days.until)
        .limit(DAILY_KPI_SUM_LIMIT, { referencedTable: TABLES.dailyKpi });
    }
    const { data, error, status } = await query.maybeSingle();
    if (error && MISSING_RELATION_CODES.has(error.code)) {
      separateUntil = Date.now() + SEPARATE_FOR_MS;
      return readSeparately(id, limit, task, days);
    }
    const raw = (await run(TABLES.clients, 'select', Promise.resolve({ data, error, status }))) as Record<
      string,
      unknown
    > | null;
    if (raw === null) {
      return { client: null, conversionMappings: null, validations: [], syncState: null, dailyKpiRows: [] };
    }
    const {
      [TABLES.dashboardConfig]: config,
      [TABLES.validations]: validations,
      [TABLES.syncState]: states,
      [TABLES.dailyKpi]: dailyKpiRows,
      ...clientRow
    } = raw;
    // One config row per client (unique client_id): PostgREST embeds it as an object, older ones as a list.
    const configRow = (Array.isArray(config) ? config[0] : config) as {
      conversion_mappings?: unknown;
    } | null;
    const stateRow = Array.isArray(states) ? states[0] : states;
    return {
      client: toClient(clientRow),
      conversionMappings: toConversionMappings(configRow?.conversion_mappings),
      validations: Array.isArray(validations) ? (validations as Record<string, unknown>[]) : [],
      syncState: stateRow ? toSyncState(stateRow) : null,
      dailyKpiRows: Array.isArray(dailyKpiRows) ? (dailyKpiRows as Array<Record<string, unknown>>) : [],
    };
  }

  return { getJobContext };
}
