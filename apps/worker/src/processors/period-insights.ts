/**
 * @module processors/period-insights
 * Fetching the period-level insights of some closed periods (summaries, drift check): the calls of
 * `periodInsightsRequests` (5, or 6 with ad relevance, whatever the number of periods: `time_ranges`), every
 * call booked with the limiter through the job's slot (`acquireSlot` for the first, call-booking for the
 * rest), every page read. What a parked job already fetched is kept in its scratch, so it is not asked again
 * in the next window. Any failure throws before anything is returned: a partial answer is never used.
 */
import type { Grant } from '@meta-engine/queue';
import { UnrecoverableError } from 'bullmq';
import { BUC } from '../buc.ts';
import { noteProgress } from '../call-booking.ts';
import {
  type InsightsPurpose,
  type InsightsRow,
  type MetaTablesInput,
  periodInsightsRequests,
  splitRowsByRange,
  type TimeRange,
} from '../transform/index.ts';
import type { JobRun, ProcessorContext } from './context.ts';
import { scratchOfRun } from './job-scratch.ts';
import { asInsightsRows } from './rows.ts';
import { acquireSlot } from './slots.ts';

/** The rows of one period, split out of the answers. */
export interface PeriodRows {
  campaignRows: InsightsRow[];
  accountRow: InsightsRow | undefined;
  tables: MetaTablesInput;
}

export interface PeriodInsights {
  /** By the key the caller gave each range. */
  byKey: Map<string, PeriodRows>;
  /** Pages read from Meta now (each page is one call). */
  calls: number;
  /** Answers taken from the job's scratch (fetched before it parked). */
  reused: number;
  /** Drops what the job kept of this fetch (call it once the results are written). */
  clear(): Promise<void>;
}

/** The job's limiter slot, taken once for the job's first call and released when the job's work is done. */
export interface SlotHolder {
  grant: Grant | null;
}

export async function releaseSlot(holder: SlotHolder): Promise<void> {
  const grant = holder.grant;
  holder.grant = null;
  if (grant) await grant.release();
}

/**
 * Fetches the insights of `ranges` (keyed: each key becomes one period of the answer).
 * `signature` names what is fetched (it keys the scratch: a job back on another day starts afresh).
 */
export async function fetchPeriodInsights(
  ctx: ProcessorContext,
  run: JobRun<unknown>,
  options: {
    ranges: ReadonlyMap<string, TimeRange>;
    signature: string;
    slot: SlotHolder;
  },
): Promise<PeriodInsights> {
  const ranges = Object.fromEntries(options.ranges) as Record<string, TimeRange>;
  const requests = periodInsightsRequests([...options.ranges.values()], {
    includeAdRelevance: ctx.settings.includeAdRelevance,
  });
  const scratch = scratchOfRun(ctx, run, options.signature);
  const results = new Map<InsightsPurpose, InsightsRow[]>();
  for (const [purpose, rows] of await scratch.load()) {
    results.set(purpose as InsightsPurpose, rows as InsightsRow[]);
  }
  const reused = results.size;
  let calls = 0;
  const fetched = new Map<InsightsPurpose, InsightsRow[]>();
  try {
    for (const request of requests) {
      if (results.has(request.purpose)) continue;
      options.slot.grant ??= await acquireSlot(ctx, run, BUC.insights);
      const answer = await ctx.meta.getInsights(run.adAccountId, request.params);
      calls += answer.pages;
      const rows = asInsightsRows(answer.data);
      results.set(request.purpose, rows);
      fetched.set(request.purpose, rows);
      noteProgress();
    }
  } catch (error) {
    // What succeeded is kept for this job, so a park or a retry does not ask Meta for it again.
    await scratch.keep(fetched);
    throw error;
  }

  const split = (purpose: InsightsPurpose): Record<string, InsightsRow[]> => {
    const { byRange, unmatched } = splitRowsByRange(results.get(purpose) ?? [], ranges);
    if (unmatched.length > 0) {
      throw new UnrecoverableError(
        `${purpose} insights returned ${unmatched.length} rows outside the requested ranges`,
      );
    }
    return byRange;
  };
  const campaigns = split('campaigns');
  const account = split('account');
  const placement = split('placement');
  const demographic = split('demographic');
  const geographic = split('geographic');
  const adRelevance = results.has('ad_relevance') ? split('ad_relevance') : null;
  const byKey = new Map<string, PeriodRows>();
  for (const key of options.ranges.keys()) {
    byKey.set(key, {
      campaignRows: campaigns[key] ?? [],
      accountRow: account[key]?.[0],
      tables: {
        placement: placement[key] ?? [],
        demographic: demographic[key] ?? [],
        geographic: geographic[key] ?? [],
        ...(adRelevance ? { adRelevance: adRelevance[key] ?? [] } : {}),
      },
    });
  }
  return { byKey, calls, reused, clear: () => scratch.clear() };
}
