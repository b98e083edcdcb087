/**
 * @module processors/drift-check
 * `drift-check`: the stored previous month (in the ad account's time zone) against a fresh read, the
 * difference recorded per table and metric in `meta_summary_drift`. It replaces the app's nightly
 * `/api/cron/drift-check` (app-contract §5), which made live report calls per client every night and
 * recorded one score; here one fetch (the period-level calls of one month: 5, or 6 with ad relevance) is
 * compared with every table the engine writes for that month (transform/summary-drift.ts), and the answer
 * says which table and metric moved by how much.
 *
 * It reads and records; it rewrites nothing (the summaries task's re-collection does, on its days, with
 * its history). A failed fetch records nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DriftCheckJobData } from '@meta-engine/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import {
  buildCampaignSummaryRow,
  closedPeriods,
  driftedMeasures,
  driftMeasures,
  localDate,
  normalizeConversionMappings,
  type StoredSummaryLike,
} from '../transform/index.ts';
import { ACCOUNT_INFO_VALIDATIONS, resolveAccountInfo } from './account-info.ts';
import type { JobRun, Processor, ProcessorContext } from './context.ts';
import { handleJobFailure, runIdOf } from './failures.ts';
import { startRun } from './job-run.ts';
import { fetchPeriodInsights, releaseSlot, type SlotHolder } from './period-insights.ts';

export interface DriftCheckResult {
  /** `YYYY-MM` of the month checked. */
  month: string;
  checkId: string;
  /** Measures recorded, and how many of them differ. */
  measures: number;
  drifted: Array<{ table: string; metric: string; stored: number | null; fresh: number | null }>;
  /** No stored monthly row for the month. */
  storedMissing: boolean;
  metaCalls: number;
}

export function createDriftCheckProcessor(ctx: ProcessorContext): Processor {
  return async (job: Job, token: string | undefined, log: Logger) => {
    const run = await startRun(ctx, 'drift-check', job, token, log);
    try {
      return await driftCheck(ctx, run);
    } catch (error) {
      return handleJobFailure(ctx, run, error);
    }
  };
}

async function driftCheck(ctx: ProcessorContext, run: JobRun<DriftCheckJobData>): Promise<DriftCheckResult> {
  // The client, its mappings and its latest validations in one request.
  const context = await ctx.repo.getJobContext(run.clientId, { validations: ACCOUNT_INFO_VALIDATIONS });
  if (context.client === null) throw new UnrecoverableError(`client ${run.clientId} does not exist`);
  const account = await resolveAccountInfo(ctx, run, context.validations);
  const today = localDate(ctx.now(), account.timezone);
  const [month] = closedPeriods('monthly', today, 1);
  if (!month) throw new UnrecoverableError(`no closed month before ${today} within Meta's 37 months`);
  const slot: SlotHolder = { grant: null };
  let insights: Awaited<ReturnType<typeof fetchPeriodInsights>>;
  try {
    insights = await fetchPeriodInsights(ctx, run, {
      ranges: new Map([[month.summaryDate, { since: month.since, until: month.until }]]),
      signature: `drift|${today}|${month.summaryDate}`,
      slot,
    });
  } finally {
    await releaseSlot(slot);
  }
  const rows = insights.byKey.get(month.summaryDate)!;
  const mappings = normalizeConversionMappings(context.conversionMappings);
  const built = buildCampaignSummaryRow({
    clientId: run.clientId,
    period: month,
    campaignRows: rows.campaignRows,
    accountRow: rows.accountRow,
    tables: rows.tables,
    mappings,
  });
  if (built.status === 'incomplete') throw new Error(`incomplete answer from Meta: ${built.problem}`);
  const [stored] = await ctx.repo.getCampaignSummaries({
    clientId: run.clientId,
    summaryType: 'monthly',
    dates: [month.summaryDate],
  });
  const daily = await ctx.repo.sumDailyKpi({
    clientId: run.clientId,
    since: month.since,
    until: month.until,
  });
  const measures = driftMeasures(
    (stored as StoredSummaryLike | undefined) ?? null,
    built.status === 'ok' ? built.row : null,
    daily,
  );
  const checkId = randomUUID();
  await ctx.repo.recordDrift(
    measures.map((m) => ({
      checkId,
      clientId: run.clientId,
      summaryType: 'monthly' as const,
      summaryDate: month.summaryDate,
      tableName: m.table,
      metric: m.metric,
      stored: m.stored,
      fresh: m.fresh,
      runId: runIdOf(run),
    })),
  );
  await insights.clear();
  await ctx.repo.recordSyncSuccess({ clientId: run.clientId, task: 'drift-check', runId: runIdOf(run) });
  const drifted = driftedMeasures(measures);
  const result: DriftCheckResult = {
    month: month.label,
    checkId,
    measures: measures.length,
    drifted,
    storedMissing: stored === undefined,
    metaCalls: insights.calls + (account.source === 'meta' ? 1 : 0),
  };
  run.log.info(
    { month: result.month, checkId, drifted: drifted.length, storedMissing: result.storedMissing },
    'drift check recorded',
  );
  return result;
}
