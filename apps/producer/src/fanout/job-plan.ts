/**
 * @module job-plan
 * Pure: turns the clients of a run into BullMQ bulk-add entries, with the queue package's job scheme:
 *
 * - job id `<task>-<clientId>-<runId>`: deterministic, so a tick processed twice adds nothing new;
 * - deduplication id `<task>-<clientId>`: while a job of that task is pending for the client (waiting,
 *   prioritized, delayed or active), adding another returns the pending job's id instead, so a client
 *   never has two pending jobs of one task across runs;
 * - a priority on every job (see PRIORITY): BullMQ runs jobs without a priority before all prioritized
 *   ones, so an unprioritized job would jump ahead of a rotation's re-validation.
 *
 * A client whose payload the queue package rejects (e.g. an empty ad account id) is returned in
 * `rejected` with the reason instead of failing the whole run.
 *
 * `summaries` is one job per client and period kind (`monthly`, `weekly`); a run that is not a scheduled
 * one (an operator's CLI or API request) asks the worker to re-collect the periods Meta may still restate
 * (`recollect`), whatever the day.
 */
import {
  buildClientJob,
  type ClientTask,
  type RunTrigger,
  SUMMARY_KINDS,
  type SummaryKind,
} from '@meta-engine/queue';
import type { ClientRef } from '../ports.ts';
import { PRIORITY } from '../tasks.ts';

export interface RunSpec {
  runId: string;
  task: ClientTask;
  trigger: RunTrigger;
  /** collect-insights only: first and last day to collect (YYYY-MM-DD). */
  since?: string | undefined;
  until?: string | undefined;
  /** summaries only: the period kinds (default both: one job per client and kind). */
  kinds?: readonly SummaryKind[] | undefined;
}

export interface PlannedJob {
  name: ClientTask;
  data: Record<string, unknown>;
  opts: { jobId: string; priority?: number; deduplication?: { id: string } };
}

export interface RejectedClient {
  clientId: string;
  problem: string;
}

export interface JobPlan {
  jobs: PlannedJob[];
  rejected: RejectedClient[];
}

export function planJobs(run: RunSpec, clients: readonly ClientRef[]): JobPlan {
  const priority = PRIORITY[run.trigger];
  const plan: JobPlan = { jobs: [], rejected: [] };
  for (const client of clients) {
    const base = { clientId: client.id, adAccountId: client.adAccountId, runId: run.runId };
    try {
      const jobs =
        run.task === 'collect-insights'
          ? [
              buildClientJob(
                'collect-insights',
                run.since ? { ...base, since: run.since, until: run.until } : base,
                { priority },
              ),
            ]
          : run.task === 'summaries'
            ? (run.kinds ?? SUMMARY_KINDS).map((kind) =>
                buildClientJob(
                  'summaries',
                  run.trigger === 'schedule' ? { ...base, kind } : { ...base, kind, recollect: true },
                  { priority },
                ),
              )
            : [buildClientJob(run.task, base, { priority })];
      for (const job of jobs) {
        plan.jobs.push({
          name: run.task,
          data: job.data as unknown as Record<string, unknown>,
          opts: job.opts as PlannedJob['opts'],
        });
      }
    } catch (error) {
      plan.rejected.push({
        clientId: client.id,
        problem: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return plan;
}
