/**
 * @module repository
 * The only code that knows table names: the app's tables and this system's `meta_*` tables, through
 * PostgREST with the service-role key (supabase-js, no session, no token refresh).
 *
 * @example
 * const repo = createRepository({ supabaseUrl: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY });
 * await repo.ping();
 */
import { createClient } from '@supabase/supabase-js';
import { createCampaignInsightsRepo } from './repo/campaign-insights.ts';
import { createCampaignSummariesRepo } from './repo/campaign-summaries.ts';
import { createClientControlsRepo } from './repo/client-controls.ts';
import { createClientOverviewRepo } from './repo/client-overview.ts';
import { createClientsRepo } from './repo/clients.ts';
import { type RepoContext, run } from './repo/context.ts';
import { createDailyKpiRepo } from './repo/daily-kpi.ts';
import { createDashboardConfigRepo } from './repo/dashboard-config.ts';
import { createGuardedWriteRepo } from './repo/guarded-write.ts';
import { createJobContextRepo } from './repo/job-context.ts';
import { createJsonRpc } from './repo/json-rpc.ts';
import { createPeriodCacheRepo } from './repo/period-cache.ts';
import { createPostgrestFetch } from './repo/postgrest-fetch.ts';
import { createSyncStateRepo } from './repo/sync-state.ts';
import { TABLES } from './repo/tables.ts';
import { createTokenStateRepo } from './repo/token-state.ts';
import { createValidationsRepo } from './repo/validations.ts';
import { DEFAULT_WRITE_BATCH, type WriteBatchSettings } from './repo/write-batcher.ts';

export interface RepositoryOptions {
  /** The project URL (`https://<ref>.supabase.co`); supabase-js appends `/rest/v1`. */
  supabaseUrl: string;
  /** The service-role key: bypasses RLS. Server side only. */
  serviceRoleKey: string;
  /** Rows per bulk-upsert request (default 1000). */
  chunkSize?: number;
  /** Bulk-upsert requests in flight at once (default 2). */
  concurrency?: number;
  /** Abort any single request after this many ms (default 30 000). */
  requestTimeoutMs?: number;
  /** Clock, for tests (default `() => new Date()`). */
  now?: () => Date;
  /**
   * Small writes of concurrent jobs (recordValidation, recordSyncSuccess without a high-water date)
   * issued within `delayMs` of each other share one request, up to `maxSize` (default 100 within 10 ms;
   * `{ maxSize: 1 }` turns it off). Results and errors stay per call.
   */
  writeBatch?: Partial<WriteBatchSettings>;
  /**
   * The fetch PostgREST requests go through (default `createPostgrestFetch()`: undici's request, lighter
   * than the global fetch; tests count requests with their own). `requestTimeoutMs` runs until it resolves:
   * the default resolves with the body already read.
   */
  fetch?: typeof fetch;
}

export type Repository = ReturnType<typeof createRepository>;

export function createRepository(options: RepositoryOptions) {
  if (!options.supabaseUrl) throw new TypeError('createRepository: supabaseUrl is required (SUPABASE_URL)');
  if (!options.serviceRoleKey) {
    throw new TypeError('createRepository: serviceRoleKey is required (SUPABASE_SERVICE_ROLE_KEY)');
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const baseFetch = options.fetch ?? createPostgrestFetch();
  // Each request's deadline: a timer cleared when the answer is in (the fetch resolves with the body read),
  // not `AbortSignal.timeout`, which cannot be cancelled and kept a timer and a signal alive for
  // `requestTimeoutMs` after every answered request (issue 17).
  const timedFetch: typeof fetch = async (input, init) => {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      requestTimeoutMs,
    );
    timer.unref();
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    try {
      return await baseFetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
  const client = createClient(options.supabaseUrl, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch: timedFetch },
  });
  const ctx: RepoContext = {
    client,
    rpc: createJsonRpc({
      supabaseUrl: options.supabaseUrl,
      serviceRoleKey: options.serviceRoleKey,
      fetch: timedFetch,
    }),
    chunkSize: options.chunkSize ?? 1000,
    concurrency: options.concurrency ?? 2,
    now: options.now ?? (() => new Date()),
    writeBatch: { ...DEFAULT_WRITE_BATCH, ...options.writeBatch },
  };

  /**
   * Readiness: one cheap select on `clients` within `timeoutMs` (default 3000). Resolves with the
   * round-trip time; throws a DbError when PostgREST, the database or the table is not there.
   *
   * @example
   * const { latencyMs } = await repo.ping({ timeoutMs: 1000 });
   */
  async function ping(pingOptions: { timeoutMs?: number } = {}): Promise<{ latencyMs: number }> {
    const started = performance.now();
    // A GET, not HEAD: an error answer then has a body, so the DbError says why (a refused key:
    // `PGRST301: JWSError JWSInvalidSignature`) instead of nothing.
    await run(
      TABLES.clients,
      'select',
      client
        .from(TABLES.clients)
        .select('id')
        .limit(1)
        .abortSignal(AbortSignal.timeout(pingOptions.timeoutMs ?? 3000)),
    );
    return { latencyMs: Math.round(performance.now() - started) };
  }

  const clients = createClientsRepo(ctx);
  const validations = createValidationsRepo(ctx);
  const dashboardConfig = createDashboardConfigRepo(ctx);
  const syncState = createSyncStateRepo(ctx);
  const campaignSummaries = createCampaignSummariesRepo(ctx);
  return {
    ...clients,
    ...validations,
    ...createCampaignInsightsRepo(ctx),
    ...createDailyKpiRepo(ctx),
    ...createPeriodCacheRepo(ctx),
    ...dashboardConfig,
    ...syncState,
    ...createJobContextRepo(ctx, {
      getClient: clients.getClient,
      getConversionMappings: dashboardConfig.getConversionMappings,
      listValidations: validations.listValidations,
      getSyncState: syncState.getSyncState,
      listDailyKpiSumRows: campaignSummaries.listDailyKpiSumRows,
    }),
    ...createTokenStateRepo(ctx),
    ...createClientControlsRepo(ctx),
    ...createClientOverviewRepo(ctx),
    ...campaignSummaries,
    ...createGuardedWriteRepo(ctx),
    ping,
  };
}
