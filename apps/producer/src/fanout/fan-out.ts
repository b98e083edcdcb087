/**
 * @module fan-out
 * One run: read the clients (paged, stable order), add one job per client to the task's queue with
 * `addBulk` in chunks, record what was added. The same function serves scheduler ticks, on-demand runs
 * (CLI, admin API) and the re-validation after a token rotation.
 *
 * Memory and Redis calls stay bounded whatever the client count: one page (FANOUT_PAGE_SIZE, at most the
 * 1,000 rows a Supabase select returns) is held at a time, each `addBulk` carries one chunk
 * (FANOUT_CHUNK_SIZE, 500 by default) in one pipeline, and the loop yields to the event loop between
 * chunks so the admin HTTP server keeps answering during a 10,000-client fan-out.
 *
 * Paused clients (an operator's pause, in the database) get no job: the set of paused ids is read once
 * per run, and each paused client is left out, counted in the run (`paused`) and named in its sample
 * with the reason `paused`, whether the run covers every client or an explicit list. Clients no job can
 * be built for (no ad account, an unusable row, a payload the queue package refuses) are counted and
 * named as `rejected` with the reason, and the reason goes to each one's sync state (issue 12.5): no
 * client is left out without a trace.
 *
 * Idempotent per run id: a tick processed twice, or a retried fan-out job, re-adds the same job ids,
 * which BullMQ ignores, and the run store counts each id once.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ClientTask, RedisClient, RunTrigger } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ClientDirectory, ClientRef, UnusableClient } from '../ports.ts';
import { PRIORITY } from '../tasks.ts';
import { type PlannedJob, planJobs, type RejectedClient, type RunSpec } from './job-plan.ts';
import type { RunStore } from './run-store.ts';

export interface FanoutDeps {
  redis: RedisClient;
  directory: ClientDirectory;
  queues: Record<ClientTask, Queue>;
  runs: RunStore;
  pageSize: number;
  chunkSize: number;
  logger?: Logger | undefined;
  /** Metrics hooks. */
  onStart?: ((task: ClientTask, trigger: RunTrigger) => void) | undefined;
  onChunk?:
    | ((task: ClientTask, created: number, skipped: number, rejected: number, paused: number) => void)
    | undefined;
}

export interface FanoutRequest extends RunSpec {
  /** Explicit clients (already checked to exist), or undefined for every eligible client. */
  clientIds?: readonly string[] | undefined;
}

export interface FanoutResult {
  runId: string;
  /** Jobs added by this call. */
  created: number;
  /** Clients whose job of this task was already pending (tracked by the run instead). */
  skipped: number;
  /** Clients left out because their payload is invalid (see the run's `rejectedSample`). */
  rejected: number;
  /** Clients left out because an operator paused them (see the run's `pausedSample`). */
  paused: number;
}

export async function fanOut(deps: FanoutDeps, request: FanoutRequest): Promise<FanoutResult> {
  const { runs } = deps;
  const queue = deps.queues[request.task];
  await runs.create({
    runId: request.runId,
    task: request.task,
    trigger: request.trigger,
    all: request.clientIds === undefined,
    requested: request.clientIds?.length ?? null,
    since: request.since,
    until: request.until,
  });
  await runs.markFanningOut(request.runId);
  deps.onStart?.(request.task, request.trigger);
  let created = 0;
  let skipped = 0;
  let rejected = 0;
  let paused = 0;
  try {
    const pausedIds = await deps.directory.pausedClientIds();
    let buffer: ClientRef[] = [];
    const reject = async (clients: readonly RejectedClient[]) => {
      rejected += clients.length;
      deps.onChunk?.(request.task, 0, 0, clients.length, 0);
      await runs.recordRejected(request.runId, clients);
      await deps.directory.recordLeftOut(request.task, request.runId, clients).catch((error: unknown) => {
        deps.logger?.warn(
          { runId: request.runId, err: error },
          'could not note the left-out clients in their sync state',
        );
      });
      deps.logger?.warn(
        { runId: request.runId, task: request.task, rejected: clients.slice(0, 5) },
        'clients left out of the run: no valid job can be built for them',
      );
    };
    const flush = async (clients: ClientRef[]) => {
      const plan = planJobs(request, clients);
      if (plan.rejected.length > 0) await reject(plan.rejected);
      const result = await addChunk(queue, request, plan.jobs, deps);
      created += result.created;
      skipped += result.skipped;
      deps.onChunk?.(request.task, result.created, result.skipped, 0, 0);
      await yieldToEventLoop();
    };
    const leaveOutPaused = async (ids: string[]) => {
      paused += ids.length;
      deps.onChunk?.(request.task, 0, 0, 0, ids.length);
      await runs.recordPaused(request.runId, ids);
      deps.logger?.info(
        { runId: request.runId, task: request.task, paused: ids.slice(0, 5), count: ids.length },
        'paused clients left out of the run',
      );
    };
    for await (const page of clientPages(deps, request)) {
      if (page.unusable.length > 0) await reject(page.unusable);
      const isPaused = (c: ClientRef) => pausedIds.has(c.id.toLowerCase());
      const left = pausedIds.size === 0 ? [] : page.clients.filter(isPaused);
      if (left.length > 0) await leaveOutPaused(left.map((c) => c.id));
      buffer.push(...(left.length === 0 ? page.clients : page.clients.filter((c) => !isPaused(c))));
      while (buffer.length >= deps.chunkSize) {
        await flush(buffer.slice(0, deps.chunkSize));
        buffer = buffer.slice(deps.chunkSize);
      }
    }
    if (buffer.length > 0) await flush(buffer);
    await runs.markEnqueued(request.runId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await runs.markFailed(request.runId, message).catch(() => {});
    throw error;
  }
  deps.logger?.info(
    {
      runId: request.runId,
      task: request.task,
      trigger: request.trigger,
      created,
      skipped,
      rejected,
      paused,
    },
    'fan-out enqueued',
  );
  return { runId: request.runId, created, skipped, rejected, paused };
}

interface SourcePage {
  clients: ClientRef[];
  unusable: UnusableClient[];
}

async function* clientPages(deps: FanoutDeps, request: FanoutRequest): AsyncGenerator<SourcePage> {
  if (request.clientIds) {
    for (let i = 0; i < request.clientIds.length; i += deps.pageSize) {
      const ids = request.clientIds.slice(i, i + deps.pageSize);
      const { clients, unusable } = await deps.directory.getClientsByIds(ids);
      const byId = new Map(clients.map((c) => [c.id.toLowerCase(), c]));
      // Keep the caller's order; ids that vanished since they were checked are dropped.
      yield {
        clients: ids.map((id) => byId.get(id.toLowerCase())).filter((c): c is ClientRef => c !== undefined),
        unusable,
      };
    }
    return;
  }
  let after: string | null = null;
  for (;;) {
    const page = await deps.directory.pageEligibleClients(request.task, after, deps.pageSize);
    if (page.lastId === null) return;
    if (after !== null && page.lastId <= after) {
      throw new Error(`client directory returned ids out of order after ${after}`);
    }
    yield { clients: page.clients, unusable: page.unusable };
    after = page.lastId;
    if (page.rows < deps.pageSize) return;
  }
}

async function addChunk(
  queue: Queue,
  request: FanoutRequest,
  jobs: PlannedJob[],
  deps: FanoutDeps,
): Promise<{ created: number; skipped: number }> {
  if (jobs.length === 0) return { created: 0, skipped: 0 };
  const added = await queue.addBulk(jobs);
  const own: string[] = [];
  const duplicates: string[] = [];
  added.forEach((job, index) => {
    const wanted = jobs[index]!.opts.jobId;
    if (job.id === wanted) own.push(wanted);
    else if (job.id) duplicates.push(job.id);
  });
  if (request.trigger === 'rotation' && duplicates.length > 0) {
    await raisePriority(deps, queue, duplicates, PRIORITY.rotation);
  }
  return deps.runs.recordChunk(request.runId, own, duplicates);
}

/**
 * A rotation must go ahead of queued work, including validate jobs that were already pending for a
 * client (the deduplication returned those instead of adding new ones): the ones waiting for a worker
 * (prioritized, also while the queue is paused) or parked for later (delayed, e.g. handed back by a
 * token-fatal error) get the rotation's priority; a delayed job keeps its time and uses the new priority
 * when it is promoted. Active and finished jobs are left alone.
 */
async function raisePriority(
  deps: FanoutDeps,
  queue: Queue,
  jobIds: string[],
  priority: number,
): Promise<void> {
  const pipeline = deps.redis.pipeline();
  for (const id of jobIds) {
    pipeline.zscore(queue.keys.prioritized!, id);
    pipeline.zscore(queue.keys.delayed!, id);
  }
  const scores = (await pipeline.exec()) ?? [];
  const present = (index: number) => {
    const [error, score] = scores[index] ?? [null, null];
    return !error && score !== null;
  };
  const pending = jobIds.filter((_, i) => present(2 * i) || present(2 * i + 1));
  const backend = queue.getBackend();
  const results = await Promise.allSettled(pending.map((id) => backend.changePriority(id, priority)));
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed > 0) deps.logger?.warn({ failed }, 'could not raise the priority of some pending jobs');
}
