/**
 * Child process: a bare BullMQ worker with a no-op processor (the baseline of `overhead` and of every
 * benchmark's cost figures), on the same Redis, with the same concurrency and the same kind of connection as
 * the engine's worker. Answers `cost` with its own CPU, finished jobs and RSS (lib/worker-cost.ts).
 */
import { createWorkerConnection } from '@meta-engine/queue';
import { Worker } from 'bullmq';
import { serveChild } from '../children.ts';
import { createCostRecorder } from '../worker-cost.ts';

serveChild(async () => {
  const connection = createWorkerConnection(process.env.REDIS_URL ?? '');
  const queueName = process.env.BENCH_QUEUE ?? 'noop';
  let completed = 0;
  let first = 0;
  let last = 0;
  const cost = createCostRecorder();
  const worker = new Worker(queueName, async () => undefined, {
    connection,
    prefix: process.env.BENCH_PREFIX ?? '{bare}',
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 100),
  });
  worker.on('completed', () => {
    const now = Date.now();
    if (completed === 0) first = now;
    last = now;
    completed++;
    cost.finished(queueName);
  });
  await worker.waitUntilReady();
  return {
    ready: {},
    handlers: {
      stats: async () => ({ completed, first, last }),
      cost: async () => ({ cost: cost.snapshot() }),
    },
    close: async () => {
      cost.stop();
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
      return { completed };
    },
  };
});
