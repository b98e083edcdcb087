/**
 * @module start-run
 * Starting an on-demand run, after checking everything (unknown client ids included) before the first
 * job is added:
 *
 * - `startRunInline`: fan out in this process and return the counts (the CLI's `enqueue`, so it works
 *   without a running `serve`);
 * - `requestRun`: record the run as pending and queue a fan-out job for the serving producer(s) to
 *   process (the admin API answers at once, a 10,000-client fan-out runs in the background).
 */

import type { RunTrigger } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { ClientDirectory } from '../ports.ts';
import { type FanoutDeps, type FanoutResult, fanOut } from './fan-out.ts';
import { enqueueFanoutJob } from './fanout-jobs.ts';
import { newRunId } from './run-id.ts';
import { assertClientsExist, type RunRequest } from './run-request.ts';
import type { RunStore } from './run-store.ts';

export interface StartRunDeps {
  directory: ClientDirectory;
  pageSize: number;
}

/** Fans the run out in this process. Throws UnknownClientsError before adding anything. */
export async function startRunInline(
  deps: StartRunDeps & { fanout: FanoutDeps },
  request: RunRequest,
  trigger: RunTrigger,
  now: Date = new Date(),
): Promise<FanoutResult> {
  if (request.clientIds) await assertClientsExist(deps.directory, request.clientIds, deps.pageSize);
  const runId = newRunId(request.task, trigger, now);
  return fanOut(deps.fanout, { runId, trigger, ...request });
}

/** Records the run as pending and queues its fan-out. Throws UnknownClientsError before that. */
export async function requestRun(
  deps: StartRunDeps & { runs: RunStore; fanoutQueue: Queue },
  request: RunRequest,
  trigger: RunTrigger,
  now: Date = new Date(),
): Promise<{ runId: string }> {
  if (request.clientIds) await assertClientsExist(deps.directory, request.clientIds, deps.pageSize);
  const runId = newRunId(request.task, trigger, now);
  await deps.runs.create({
    runId,
    task: request.task,
    trigger,
    all: request.clientIds === undefined,
    requested: request.clientIds?.length ?? null,
    since: request.since,
    until: request.until,
  });
  try {
    await enqueueFanoutJob(deps.fanoutQueue, {
      task: request.task,
      runId,
      trigger,
      ...(request.clientIds ? { clientIds: request.clientIds } : {}),
      ...(request.since ? { since: request.since, until: request.until } : {}),
      ...(request.kinds ? { kinds: request.kinds } : {}),
    });
  } catch (error) {
    await deps.runs.markFailed(runId, error instanceof Error ? error.message : String(error)).catch(() => {});
    throw error;
  }
  return { runId };
}
