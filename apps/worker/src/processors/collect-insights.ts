/**
 * @module processors/collect-insights
 * `collect-insights`: campaign x day insights for the client's range, written as raw rows
 * (`meta_campaign_insights`) and the app's `daily_kpi_data`, then the sync state's high-water date moves
 * to the range's last day (only after both writes succeeded).
 *
 * Range: the job's `since`/`until` when given (until capped at yesterday), else `collectInsightsRange`:
 * high-water date minus the lookback (28 days: Meta restates that long) to yesterday in the account's
 * time zone; the first run reads `backfillDays`; never older than 37 months.
 *
 * Up to `asyncThresholdDays` days: one sync read (`time_increment=1`, campaign level; meta-client splits
 * the range on "too much data"; if even that fails, the async path is used). Longer ranges run as a
 * STEP JOB over async report runs, never blocking a worker slot while Meta works:
 *
 * 1. `start`: create the report run, store `step = { phase: 'report_pending', reportRunId, polls: 0,
 *    submittedAt, chunkSince, chunkUntil }` with `job.updateData`, park the job for the poll interval;
 * 2. `report_pending`: one `checkReportRun`; not done → `polls + 1`, park again (the interval doubles up
 *    to a maximum); done → read `getReportRunInsights` and write;
 * 3. `Job Failed` as too large, or no result within `asyncMaxWaitMs` → the range is read synchronously
 *    in chunks instead; `Job Skipped` / a transient failure → the next attempt submits a new run. A run
 *    Meta refuses to create as too large is read in sync chunks as well.
 *
 * Days without delivery get no rows at all (no zero or placeholder rows are invented).
 */
import {
  isMetaError,
  isMetaReportRunError,
  type InsightsRow as MetaInsightsRow,
} from '@meta-engine/meta-client';
import type { CollectInsightsJobData, CollectStep } from '@meta-engine/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { BUC } from '../buc.ts';
import { noteProgress } from '../call-booking.ts';
import {
  addDays,
  buildCollectInsightsRequest,
  buildDailyKpiRows,
  type ConversionMappings,
  clampToInsightsHistory,
  collectInsightsRange,
  daysBetween,
  earliestInsightsDate,
  INSIGHTS_PAGE_SIZE,
  localDate,
  minDate,
  normalizeConversionMappings,
  type TimeRange,
  toCampaignInsightRows,
} from '../transform/index.ts';
import { ACCOUNT_INFO_VALIDATIONS, resolveAccountInfo } from './account-info.ts';
import type { JobRun, Processor, ProcessorContext } from './context.ts';
import { handleJobFailure, recordFailure } from './failures.ts';
import { startRun } from './job-run.ts';
import { park } from './park.ts';
import { asInsightsRows, toDbCampaignInsight, toDbDailyKpi } from './rows.ts';
import { acquireSlot } from './slots.ts';
import { writeGuard } from './superseded.ts';

type CollectRun = JobRun<CollectInsightsJobData>;

export type CollectMode = 'none' | 'sync' | 'async' | 'sync_chunks';

export interface CollectInsightsResult {
  mode: CollectMode;
  since: string | null;
  until: string | null;
  days: number;
  /** Campaign-day rows written. */
  rows: number;
  /** `daily_kpi_data` rows written (days with delivery). */
  dailyRows: number;
  /** Date-range parts of the sync read(s) (1 = no split). */
  parts: number;
  /** Report-run polls (async mode). */
  polls: number;
}

/** The wait before report-run poll number `polls + 1` (pure): the interval doubles up to the maximum. */
export function pollDelayMs(polls: number, intervalMs: number, maxIntervalMs: number): number {
  return Math.min(maxIntervalMs, intervalMs * 2 ** Math.min(Math.max(0, polls), 20));
}

/** Consecutive chunks of at most `days` days covering `range` (pure). */
export function chunkRange(range: TimeRange, days: number): TimeRange[] {
  const size = Math.max(1, Math.floor(days));
  const chunks: TimeRange[] = [];
  for (let since = range.since; since <= range.until; since = addDays(since, size)) {
    chunks.push({ since, until: minDate(addDays(since, size - 1), range.until) });
  }
  return chunks;
}

/**
 * The range to collect (pure): explicit `since`/`until` (until capped at yesterday, since clamped to 37
 * months), else the incremental range from the high-water date. Null when there is nothing to read.
 */
export function planCollectRange(options: {
  today: string;
  since?: string | undefined;
  until?: string | undefined;
  highWaterDate: string | null;
  lookbackDays: number;
  backfillDays: number;
}): TimeRange | null {
  const yesterday = addDays(options.today, -1);
  if (options.since !== undefined || options.until !== undefined) {
    const until = minDate(options.until ?? yesterday, yesterday);
    const since = clampToInsightsHistory(
      options.since ?? addDays(until, -(options.backfillDays - 1)),
      options.today,
    );
    return since <= until ? { since, until } : null;
  }
  return collectInsightsRange({
    today: options.today,
    highWaterDate: options.highWaterDate,
    lookbackDays: options.lookbackDays,
    backfillDays: options.backfillDays,
  });
}

export function createCollectInsightsProcessor(ctx: ProcessorContext): Processor {
  return async (job: Job, token: string | undefined, log: Logger) => {
    const run = await startRun(ctx, 'collect-insights', job, token, log);
    try {
      return await collect(ctx, run);
    } catch (error) {
      return handleJobFailure(ctx, run, error);
    }
  };
}

async function collect(ctx: ProcessorContext, run: CollectRun): Promise<CollectInsightsResult> {
  const step = run.data.step;
  const stepRange =
    step?.chunkSince && step.chunkUntil ? { since: step.chunkSince, until: step.chunkUntil } : null;
  if (stepRange && step?.reportRunId && (step.phase === 'report_pending' || step.phase === 'report_ready')) {
    return continueReport(ctx, run, step, step.reportRunId, stepRange);
  }
  if (stepRange && step?.phase === 'sync_chunks') return collectSyncChunks(ctx, run, stepRange, step.polls);
  const planned = stepRange ? { range: stepRange, mappings: undefined } : await planRange(ctx, run);
  const range = planned.range;
  if (range === null) {
    await ctx.repo.guardedWrite(writeGuard(run), { syncSuccess: {} });
    run.log.info('nothing to collect');
    return { mode: 'none', since: null, until: null, days: 0, rows: 0, dailyRows: 0, parts: 0, polls: 0 };
  }
  const days = daysBetween(range.since, range.until) + 1;
  if (days > ctx.settings.asyncThresholdDays) return submitReport(ctx, run, range);
  return collectSync(ctx, run, range, planned.mappings);
}

/**
 * The range to collect, and the client's conversion mappings read with what it needs (the validations for
 * the account's time zone, the sync state for the high-water date) in one request.
 */
async function planRange(
  ctx: ProcessorContext,
  run: CollectRun,
): Promise<{ range: TimeRange | null; mappings: ConversionMappings }> {
  const needsState = run.data.since === undefined && run.data.until === undefined;
  const context = await ctx.repo.getJobContext(run.clientId, {
    validations: ACCOUNT_INFO_VALIDATIONS,
    ...(needsState ? { syncTask: 'collect-insights' } : {}),
  });
  const mappings = normalizeConversionMappings(context.conversionMappings);
  const account = await resolveAccountInfo(ctx, run, context.validations);
  const today = localDate(ctx.now(), account.timezone);
  const earliest = earliestInsightsDate(today);
  if (run.data.until !== undefined && run.data.until < earliest) {
    // Days Meta no longer has (issue 12.6): a failure that says so, never a success that collected nothing.
    const message = `${run.data.since ?? run.data.until}..${run.data.until} is before ${earliest}: Meta keeps insights for 37 months`;
    await recordFailure(ctx, run, { category: 'request_bug', code: null, subcode: null, message });
    run.log.warn({ since: run.data.since, until: run.data.until, earliest }, "range outside Meta's history");
    throw new UnrecoverableError(`request_bug: ${message}`);
  }
  const state = needsState ? context.syncState : null;
  // A high-water date kept for another ad account (the client moved) does not apply to this one.
  const ownState =
    state && (state.adAccountId === null || state.adAccountId === run.adAccountId) ? state : null;
  const range = planCollectRange({
    today,
    since: run.data.since,
    until: run.data.until,
    highWaterDate: ownState?.highWaterDate ?? null,
    lookbackDays: ctx.settings.lookbackDays,
    backfillDays: ctx.settings.backfillDays,
  });
  return { range, mappings };
}

/** One sync read of the whole range (split by meta-client when Meta says it is too much data). */
async function collectSync(
  ctx: ProcessorContext,
  run: CollectRun,
  range: TimeRange,
  mappings?: ConversionMappings,
): Promise<CollectInsightsResult> {
  const slot = await acquireSlot(ctx, run, BUC.insights);
  let rows: MetaInsightsRow[];
  let parts: number;
  try {
    const result = await ctx.meta.getInsights(run.adAccountId, buildCollectInsightsRequest(range).params, {
      split: true,
      onSplit: (event) => run.log.info({ reason: event.reason }, 'insights range split'),
    });
    rows = result.data;
    parts = result.parts;
  } catch (error) {
    if (!(isMetaError(error) && error.category === 'data_too_large')) throw error;
    run.log.info(
      { since: range.since, until: range.until },
      'too much data even for one day: using a report run',
    );
    await slot.release();
    return await submitReport(ctx, run, range);
  } finally {
    await slot.release();
  }
  return write(ctx, run, range, rows, { mode: 'sync', parts, polls: 0 }, mappings);
}

/**
 * Step 1 of the async path: submit the report run, remember it in the job, park. When Meta refuses to
 * even create the run as too large ("Please reduce the amount of data", issue 12.4), the range is read
 * the way a failed run is: in sync chunks, each split further by meta-client when needed.
 */
async function submitReport(
  ctx: ProcessorContext,
  run: CollectRun,
  range: TimeRange,
): Promise<CollectInsightsResult> {
  const slot = await acquireSlot(ctx, run, BUC.insights);
  let reportRunId: string;
  try {
    ({
      data: { reportRunId },
    } = await ctx.meta.createReportRun(run.adAccountId, buildCollectInsightsRequest(range).params));
  } catch (error) {
    if (!(isMetaError(error) && error.category === 'data_too_large')) throw error;
    run.log.info(
      { since: range.since, until: range.until },
      'report run refused as too large: reading in sync chunks',
    );
    await slot.release();
    return await collectSyncChunks(ctx, run, range, 0);
  } finally {
    await slot.release();
  }
  const step: CollectStep = {
    phase: 'report_pending',
    reportRunId,
    polls: 0,
    submittedAt: Date.now(),
    chunkSince: range.since,
    chunkUntil: range.until,
  };
  await run.job.updateData({ ...run.data, step });
  noteProgress();
  run.log.info({ reportRunId, since: range.since, until: range.until }, 'report run submitted');
  return park(
    ctx,
    run,
    Date.now() + pollDelayMs(0, ctx.settings.asyncPollIntervalMs, ctx.settings.asyncMaxPollIntervalMs),
    'report_pending',
  );
}

/** Step 2: one poll; park again, or read the result and write it. */
async function continueReport(
  ctx: ProcessorContext,
  run: CollectRun,
  step: CollectStep,
  reportRunId: string,
  range: TimeRange,
): Promise<CollectInsightsResult> {
  const slot = await acquireSlot(ctx, run, BUC.insights);
  let rows: MetaInsightsRow[];
  const polls = step.polls + 1;
  try {
    if (step.phase === 'report_pending') {
      let done: boolean;
      try {
        ({ done } = await ctx.meta.checkReportRun(reportRunId, { adAccountId: run.adAccountId }));
      } catch (error) {
        if (!isMetaReportRunError(error)) throw error;
        if (error.category === 'data_too_large') {
          run.log.info({ reportRunId }, 'report run failed as too large: reading in sync chunks');
          await slot.release();
          return await collectSyncChunks(ctx, run, range, polls);
        }
        // Skipped, or failed for a transient reason: the next attempt submits a new run.
        await run.job.updateData({
          ...run.data,
          step: { phase: 'start', polls: 0, chunkSince: range.since, chunkUntil: range.until },
        });
        throw error;
      }
      if (!done) {
        const waited = Date.now() - (step.submittedAt ?? Date.now());
        if (waited > ctx.settings.asyncMaxWaitMs) {
          run.log.warn({ reportRunId, waited }, 'report run still not done: reading in sync chunks');
          await slot.release();
          return await collectSyncChunks(ctx, run, range, polls);
        }
        await run.job.updateData({ ...run.data, step: { ...step, polls } });
        return park(
          ctx,
          run,
          Date.now() +
            pollDelayMs(polls, ctx.settings.asyncPollIntervalMs, ctx.settings.asyncMaxPollIntervalMs),
          'report_pending',
        );
      }
    }
    const result = await ctx.meta.getReportRunInsights(reportRunId, {
      adAccountId: run.adAccountId,
      limit: INSIGHTS_PAGE_SIZE,
    });
    rows = result.data;
  } finally {
    await slot.release();
  }
  return write(ctx, run, range, rows, { mode: 'async', parts: 1, polls });
}

/**
 * Fallback of the async path: the range in sync chunks of at most `asyncThresholdDays` (and 31) days. Each
 * chunk is written as soon as it is read and remembered in the job (`step.doneUntil`), so a job that must
 * park between windows goes on with the next chunk instead of reading the range again.
 */
async function collectSyncChunks(
  ctx: ProcessorContext,
  run: CollectRun,
  range: TimeRange,
  polls: number,
): Promise<CollectInsightsResult> {
  const doneUntil = run.data.step?.phase === 'sync_chunks' ? run.data.step.doneUntil : undefined;
  const chunks = chunkRange(range, Math.min(ctx.settings.asyncThresholdDays, 31)).filter(
    (chunk) => doneUntil === undefined || chunk.since > doneUntil,
  );
  const written = { rows: 0, dailyRows: 0 };
  let parts = 0;
  if (chunks.length > 0) {
    const slot = await acquireSlot(ctx, run, BUC.insights);
    try {
      for (const chunk of chunks) {
        const result = await ctx.meta.getInsights(
          run.adAccountId,
          buildCollectInsightsRequest(chunk).params,
          {
            split: true,
          },
        );
        parts += result.parts;
        const counts = await writeRows(ctx, run, result.data);
        written.rows += counts.rows;
        written.dailyRows += counts.dailyRows;
        const step: CollectStep = {
          phase: 'sync_chunks',
          polls,
          chunkSince: range.since,
          chunkUntil: range.until,
          doneUntil: chunk.until,
        };
        run.data = { ...run.data, step };
        await run.job.updateData({ ...(run.job.data as object), step });
        noteProgress();
      }
    } finally {
      await slot.release();
    }
  }
  return finish(ctx, run, range, written, { mode: 'sync_chunks', parts, polls });
}

/**
 * Raw campaign-day rows and the app's daily KPIs of the rows read (idempotent upserts), guarded: written
 * only while the client still has this ad account (issue 12.1). With `highWaterDate`, the sync state's
 * success and high-water date go in the same guarded write, after every row of the call. `mappings`: the
 * client's conversion mappings when the job has read them already, else they are read here.
 */
async function writeRows(
  ctx: ProcessorContext,
  run: CollectRun,
  metaRows: readonly MetaInsightsRow[],
  highWaterDate?: string,
  known?: ConversionMappings,
): Promise<{ rows: number; dailyRows: number }> {
  const rows = asInsightsRows(metaRows);
  const mappings = known ?? normalizeConversionMappings(await ctx.repo.getConversionMappings(run.clientId));
  const collectedAt = new Date().toISOString();
  const campaignRows = toCampaignInsightRows(rows, run.adAccountId, run.clientId);
  const dailyRows = buildDailyKpiRows(rows, { mappings });
  await ctx.repo.guardedWrite(writeGuard(run), {
    campaignInsights: campaignRows.map((row) => toDbCampaignInsight(row, collectedAt)),
    dailyKpi: dailyRows.map((row) => toDbDailyKpi(row, run.clientId)),
    ...(highWaterDate ? { syncSuccess: { highWaterDate } } : {}),
  });
  return { rows: campaignRows.length, dailyRows: dailyRows.length };
}

/**
 * The high-water date moves to the range's last day, only after every row of the range was written
 * (`recorded`: it already went with the last rows).
 */
async function finish(
  ctx: ProcessorContext,
  run: CollectRun,
  range: TimeRange,
  written: { rows: number; dailyRows: number },
  info: { mode: CollectMode; parts: number; polls: number },
  recorded = false,
): Promise<CollectInsightsResult> {
  if (!recorded) {
    await ctx.repo.guardedWrite(writeGuard(run), { syncSuccess: { highWaterDate: range.until } });
  }
  const result: CollectInsightsResult = {
    mode: info.mode,
    since: range.since,
    until: range.until,
    days: daysBetween(range.since, range.until) + 1,
    rows: written.rows,
    dailyRows: written.dailyRows,
    parts: info.parts,
    polls: info.polls,
  };
  run.log.info(result, 'insights collected');
  return result;
}

/** Raw rows, then daily KPIs, then (only after both succeeded) the high-water date. */
async function write(
  ctx: ProcessorContext,
  run: CollectRun,
  range: TimeRange,
  metaRows: readonly MetaInsightsRow[],
  info: { mode: CollectMode; parts: number; polls: number },
  mappings?: ConversionMappings,
): Promise<CollectInsightsResult> {
  return finish(ctx, run, range, await writeRows(ctx, run, metaRows, range.until, mappings), info, true);
}
