/**
 * @module repo/client-overview
 * What the operator console shows per client, read with the `meta_client_overview` function (migration
 * 0005): one request per 1,000 clients, whatever the number of tables behind it (client, control, newest
 * validation, sync state per task, the newest cache rows, collected days). Facts only: what counts as
 * fresh, stale or failing is the producer's business.
 */
import { z } from 'zod';
import type { ClientControl } from './client-controls.ts';
import { API_STATUSES, type ApiStatus, MAX_PAGE_SIZE } from './clients.ts';
import { type RepoContext, run } from './context.ts';
import { isUuid } from './values.ts';

const CLIENT_OVERVIEW_RPC = 'meta_client_overview';

/** The newest validation check of a client. */
export interface ValidationSnapshot {
  outcome: string;
  checkedAt: string;
  accountStatus: number | null;
  accountName: string | null;
  errorCode: number | null;
  errorSubcode: number | null;
  errorMessage: string | null;
  runId: string | null;
}

/** One task's `meta_sync_state` row. */
export interface TaskSyncSnapshot {
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: { category: string; code: number | string | null; message: string } | null;
  highWaterDate: string | null;
  lastRunId: string | null;
}

/** One cache row's period and write time. */
export interface CachePeriodSnapshot {
  periodId: string;
  lastUpdated: string;
}

/** The client's `meta_client_controls` row (see repo/client-controls). */
export type ClientControlSnapshot = Omit<ClientControl, 'clientId'>;

export interface ClientOverview {
  id: string;
  name: string;
  /** `clients.ad_account_id` as stored. */
  rawAdAccountId: string;
  apiStatus: ApiStatus;
  tokenHealthStatus: string | null;
  lastTokenValidation: string | null;
  control: ClientControlSnapshot | null;
  lastValidation: ValidationSnapshot | null;
  /** The newest check that learned something (not `check_failed`). */
  lastConclusiveCheckAt: string | null;
  /** The ad account's IANA time zone from the newest check that reported one. */
  timezone: string | null;
  /** By task name (`validate`, `refresh-cache`, `collect-insights`). */
  syncState: Record<string, TaskSyncSnapshot>;
  /** Newest first, at most 2. */
  monthCache: CachePeriodSnapshot[];
  weekCache: CachePeriodSnapshot[];
  /**
   * The client's `daily_kpi_data` days with data_source `meta_api`: first and last day always; how many
   * days there are only from `getClientOverview` (null in listings, where counting costs too much).
   */
  collected: { days: number | null; firstDay: string | null; lastDay: string | null };
}

const nullableText = z.string().nullable().optional();
const nullableNumber = z.number().nullable().optional();
const cacheList = z
  .array(z.object({ period_id: z.string(), last_updated: z.string() }))
  .nullable()
  .transform((rows) => (rows ?? []).map((r) => ({ periodId: r.period_id, lastUpdated: r.last_updated })));

const overviewRow = z.object({
  id: z.string(),
  name: z.string().nullable(),
  ad_account_id: z.string().nullable(),
  api_status: z.enum(API_STATUSES),
  token_health_status: nullableText,
  last_token_validation: nullableText,
  control: z
    .object({
      paused: z.boolean(),
      reason: nullableText,
      changed_by: nullableText,
      paused_at: nullableText,
      resumed_at: nullableText,
      updated_at: z.string(),
    })
    .nullable(),
  last_validation: z
    .object({
      outcome: z.string(),
      checked_at: z.string(),
      account_status: nullableNumber,
      account_name: nullableText,
      error_code: nullableNumber,
      error_subcode: nullableNumber,
      error_message: nullableText,
      run_id: nullableText,
    })
    .nullable(),
  last_conclusive_check_at: nullableText,
  timezone_name: nullableText,
  sync_state: z
    .record(
      z.string(),
      z.object({
        last_success_at: nullableText,
        last_error_at: nullableText,
        last_error: z
          .object({
            category: z.string(),
            code: z.union([z.number(), z.string()]).nullable().optional(),
            message: z.string(),
          })
          .nullable()
          .optional(),
        high_water_date: nullableText,
        last_run_id: nullableText,
      }),
    )
    .nullable(),
  month_cache: cacheList,
  week_cache: cacheList,
  days_collected: z.number().nullable(),
  first_day: nullableText,
  last_day: nullableText,
});

function toOverview(raw: unknown): ClientOverview {
  const row = overviewRow.parse(raw);
  const syncState: Record<string, TaskSyncSnapshot> = {};
  for (const [task, s] of Object.entries(row.sync_state ?? {})) {
    syncState[task] = {
      lastSuccessAt: s.last_success_at ?? null,
      lastErrorAt: s.last_error_at ?? null,
      lastError: s.last_error ? { ...s.last_error, code: s.last_error.code ?? null } : null,
      highWaterDate: s.high_water_date ?? null,
      lastRunId: s.last_run_id ?? null,
    };
  }
  const v = row.last_validation;
  const k = row.control;
  return {
    id: row.id,
    name: row.name ?? '',
    rawAdAccountId: row.ad_account_id ?? '',
    apiStatus: row.api_status,
    tokenHealthStatus: row.token_health_status ?? null,
    lastTokenValidation: row.last_token_validation ?? null,
    control: k
      ? {
          paused: k.paused,
          reason: k.reason ?? null,
          changedBy: k.changed_by ?? null,
          pausedAt: k.paused_at ?? null,
          resumedAt: k.resumed_at ?? null,
          updatedAt: k.updated_at,
        }
      : null,
    lastValidation: v
      ? {
          outcome: v.outcome,
          checkedAt: v.checked_at,
          accountStatus: v.account_status ?? null,
          accountName: v.account_name ?? null,
          errorCode: v.error_code ?? null,
          errorSubcode: v.error_subcode ?? null,
          errorMessage: v.error_message ?? null,
          runId: v.run_id ?? null,
        }
      : null,
    lastConclusiveCheckAt: row.last_conclusive_check_at ?? null,
    timezone: row.timezone_name ?? null,
    syncState,
    monthCache: row.month_cache,
    weekCache: row.week_cache,
    collected: {
      days: row.days_collected ?? null,
      firstDay: row.first_day ?? null,
      lastDay: row.last_day ?? null,
    },
  };
}

export function createClientOverviewRepo(ctx: RepoContext) {
  async function call(params: Record<string, unknown>): Promise<ClientOverview[]> {
    const rows = (await run(CLIENT_OVERVIEW_RPC, 'select', ctx.client.rpc(CLIENT_OVERVIEW_RPC, params))) as
      | unknown[]
      | null;
    return (rows ?? []).map(toOverview);
  }

  /**
   * Pages of client overviews (clients with an ad account), ordered by id: one request per page of up to
   * 1,000 clients.
   *
   * @example
   * for await (const page of repo.listClientOverviews()) for (const c of page) show(c);
   */
  async function* listClientOverviews(
    options: { pageSize?: number; afterId?: string } = {},
  ): AsyncGenerator<ClientOverview[]> {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
    }
    let after = options.afterId;
    for (;;) {
      const page = await call({ p_limit: pageSize, ...(after === undefined ? {} : { p_after: after }) });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** Every client's overview (all pages). */
  async function collectClientOverviews(options: { pageSize?: number } = {}): Promise<ClientOverview[]> {
    const all: ClientOverview[] = [];
    for await (const page of listClientOverviews(options)) all.push(...page);
    return all;
  }

  /** One client's overview, or null (no such client, no ad account, or not a uuid). */
  async function getClientOverview(clientId: string): Promise<ClientOverview | null> {
    if (!isUuid(clientId)) return null;
    const [overview] = await call({ p_client: clientId.toLowerCase(), p_limit: 1 });
    return overview ?? null;
  }

  return { listClientOverviews, collectClientOverviews, getClientOverview };
}
