/**
 * @module processors/summaries
 * `summaries`: one client's Meta rows of one kind (`monthly` or `weekly`) in the app's permanent store
 * `campaign_summaries`, periods in the ad account's time zone.
 *
 * 1. the account's time zone (the latest validation, or one `act_<id>` read) gives "today"; the horizon is
 *    the last SUMMARIES_BACKFILL_MONTHS / _WEEKS closed periods (37 months at most);
 * 2. `planSummaryFetches` says what to fetch today from the database alone: missing periods (a client's
 *    first run is the backfill, recent periods first; the day after a period closes, its close), rows of
 *    other writers, and, on re-collection days, the periods Meta may still restate;
 * 3. per piece (several periods): the period-level calls with `time_ranges` (5, or 6 with ad relevance,
 *    whatever the number of periods in the piece), each booked with the limiter; a job that must wait parks
 *    with what it already fetched kept, and goes on with the next call;
 * 4. per period: the row by the pure builder (reach is the account's period reach); no delivery → no row
 *    (never a zero row), a row already there stays; same numbers as the engine's last write → nothing is
 *    rewritten; otherwise one transaction writes the row, its bookkeeping and the change history, only if
 *    the row is still what was read (another writer in between: the job retries and plans again) and the
 *    client still has this ad account;
 * 5. the piece is written before the next is fetched, so a crash or a park loses at most one piece's calls.
 *
 * Why not the totals from the collected campaign-day rows (`meta_campaign_insights`)? With `time_ranges`
 * one campaign-level call answers every period of a piece, and it is needed anyway for what days do not add
 * up to (reach and frequency per campaign for `campaign_data`, the account's reach): reading the sums from
 * the days would save no call, and the app parses conversions per period (the first present action type of
 * the period), which a sum of per-day parses does not always equal.
 *
 * Any failed, partial or inconsistent fetch writes nothing for the periods it concerns: the previous row
 * stays byte for byte (failures.ts decides retry, park or pause).
 */
import type { SummaryPeriodState } from '@meta-engine/db';
import type { SummariesJobData } from '@meta-engine/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { noteProgress } from '../call-booking.ts';
import {
  buildCampaignSummaryRow,
  type CampaignSummaryRow,
  closedPeriods,
  diffSummaryRows,
  type FetchReason,
  isEngineRow,
  localDate,
  normalizeConversionMappings,
  type PeriodStateInput,
  type PlannedPeriod,
  planSummaryFetches,
  type StoredSummaryLike,
  summaryContentHash,
} from '../transform/index.ts';
import { ACCOUNT_INFO_VALIDATIONS, resolveAccountInfo } from './account-info.ts';
import type { JobRun, Processor, ProcessorContext } from './context.ts';
import { handleJobFailure, runIdOf } from './failures.ts';
import { startRun } from './job-run.ts';
import { fetchPeriodInsights, releaseSlot, type SlotHolder } from './period-insights.ts';

type SummariesRun = JobRun<SummariesJobData>;

/** Period writes of one piece in flight at once (each is one short transaction). */
const WRITES_IN_FLIGHT = 4;

/** `work` over `items`, at most `limit` at a time; results in the items' order; the first error is thrown. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]!);
  });
  await Promise.all(lanes);
  return results;
}

/** What happened to one period. */
export type PeriodOutcome = 'created' | 'restated' | 'replaced' | 'unchanged' | 'empty';

export interface SummariesResult {
  kind: 'monthly' | 'weekly';
  /** The account's local date the plan was made for. */
  today: string;
  /** Periods fetched by this run, most recent first, with why and what came of it. */
  periods: Array<{ label: string; reason: FetchReason; outcome: PeriodOutcome }>;
  pieces: number;
  /** Meta calls (pages) made by this run, the account read included. */
  metaCalls: number;
  /** Answers reused from before a park. */
  reused: number;
  /** The client's ad account changed since the job was planned: nothing more was written. */
  superseded: boolean;
}

/** Thrown when a row changed between the read and the write: BullMQ retries, the job plans again. */
export class SummaryConflictError extends Error {
  override readonly name = 'SummaryConflictError';
}

export function createSummariesProcessor(ctx: ProcessorContext): Processor {
  return async (job: Job, token: string | undefined, log: Logger) => {
    const run = await startRun(ctx, 'summaries', job, token, log);
    try {
      return await summarize(ctx, run);
    } catch (error) {
      return handleJobFailure(ctx, run, error);
    }
  };
}

function horizonOf(ctx: ProcessorContext, kind: 'monthly' | 'weekly'): number {
  return kind === 'monthly' ? ctx.settings.summariesBackfillMonths : ctx.settings.summariesBackfillWeeks;
}

function planInput(state: SummaryPeriodState | undefined): PeriodStateInput {
  return { row: state?.row ?? null, book: state?.book ?? null };
}

async function summarize(ctx: ProcessorContext, run: SummariesRun): Promise<SummariesResult> {
  const { kind } = run.data;
  // The client, its mappings and its latest validations in one request.
  const context = await ctx.repo.getJobContext(run.clientId, { validations: ACCOUNT_INFO_VALIDATIONS });
  if (context.client === null) throw new UnrecoverableError(`client ${run.clientId} does not exist`);
  const account = await resolveAccountInfo(ctx, run, context.validations);
  const today = localDate(ctx.now(), account.timezone);
  const result: SummariesResult = {
    kind,
    today,
    periods: [],
    pieces: 0,
    metaCalls: account.source === 'meta' ? 1 : 0,
    reused: 0,
    superseded: false,
  };
  const horizon = closedPeriods(kind, today, horizonOf(ctx, kind));
  if (horizon.length > 0) {
    const states = await ctx.repo.listSummaryStates({
      clientId: run.clientId,
      summaryType: kind,
      from: horizon.at(-1)!.summaryDate,
      to: horizon[0]!.summaryDate,
    });
    const byDate = new Map(states.map((state) => [state.summaryDate, state]));
    const plan = planSummaryFetches({
      kind,
      today,
      periods: horizon,
      states: new Map(horizon.map((p) => [p.summaryDate, planInput(byDate.get(p.summaryDate))])),
      settings: {
        restatementDays: ctx.settings.summariesRestatementDays,
        monthlyRecollectDays: ctx.settings.summariesMonthlyRecollectDays,
        weeklyRecollectWeekdays: ctx.settings.summariesWeeklyRecollectWeekdays,
        pieceSize: kind === 'monthly' ? ctx.settings.summariesPieceMonths : ctx.settings.summariesPieceWeeks,
      },
      ...(run.data.recollect ? { recollect: true } : {}),
      runId: runIdOf(run),
    });
    if (plan.fetch.length > 0) {
      const mappings = normalizeConversionMappings(context.conversionMappings);
      const slot: SlotHolder = { grant: null };
      try {
        for (const piece of plan.pieces) {
          const insights = await fetchPeriodInsights(ctx, run, {
            ranges: new Map(piece.map((p) => [p.summaryDate, { since: p.since, until: p.until }])),
            signature: `summaries|${kind}|${today}|${piece.map((p) => p.summaryDate).join(',')}`,
            slot,
          });
          result.metaCalls += insights.calls;
          result.reused += insights.reused;
          // Every period of the piece is built first: an incomplete answer writes nothing of the piece.
          const built = piece.map((period) => {
            const rows = insights.byKey.get(period.summaryDate)!;
            const result = buildCampaignSummaryRow({
              clientId: run.clientId,
              period,
              campaignRows: rows.campaignRows,
              accountRow: rows.accountRow,
              tables: rows.tables,
              mappings,
            });
            if (result.status === 'incomplete')
              throw new Error(`incomplete answer from Meta: ${result.problem}`);
            return { period, result };
          });
          // Each period is its own transaction: written a few at a time, recorded in the piece's order.
          const outcomes = await mapLimit(built, WRITES_IN_FLIGHT, ({ period, result: row }) =>
            row.status === 'empty'
              ? recordEmpty(ctx, run, period, today)
              : writePeriod(ctx, run, period, row.row, byDate.get(period.summaryDate), today),
          );
          for (const [index, outcome] of outcomes.entries()) {
            const { period } = built[index]!;
            if (outcome === 'superseded') {
              result.superseded = true;
              run.log.warn(
                { period: period.label },
                'the client has another ad account now: nothing more is written by this job',
              );
              await insights.clear();
              return finish(ctx, run, result);
            }
            result.periods.push({ label: period.label, reason: period.reason, outcome });
          }
          await insights.clear();
          result.pieces++;
          noteProgress();
        }
      } finally {
        await releaseSlot(slot);
      }
    }
  }
  return finish(ctx, run, result);
}

async function finish(
  ctx: ProcessorContext,
  run: SummariesRun,
  result: SummariesResult,
): Promise<SummariesResult> {
  if (!result.superseded) {
    await ctx.repo.recordSyncSuccess({ clientId: run.clientId, task: 'summaries', runId: runIdOf(run) });
  }
  const counts: Record<string, number> = {};
  for (const period of result.periods) counts[period.outcome] = (counts[period.outcome] ?? 0) + 1;
  run.log.info(
    {
      kind: result.kind,
      today: result.today,
      fetched: result.periods.length,
      counts,
      metaCalls: result.metaCalls,
    },
    'campaign summaries done',
  );
  return result;
}

/** No delivery in the period: no row is written, an existing one stays; the fetch is remembered. */
async function recordEmpty(
  ctx: ProcessorContext,
  run: SummariesRun,
  period: PlannedPeriod,
  today: string,
): Promise<PeriodOutcome> {
  await ctx.repo.recordSummaryFetch({
    clientId: run.clientId,
    summaryType: period.kind,
    summaryDate: period.summaryDate,
    periodEnd: period.until,
    outcome: 'empty',
    fetchedOn: today,
    runId: runIdOf(run),
  });
  return 'empty';
}

async function writePeriod(
  ctx: ProcessorContext,
  run: SummariesRun,
  period: PlannedPeriod,
  row: CampaignSummaryRow,
  state: SummaryPeriodState | undefined,
  today: string,
): Promise<PeriodOutcome | 'superseded'> {
  const hash = summaryContentHash(row);
  const input = planInput(state);
  const ours = isEngineRow(input);
  const unchanged = async (): Promise<PeriodOutcome> => {
    await ctx.repo.recordSummaryFetch({
      clientId: run.clientId,
      summaryType: period.kind,
      summaryDate: period.summaryDate,
      periodEnd: period.until,
      outcome: 'unchanged',
      fetchedOn: today,
      runId: runIdOf(run),
    });
    return 'unchanged';
  };
  if (ours && state?.book?.contentHash === hash) return unchanged();
  const [stored] = state?.row
    ? await ctx.repo.getCampaignSummaries({
        clientId: run.clientId,
        summaryType: period.kind,
        dates: [period.summaryDate],
      })
    : [];
  const diff = diffSummaryRows((stored as StoredSummaryLike | undefined) ?? null, row);
  if (ours && !diff.changed) return unchanged();
  const change: PeriodOutcome = !state?.row ? 'created' : ours ? 'restated' : 'replaced';
  const written = await ctx.repo.writeCampaignSummary({
    row,
    adAccountId: run.adAccountId,
    expected: { exists: Boolean(state?.row), lastUpdated: state?.row?.lastUpdated ?? null },
    period: { periodEnd: period.until, fetchedOn: today, contentHash: hash, runId: runIdOf(run) },
    change: {
      change: change as 'created' | 'restated' | 'replaced',
      previousSource: stored?.data_source ?? state?.row?.dataSource ?? null,
      previousLastUpdated: state?.row?.lastUpdated ?? null,
      metrics: diff.metrics,
      tables: diff.tables,
    },
  });
  if (written.outcome === 'superseded') return 'superseded';
  if (written.outcome === 'conflict') {
    throw new SummaryConflictError(
      `campaign_summaries ${period.kind} ${period.summaryDate} was written by someone else while it was fetched; planning again`,
    );
  }
  if (change !== 'created') {
    run.log.info(
      { period: period.label, change, metrics: diff.metrics, tables: Object.keys(diff.tables) },
      'campaign summary changed',
    );
  }
  return change;
}
