/**
 * @module processors/refresh-cache
 * `refresh-cache`: the current month and the current ISO week, in the ad account's time zone, written to
 * `current_month_cache` / `current_week_cache` in the app's shapes.
 *
 * 1. the client, its conversion mappings, its latest validations and the Meta `daily_kpi_data` rows of the
 *    current month, in one request (`getJobContext`); the account's time zone and currency from the latest
 *    validation, or one `act_<id>` read;
 * 2. `buildRefreshCachePlan`: 5 insights calls (6 with ad relevance) answer both periods at once through
 *    `time_ranges`; each call is booked with the limiter before it is sent (call-booking.ts). When the
 *    account's window cannot take the next call, the job parks and the results it already has stay in its
 *    scratch (job-scratch.ts): back in the next window it asks only for what is missing;
 * 3. every call must succeed: ANY failed fetch writes nothing (the previous rows stay), never a
 *    placeholder;
 * 4. the month's `daily_kpi_data` sums (from the rows read in step 1) are the app's second tier of the monthly
 *    conversion metrics (`app-contract.md` §3.3);
 * 5. both `cache_data` objects are built by the pure transforms and written with the sync state's success in
 *    ONE guarded request (issue 12.1), checked for secrets first (the repository's one look at the request's
 *    text, with our token and app secret): only while the client still has this ad account (else nothing is
 *    written and the job ends `superseded`). A client whose row already names another account when the job
 *    starts is superseded before any Meta call.
 */
import { type Client, type InvalidClient, isInvalidClient, sumDailyKpiRows } from '@meta-engine/db';
import type { RefreshCacheJobData } from '@meta-engine/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { BUC } from '../buc.ts';
import { noteProgress } from '../call-booking.ts';
import {
  anyZoneMonthWindow,
  buildMonthCacheData,
  buildRefreshCachePlan,
  buildWeekCacheData,
  type InsightsPurpose,
  type InsightsRow,
  localDate,
  normalizeConversionMappings,
  splitRowsByRange,
} from '../transform/index.ts';
import { ACCOUNT_INFO_VALIDATIONS, resolveAccountInfo, toMetaAccountInfo } from './account-info.ts';
import type { JobRun, Processor, ProcessorContext } from './context.ts';
import { handleJobFailure } from './failures.ts';
import { startRun } from './job-run.ts';
import { scratchOfRun } from './job-scratch.ts';
import { asInsightsRows } from './rows.ts';
import { acquireSlot } from './slots.ts';
import { supersededBeforeWriting, writeGuard } from './superseded.ts';

export interface RefreshCacheResult {
  monthPeriodId: string;
  weekPeriodId: string;
  /** Meta calls made by this run (insights, plus the account read when there was no validation). */
  metaCalls: number;
  /** Insights results taken from earlier runs of this job (parked between windows), not asked again. */
  reused: number;
  campaigns: { month: number; week: number };
}

/**
 * The refresh plan at `now` for an account in `timezone` (pure): "this month" and "this week" are the
 * account's, not UTC's (Auckland starts the new month half a day before Warsaw).
 */
export function refreshPlanAt(now: Date, timezone: string, includeAdRelevance: boolean) {
  return buildRefreshCachePlan({ today: localDate(now, timezone), includeAdRelevance });
}

export function createRefreshCacheProcessor(ctx: ProcessorContext): Processor {
  return async (job: Job, token: string | undefined, log: Logger) => {
    const run = await startRun(ctx, 'refresh-cache', job, token, log);
    try {
      return await refreshCache(ctx, run);
    } catch (error) {
      return handleJobFailure(ctx, run, error);
    }
  };
}

/** The client's name for `cache_data.client` (also from a row whose stored ad account id is malformed). */
function clientNameOf(entry: Client | InvalidClient): string {
  if (!isInvalidClient(entry)) return entry.name;
  return 'name' in entry.client ? entry.client.name : '';
}

async function refreshCache(
  ctx: ProcessorContext,
  run: JobRun<RefreshCacheJobData>,
): Promise<RefreshCacheResult> {
  // The client, its mappings, its latest validations and the daily KPI rows of any zone's current month, in
  // one request (the account's zone, hence its month, comes from the validations).
  const window = anyZoneMonthWindow(ctx.now());
  const context = await ctx.repo.getJobContext(run.clientId, {
    validations: ACCOUNT_INFO_VALIDATIONS,
    dailyKpi: window,
  });
  const client = context.client;
  if (client === null) throw supersededBeforeWriting(run, null);
  if (!isInvalidClient(client) && client.adAccountId !== run.adAccountId) {
    throw supersededBeforeWriting(run, { adAccountId: client.rawAdAccountId });
  }
  const mappings = normalizeConversionMappings(context.conversionMappings);
  const account = await resolveAccountInfo(ctx, run, context.validations);
  let metaCalls = account.source === 'meta' ? 1 : 0;
  const plan = refreshPlanAt(ctx.now(), account.timezone, ctx.settings.includeAdRelevance);

  const scratch = scratchOfRun(
    ctx,
    run,
    `${plan.periods.month.periodId}|${plan.periods.week.periodId}|${plan.periods.week.end}`,
  );
  const results = new Map<InsightsPurpose, InsightsRow[]>();
  for (const [purpose, rows] of await scratch.load()) {
    results.set(purpose as InsightsPurpose, rows as InsightsRow[]);
  }
  const missing = plan.requests.filter((request) => !results.has(request.purpose));
  if (missing.length > 0) {
    const slot = await acquireSlot(ctx, run, BUC.insights);
    const fetched = new Map<InsightsPurpose, InsightsRow[]>();
    try {
      for (const request of missing) {
        // Every fetch is required: a failure anywhere throws before anything is written. What succeeded is
        // kept for this job (written to its scratch when a call fails or must wait, in one write), so a
        // park (the window is full) or a retry does not ask Meta for it again.
        const result = await ctx.meta.getInsights(run.adAccountId, request.params);
        metaCalls += result.pages;
        const rows = asInsightsRows(result.data);
        results.set(request.purpose, rows);
        if (request !== missing.at(-1)) {
          fetched.set(request.purpose, rows);
          noteProgress();
        }
      }
    } catch (error) {
      await scratch.keep(fetched);
      throw error;
    } finally {
      await slot.release();
    }
  }

  const rowsOf = (purpose: InsightsPurpose) => {
    const split = splitRowsByRange(results.get(purpose) ?? [], plan.ranges);
    if (split.unmatched.length > 0) {
      throw new UnrecoverableError(
        `${purpose} insights returned ${split.unmatched.length} rows outside the requested ranges`,
      );
    }
    return split.byRange;
  };
  const campaigns = rowsOf('campaigns');
  const accountRows = rowsOf('account');
  const placement = rowsOf('placement');
  const demographic = rowsOf('demographic');
  const geographic = rowsOf('geographic');
  const adRelevance = results.has('ad_relevance') ? rowsOf('ad_relevance') : null;
  const tablesFor = (period: 'month' | 'week') => ({
    placement: placement[period],
    demographic: demographic[period],
    geographic: geographic[period],
    ...(adRelevance ? { adRelevance: adRelevance[period] } : {}),
  });
  const accountInfo = toMetaAccountInfo(run.adAccountId, account);
  // The app's second tier of the monthly conversion metrics (and of stats.totalConversions): the sums of
  // this month's daily_kpi_data Meta rows, used where the fresh parse found nothing.
  const month = plan.periods.month;
  const daily =
    month.start >= window.since && month.end <= window.until
      ? sumDailyKpiRows(context.dailyKpiRows, month.start, month.end)
      : await ctx.repo.sumDailyKpi({ clientId: run.clientId, since: month.start, until: month.end });
  const now = ctx.now();
  const monthAccountRow = accountRows.month[0];
  const weekAccountRow = accountRows.week[0];
  const monthData = buildMonthCacheData({
    client: { id: run.clientId, name: clientNameOf(client), adAccountId: run.adAccountId },
    campaignRows: campaigns.month,
    ...(monthAccountRow ? { accountRow: monthAccountRow } : {}),
    tables: tablesFor('month'),
    accountInfo,
    mappings,
    dailyKpiTotals: daily,
    fetchedAt: now,
  });
  const weekData = buildWeekCacheData({
    client: {
      id: run.clientId,
      name: clientNameOf(client),
      adAccountId: run.adAccountId,
      currency: account.currency ?? '',
    },
    campaignRows: campaigns.week,
    ...(weekAccountRow ? { accountRow: weekAccountRow } : {}),
    tables: tablesFor('week'),
    accountInfo,
    mappings,
    dateRange: { start: plan.periods.week.start, end: plan.periods.week.end },
    lastUpdated: now,
  });
  const monthPeriodId = plan.periods.month.periodId;
  const weekPeriodId = plan.periods.week.periodId;
  // The caches are checked for secrets (key names like a token's, and our token and app secret) once, by the
  // repository, against the request's own text: nothing is sent when one holds a secret (secret_leak).
  await ctx.repo.guardedWrite(
    writeGuard(run),
    {
      monthCache: { periodId: monthPeriodId, cacheData: monthData as unknown as Record<string, unknown> },
      weekCache: { periodId: weekPeriodId, cacheData: weekData as unknown as Record<string, unknown> },
      syncSuccess: {},
    },
    { secrets: ctx.secrets },
  );
  await scratch.clear();
  const result: RefreshCacheResult = {
    monthPeriodId,
    weekPeriodId,
    metaCalls,
    reused: plan.requests.length - missing.length,
    campaigns: { month: monthData.campaigns.length, week: weekData.campaigns.length },
  };
  run.log.info(result, 'caches refreshed');
  return result;
}
