/**
 * @module repo/period-cache
 * The app's smart-cache tables `current_month_cache` (`period_id = 'YYYY-MM'`) and `current_week_cache`
 * (`'YYYY-Www'`, ISO week-year). Upserted on `client_id,period_id`, writing only the four columns the
 * app's own code writes: client_id, period_id, cache_data, last_updated (now; the app's freshness clock).
 */
import { findSecret } from '@meta-engine/runtime';
import { z } from 'zod';
import { InvalidRowError } from '../errors/invalid-row-error.ts';
import { type RepoContext, run } from './context.ts';
import { TABLES } from './tables.ts';
import { quote, requireUuid } from './values.ts';

export type CacheKind = 'month' | 'week';

/** `2026-07`. */
export const MONTH_PERIOD_ID = /^\d{4}-(0[1-9]|1[0-2])$/;
/** `2026-W05` (zero-padded ISO week 01..53). */
export const WEEK_PERIOD_ID = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;

export interface CacheWrite {
  clientId: string;
  periodId: string;
  /** The app's `cache_data` object (app-contract §3.3); weekly needs `dateRange: { start, end }`. */
  cacheData: Record<string, unknown>;
}

export interface CacheEntry {
  clientId: string;
  periodId: string;
  cacheData: Record<string, unknown>;
  lastUpdated: string;
}

const cacheRow = z.object({
  client_id: z.string(),
  period_id: z.string(),
  cache_data: z.record(z.string(), z.unknown()),
  last_updated: z.string(),
});

export function tableOf(kind: CacheKind) {
  return kind === 'month' ? TABLES.currentMonthCache : TABLES.currentWeekCache;
}

/**
 * Throws InvalidRowError (`secret: true`) when cache_data holds a key named like a token, secret or password
 * anywhere, or a string containing one of `secrets` (the caller's token and app secret): the runtime
 * package's one rule, `findSecret`. The message names the path, never the secret.
 */
export function assertNoSecrets(table: string, value: unknown, secrets: readonly string[] = []): void {
  const found = findSecret(value, secrets, 'cache_data');
  if (found) {
    const problem =
      found.reason === 'key'
        ? `${found.path} looks like a secret; never cache tokens`
        : `${found.path} holds a known secret (the token or the app secret); never cache tokens`;
    throw new InvalidRowError(table, 'cache_data', problem, { secret: true });
  }
}

/**
 * `assertNoSecrets` for the caches of one request, given the request's JSON text (which contains them): the
 * common case, nothing secret-like anywhere in the text, is one look at the text for all of them; anything
 * found there sends each cache to the walk, which names its table and path.
 */
export function assertCachesHaveNoSecrets(
  caches: ReadonlyArray<{ table: string; data: unknown }>,
  jsonText: string,
  secrets: readonly string[] = [],
): void {
  if (caches.length === 0) return;
  if (
    !findSecret(
      caches.map((cache) => cache.data),
      secrets,
      'cache_data',
      jsonText,
    )
  )
    return;
  for (const cache of caches) assertNoSecrets(cache.table, cache.data, secrets);
}

/** The cache row's columns, checked for secrets (`cacheColumns` and then `assertNoSecrets`). */
export function toCacheColumns(kind: CacheKind, write: CacheWrite, lastUpdated: string) {
  const columns = cacheColumns(kind, write, lastUpdated);
  assertNoSecrets(tableOf(kind), columns.cache_data);
  return columns;
}

/**
 * The cache row's columns, its period id and shape checked. NOT checked for secrets: a caller that serialises
 * the row itself runs `assertNoSecrets` with that text before sending it (guarded-write.ts).
 */
export function cacheColumns(kind: CacheKind, write: CacheWrite, lastUpdated: string) {
  const table = tableOf(kind);
  const pattern = kind === 'month' ? MONTH_PERIOD_ID : WEEK_PERIOD_ID;
  if (typeof write.periodId !== 'string' || !pattern.test(write.periodId)) {
    const expected = kind === 'month' ? 'YYYY-MM' : 'YYYY-Www (ISO week-year, zero-padded)';
    throw new InvalidRowError(table, 'period_id', `expected ${expected}, got ${quote(write.periodId)}`);
  }
  if (typeof write.cacheData !== 'object' || write.cacheData === null || Array.isArray(write.cacheData)) {
    throw new InvalidRowError(table, 'cache_data', 'expected a JSON object');
  }
  if (kind === 'week') {
    const range = write.cacheData.dateRange as { start?: unknown; end?: unknown } | undefined;
    if (typeof range?.start !== 'string' || typeof range.end !== 'string') {
      throw new InvalidRowError(
        table,
        'cache_data',
        'weekly cache_data needs dateRange: { start, end } (the app checks it)',
      );
    }
  }
  return {
    client_id: requireUuid(table, 'client_id', write.clientId),
    period_id: write.periodId,
    cache_data: write.cacheData,
    last_updated: lastUpdated,
  };
}

export function createPeriodCacheRepo(ctx: RepoContext) {
  async function upsert(kind: CacheKind, write: CacheWrite): Promise<void> {
    const table = tableOf(kind);
    const columns = toCacheColumns(kind, write, ctx.now().toISOString());
    await run(table, 'upsert', ctx.client.from(table).upsert(columns, { onConflict: 'client_id,period_id' }));
  }

  /**
   * Writes the client's `current_month_cache` row for `periodId` (`YYYY-MM`), last_updated = now.
   *
   * @example
   * await repo.upsertMonthCache({ clientId, periodId: '2026-07', cacheData: { client: { id, name, adAccountId },
   *   campaigns, stats, conversionMetrics, metaTables: null, accountInfo: null, fetchedAt, fromCache: false, cacheAge: 0 } });
   */
  function upsertMonthCache(write: CacheWrite): Promise<void> {
    return upsert('month', write);
  }

  /**
   * Writes the client's `current_week_cache` row for `periodId` (`YYYY-Www`), last_updated = now.
   * `cacheData.dateRange` must be `{ start: Monday, end: min(Sunday, today) }`.
   *
   * @example
   * await repo.upsertWeekCache({ clientId, periodId: '2026-W29', cacheData: { dateRange: { start: '2026-07-13',
   *   end: '2026-07-19' }, campaigns, stats, conversionMetrics, metaTables: {}, fromCache: false, lastUpdated } });
   */
  function upsertWeekCache(write: CacheWrite): Promise<void> {
    return upsert('week', write);
  }

  /** Reads one cache row, or null. */
  async function getCache(query: {
    kind: CacheKind;
    clientId: string;
    periodId: string;
  }): Promise<CacheEntry | null> {
    const table = tableOf(query.kind);
    const raw = await run(
      table,
      'select',
      ctx.client
        .from(table)
        .select('client_id,period_id,cache_data,last_updated')
        .eq('client_id', requireUuid(table, 'client_id', query.clientId))
        .eq('period_id', query.periodId)
        .maybeSingle(),
    );
    if (raw === null) return null;
    const row = cacheRow.parse(raw);
    return {
      clientId: row.client_id,
      periodId: row.period_id,
      cacheData: row.cache_data,
      lastUpdated: row.last_updated,
    };
  }

  return { upsertMonthCache, upsertWeekCache, getCache };
}
