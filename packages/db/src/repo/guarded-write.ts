/**
 * @module repo/guarded-write
 * A job's writes, made only while the client still serves the job's ad account (migration 0006,
 * `meta_guarded_write`; issue 12.1). The check and the write are one PostgREST request and one transaction
 * (the client row share-locked), so no extra round trip is spent on it. When the client moved to another
 * ad account, was paused by an operator or was deleted, nothing is written, the task's sync state notes
 * it (`last_superseded`), and `ClientSupersededError` is thrown.
 *
 * Rows are checked and converted by the same functions as the unguarded writes; large row sets go out in
 * chunks of `chunkSize` rows, each guarded, with the caches and the sync state in the last request (a sync
 * success is recorded only after every row of the call was written).
 *
 * @example
 * await repo.guardedWrite(
 *   { clientId, adAccountId: '123', task: 'refresh-cache', runId },
 *   { monthCache: { periodId: '2026-07', cacheData }, weekCache: { periodId: '2026-W29', cacheData: week },
 *     syncSuccess: {} },
 * );
 */
import { z } from 'zod';
import { ClientSupersededError, SUPERSEDED_REASONS } from '../errors/client-superseded-error.ts';
import { DbError, toDbError } from '../errors/db-error.ts';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { chunk, lastPerKey } from './bulk.ts';
import { type CampaignInsightRow, insightRowColumns } from './campaign-insights.ts';
import type { RepoContext } from './context.ts';
import { type DailyKpiRow, dailyKpiRowColumns } from './daily-kpi.ts';
import { assertCachesHaveNoSecrets, type CacheWrite, cacheColumns, tableOf } from './period-cache.ts';
import { requireTask, type SyncError, syncErrorColumn } from './sync-state.ts';
import { TABLES } from './tables.ts';
import { quote, requireDate, requireUuid } from './values.ts';

/** Migration 0006's function. */
export const GUARDED_WRITE_RPC = 'meta_guarded_write';

/** Whose results these are: the write happens only while the client still serves `adAccountId`. */
export interface WriteGuard {
  clientId: string;
  /** The ad account the job served (`123` or `act_123`; a malformed id as it was stored). */
  adAccountId: string;
  /** The task whose sync state the writes (and a refusal) go to. */
  task: string;
  runId: string;
}

export interface GuardedWrites {
  monthCache?: Omit<CacheWrite, 'clientId'>;
  weekCache?: Omit<CacheWrite, 'clientId'>;
  /** Written under the guard's client and account, whatever the rows say. */
  campaignInsights?: readonly Omit<CampaignInsightRow, 'clientId' | 'adAccountId'>[];
  dailyKpi?: readonly Omit<DailyKpiRow, 'clientId'>[];
  /** last_success_at = now; the high-water date is raised (or replaced when the state was another account's). */
  syncSuccess?: { highWaterDate?: string | null };
  syncFailure?: SyncError;
}

export interface GuardedWriteResult {
  campaignInsights: number;
  dailyKpi: number;
  /** PostgREST requests made. */
  requests: number;
}

const answerSchema = z.union([
  z.object({ written: z.literal(true) }),
  z.object({
    written: z.literal(false),
    reason: z.enum(SUPERSEDED_REASONS),
    current_ad_account_id: z.string().nullable(),
  }),
]);

/**
 * The guard's account in the spelling `meta_campaign_insights` stores: trimmed, without the `act_` the
 * app's `clients.ad_account_id` sometimes carries (the function compares both spellings anyway).
 */
function guardAccount(adAccountId: string): string {
  const trimmed = String(adAccountId).trim();
  return /^act_\d+$/.test(trimmed) ? trimmed.slice(4) : trimmed;
}

export function createGuardedWriteRepo(ctx: RepoContext) {
  /**
   * Writes `writes` for the guard's client, or throws `ClientSupersededError` (nothing written by that
   * request) when the client no longer serves the guard's ad account. Every row is checked before the
   * first request: a cache holding a key named like a token, or a string containing one of
   * `options.secrets` (the caller's token and app secret), throws InvalidRowError (`secret: true`) and
   * nothing is sent.
   */
  async function guardedWrite(
    guard: WriteGuard,
    writes: GuardedWrites,
    options: { secrets?: readonly string[] } = {},
  ): Promise<GuardedWriteResult> {
    const clientId = requireUuid(TABLES.syncState, 'client_id', guard.clientId);
    const task = requireTask(guard.task);
    const account = guardAccount(guard.adAccountId);
    if (account === '')
      throw new InvalidRowError(TABLES.clients, 'ad_account_id', 'the guard needs an ad account');
    const now = ctx.now().toISOString();

    const singles: Record<string, unknown> = {};
    // Checked for secrets with the request's own text, below.
    const caches: Array<{ table: string; data: unknown }> = [];
    if (writes.monthCache) {
      const { period_id, cache_data, last_updated } = cacheColumns(
        'month',
        { ...writes.monthCache, clientId },
        now,
      );
      singles.month_cache = { period_id, cache_data, last_updated };
      caches.push({ table: tableOf('month'), data: cache_data });
    }
    if (writes.weekCache) {
      const { period_id, cache_data, last_updated } = cacheColumns(
        'week',
        { ...writes.weekCache, clientId },
        now,
      );
      singles.week_cache = { period_id, cache_data, last_updated };
      caches.push({ table: tableOf('week'), data: cache_data });
    }
    if (writes.syncSuccess) {
      const high = writes.syncSuccess.highWaterDate;
      singles.sync_success = {
        at: now,
        high_water_date: high ? requireDate(TABLES.syncState, 'high_water_date', high) : null,
      };
    }
    if (writes.syncFailure) singles.sync_failure = { at: now, error: syncErrorColumn(writes.syncFailure) };

    // The client and the account are the guard's (checked above, once): each row's own columns are checked.
    const insightRows = writes.campaignInsights ?? [];
    if (insightRows.length > 0 && !/^\d+$/.test(account)) {
      throw new InvalidRowError(
        TABLES.campaignInsights,
        'ad_account_id',
        `not an ad account id: ${quote(account)}`,
      );
    }
    const insights = lastPerKey(
      insightRows.map((row, index) => insightRowColumns(row, index, now)),
      (c) => `${c.campaign_id}|${c.date}`,
    );
    const kpis = lastPerKey(
      (writes.dailyKpi ?? []).map((row, index) => dailyKpiRowColumns(row, index, now)),
      (c) => c.date,
    );

    // Row chunks first (the n-th chunk of campaign rows and the n-th of daily KPIs share a request: a collect
    // job's month is one request, not two), the caches and the sync state with the last request.
    const size = ctx.chunkSize;
    const insightParts = chunk(insights, size);
    const kpiParts = chunk(kpis, size);
    const requests: Array<Record<string, unknown>> = [];
    for (let index = 0; index < Math.max(insightParts.length, kpiParts.length, 1); index++) {
      const request: Record<string, unknown> = {};
      if (insightParts[index]) request.campaign_insights = insightParts[index];
      if (kpiParts[index]) request.daily_kpi = kpiParts[index];
      requests.push(request);
    }
    Object.assign(requests[requests.length - 1]!, singles);

    // Each body is serialised here in one plain pass (json-rpc.ts). The last one, with the caches, before the
    // first request: the caches are checked for secrets against that same text, and nothing is sent when one
    // holds a secret.
    const bodyOf = (payload: Record<string, unknown>) =>
      JSON.stringify({
        p_client: clientId,
        p_account: account,
        p_task: task,
        p_run_id: guard.runId,
        p_writes: payload,
      });
    const lastBody = bodyOf(requests.at(-1)!);
    assertCachesHaveNoSecrets(caches, lastBody, options.secrets);

    for (const [index, payload] of requests.entries()) {
      const body = index === requests.length - 1 ? lastBody : bodyOf(payload);
      const { data, error, status } = await ctx.rpc(GUARDED_WRITE_RPC, body);
      if (error) {
        if (error.code === 'PGRST202' || error.code === '42883') {
          throw new DbError(
            `${GUARDED_WRITE_RPC} is missing: run pnpm db:migrate (migration 0006) before starting the worker`,
            { table: TABLES.syncState, operation: 'upsert', code: error.code, status },
          );
        }
        throw toDbError(TABLES.syncState, 'upsert', error, status);
      }
      const answer = answerSchema.parse(data);
      if (!answer.written) {
        throw new ClientSupersededError({
          clientId,
          adAccountId: account,
          currentAdAccountId: answer.current_ad_account_id,
          reason: answer.reason,
          task,
        });
      }
    }
    return { campaignInsights: insights.length, dailyKpi: kpis.length, requests: requests.length };
  }

  return { guardedWrite };
}
