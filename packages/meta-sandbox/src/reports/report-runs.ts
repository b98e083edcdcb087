/**
 * @module
 * Async insights report runs (reference §3.2). A run's status is a pure function of sandbox
 * time since creation: `Job Not Started` -> `Job Started` -> `Job Running` (percent rising) ->
 * `Job Completed`, or `Job Failed` / `Job Skipped` when a fault says so. Runs expire after
 * `expiryDays` (then they answer 100/33 like any unknown object).
 */
import { type ReportFailure, reportFailure } from '../graph/errors.ts';
import type { InsightsRow, InsightsScope } from '../insights/compute-insights.ts';
import type { InsightsQuery } from '../insights/insights-query.ts';
import { hashParts, numericId } from '../util/hash.ts';

export type AsyncStatus =
  | 'Job Not Started'
  | 'Job Started'
  | 'Job Running'
  | 'Job Completed'
  | 'Job Failed'
  | 'Job Skipped';

export interface ReportTiming {
  notStartedMs: number;
  startedMs: number;
  runningMs: number;
}

export interface ReportRun {
  id: string;
  accountId: string;
  scope: InsightsScope;
  query: InsightsQuery;
  createdAt: number;
  expiresAt: number;
  timing: ReportTiming;
  fate: 'complete' | 'fail' | 'skip';
  failure: ReportFailure | null;
  /** Percent at which a failing run stops. */
  failAtPercent: number;
  firstPollNotFound: boolean;
  polls: number;
  /** The account's "today" when the run was created (the result is computed as of then). */
  today: number;
  /** The result, computed on the first read (or at creation when a size check needed it). */
  rows: InsightsRow[] | null;
}

export interface RunStatus {
  status: AsyncStatus;
  percent: number;
  /** Sandbox ms when the run reached its final state, or null while it is in progress. */
  finishedAt: number | null;
}

/** Status of `run` at sandbox time `now`. */
export function runStatus(run: ReportRun, now: number): RunStatus {
  const t = Math.max(0, now - run.createdAt);
  const { notStartedMs, startedMs, runningMs } = run.timing;
  if (run.fate === 'skip') {
    if (t < notStartedMs) return { status: 'Job Not Started', percent: 0, finishedAt: null };
    return { status: 'Job Skipped', percent: 0, finishedAt: run.createdAt + notStartedMs };
  }
  if (t < notStartedMs) return { status: 'Job Not Started', percent: 0, finishedAt: null };
  if (t < notStartedMs + startedMs) return { status: 'Job Started', percent: 0, finishedAt: null };
  const running = t - notStartedMs - startedMs;
  const progress = runningMs > 0 ? running / runningMs : 1;
  if (run.fate === 'fail' && progress * 100 >= run.failAtPercent) {
    const finishedAt = run.createdAt + notStartedMs + startedMs + (runningMs * run.failAtPercent) / 100;
    return { status: 'Job Failed', percent: run.failAtPercent, finishedAt };
  }
  if (progress < 1) {
    return {
      status: 'Job Running',
      percent: Math.min(99, Math.max(1, Math.floor(progress * 100))),
      finishedAt: null,
    };
  }
  return {
    status: 'Job Completed',
    percent: 100,
    finishedAt: run.createdAt + notStartedMs + startedMs + runningMs,
  };
}

export interface CreateRunInput {
  accountId: string;
  scope: InsightsScope;
  query: InsightsQuery;
  today: number;
  rows: InsightsRow[] | null;
  now: number;
  timing: ReportTiming;
  expiryMs: number;
  fate: 'complete' | 'fail' | 'skip';
  failure: 'too_large' | 'try_again';
  firstPollNotFound: boolean;
}

export class ReportRunStore {
  private runs = new Map<string, ReportRun>();
  private counter = 0;
  private readonly seed: string;

  constructor(seed: string) {
    this.seed = seed;
  }

  create(input: CreateRunInput): ReportRun {
    let id: string;
    do {
      this.counter++;
      id = numericId('6', hashParts(this.seed, 'report-run', input.accountId, this.counter), 16);
    } while (this.runs.has(id));
    const run: ReportRun = {
      id,
      accountId: input.accountId,
      scope: input.scope,
      query: input.query,
      createdAt: input.now,
      expiresAt: input.now + input.expiryMs,
      timing: input.timing,
      fate: input.fate,
      failure: input.fate === 'fail' ? reportFailure(input.failure) : null,
      failAtPercent: 20 + (hashParts(id, 'fail-at') % 60),
      firstPollNotFound: input.firstPollNotFound,
      polls: 0,
      today: input.today,
      rows: input.rows,
    };
    this.runs.set(id, run);
    if (this.runs.size > 10_000) this.prune(input.now);
    return run;
  }

  /** The run, or undefined if unknown or expired. */
  get(id: string, now: number): ReportRun | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    if (run.expiresAt <= now) {
      this.runs.delete(id);
      return undefined;
    }
    return run;
  }

  private prune(now: number): void {
    for (const [id, run] of this.runs) if (run.expiresAt <= now) this.runs.delete(id);
  }

  get size(): number {
    return this.runs.size;
  }

  reset(): void {
    this.runs.clear();
    this.counter = 0;
  }
}
