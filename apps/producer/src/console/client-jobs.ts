/**
 * @module console/client-jobs
 * One client's recent jobs, for its console page. BullMQ keeps no index by job data, but the queue
 * package's job ids carry the client (`<task>-<clientId>[-<kind>][-<runId>]`), so per task: the pending jobs
 * come from the deduplication keys (`<task>-<clientId>`, one per kind for summaries), finished ones from a `ZSCAN ... MATCH` of the
 * completed and failed sets (bounded by the queues' retention: 10,000 completed, 14 days of failed).
 * Only this page pays for it; the clients table never scans.
 */

import { CLIENT_TASKS, type ClientTask, deduplicationIdsFor, type RedisClient } from '@meta-engine/queue';
import { Job, type Queue } from 'bullmq';
import { redactString } from '../http/redact.ts';

export interface ClientJob {
  task: ClientTask;
  id: string;
  state: string;
  runId: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  attemptsMade: number;
  /** Why it failed (token-like values redacted). */
  failedReason: string | null;
}

export interface ClientJobsReader {
  recent(clientId: string, limit: number): Promise<ClientJob[]>;
}

async function scanIds(redis: RedisClient, key: string, pattern: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(key, cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (let i = 0; i + 1 < flat.length; i += 2) found.set(flat[i]!, Number(flat[i + 1]));
    cursor = next;
  } while (cursor !== '0');
  return found;
}

export function clientJobsReader(
  redis: RedisClient,
  queues: Record<ClientTask, Queue>,
  secrets: readonly string[],
): ClientJobsReader {
  return {
    async recent(clientId, limit) {
      const candidates: { task: ClientTask; id: string; score: number }[] = [];
      await Promise.all(
        CLIENT_TASKS.map(async (task) => {
          const queue = queues[task];
          const pattern = `${task}-${clientId}*`;
          const [pending, completed, failed] = await Promise.all([
            Promise.all(deduplicationIdsFor(task, clientId).map((id) => queue.getDeduplicationJobId(id))),
            scanIds(redis, queue.keys.completed!, pattern),
            scanIds(redis, queue.keys.failed!, pattern),
          ]);
          for (const [id, score] of [...completed, ...failed]) candidates.push({ task, id, score });
          for (const id of pending) {
            if (id) candidates.push({ task, id, score: Number.MAX_SAFE_INTEGER });
          }
        }),
      );
      // The deduplication key may still name a job that already finished: keep each id once.
      const unique = new Map(candidates.map((c) => [`${c.task}/${c.id}`, c]));
      const newest = [...unique.values()].sort((a, b) => b.score - a.score).slice(0, limit);
      const jobs = await Promise.all(
        newest.map(async ({ task, id }) => {
          const job = await Job.fromId(queues[task], id);
          if (!job) return null;
          const data = job.data as { runId?: unknown };
          const entry: ClientJob = {
            task,
            id,
            state: await job.getState(),
            runId: typeof data.runId === 'string' ? data.runId : null,
            createdAt: job.timestamp ? new Date(job.timestamp).toISOString() : null,
            finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
            attemptsMade: job.attemptsMade,
            failedReason: job.failedReason ? redactString(job.failedReason, secrets).slice(0, 500) : null,
          };
          return entry;
        }),
      );
      return jobs.filter((job): job is ClientJob => job !== null);
    },
  };
}
