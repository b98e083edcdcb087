import { type RedisService, startRedis } from '@meta-engine/local-stack';
import {
  CLIENT_TASKS,
  type ClientTask,
  createWorkerConnection,
  openProducerConnection,
} from '@meta-engine/queue';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../test-support/stack.ts';
import { RunStore } from './run-store.ts';

let redis: RedisService;
let connection: Redis;
const queues: Queue[] = [];

beforeAll(async () => {
  redis = await startRedis({ env: {} });
  connection = await openProducerConnection(redis.url);
});

afterAll(async () => {
  for (const queue of queues) await queue.close();
  await connection?.quit();
  await redis?.stop();
});

function storeOn(prefix: string): { store: RunStore; queues: Record<ClientTask, Queue> } {
  const byTask = Object.fromEntries(
    CLIENT_TASKS.map((task) => {
      const queue = new Queue(task, { connection, prefix });
      queues.push(queue);
      return [task, queue];
    }),
  ) as Record<ClientTask, Queue>;
  return {
    store: new RunStore({ redis: connection, prefix, queues: byTask, retentionSeconds: 3600 }),
    queues: byTask,
  };
}

describe('RunStore', () => {
  it('counts each job id once however often a chunk is recorded', async () => {
    const { store } = storeOn(uniquePrefix());
    await store.create({ runId: 'r1', task: 'validate', trigger: 'schedule', all: true, requested: null });
    await store.create({ runId: 'r1', task: 'validate', trigger: 'cli', all: false, requested: 3 });
    expect(await store.recordChunk('r1', ['a', 'b'], ['x'])).toEqual({ created: 2, skipped: 1 });
    expect(await store.recordChunk('r1', ['a', 'b'], ['x'])).toEqual({ created: 0, skipped: 0 });
    await store.recordRejected('r1', [{ clientId: 'c9', problem: 'no ad account' }]);
    await store.recordRejected('r1', [{ clientId: 'c9', problem: 'no ad account' }]);
    await store.recordPaused('r1', ['c7', 'c8']);
    await store.recordPaused('r1', ['c7']);
    expect(await store.get('r1')).toMatchObject({
      trigger: 'schedule',
      status: 'pending',
      created: 2,
      skipped: 1,
      rejected: 1,
      rejectedSample: ['c9: no ad account'],
      paused: 2,
      pausedSample: ['c7: paused', 'c8: paused'],
    });
    expect(await store.get('nope')).toBeNull();
  });

  it('classifies every job of a run by its state in the queue, past 1,000 ids', async () => {
    const prefix = uniquePrefix();
    const { store, queues: byTask } = storeOn(prefix);
    const queue = byTask['refresh-cache'];
    const ids = Array.from({ length: 1203 }, (_, i) => `refresh-cache-c${i}-r2`);
    await queue.addBulk(
      ids.slice(0, 1200).map((jobId) => ({ name: 'refresh-cache', data: {}, opts: { jobId, priority: 10 } })),
    );
    await queue.add('refresh-cache', {}, { jobId: ids[1200], delay: 60_000 });
    await queue.add('refresh-cache', {}, { jobId: ids[1201] }); // no priority: the wait list
    await store.create({ runId: 'r2', task: 'refresh-cache', trigger: 'api', all: true, requested: null });
    await store.recordChunk('r2', ids, []); // ids[1202] never existed: counts as removed
    await store.markEnqueued('r2');

    // A worker (manual fetching, so nothing else is taken) completes two jobs and fails one.
    const workerConnection = createWorkerConnection(redis.url);
    const worker = new Worker('refresh-cache', null, {
      connection: workerConnection,
      prefix,
      autorun: false,
    });
    for (const outcome of ['complete', 'fail', 'complete'] as const) {
      const job = (await worker.getNextJob('token-1'))!;
      if (outcome === 'complete') await job.moveToCompleted('ok', 'token-1', false);
      else await job.moveToFailed(new Error('boom'), 'token-1', false);
    }
    await worker.close();
    await workerConnection.quit();
    const removed = (await queue.getCompleted())[0]!;
    await removed.remove(); // retention removed one completed job

    const progress = await store.progress('r2');
    expect(progress?.counts).toEqual({
      completed: 1,
      failed: 1,
      active: 0,
      waiting: 0,
      prioritized: 1198,
      delayed: 1,
      removed: 2,
    });
    expect(progress).toMatchObject({ total: 1203, done: 3, failed: 1, pending: 1199, finished: false });
  });
});
