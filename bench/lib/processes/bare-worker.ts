/**
 * Child process: a bare BullMQ worker with a no-op processor (the `overhead` benchmark's baseline), on the
 * same Redis, with the same concurrency and the same kind of connection as the engine's worker.
 */
import { createWorkerConnection } from '@meta-engine/queue';
import { Worker } from 'bullmq';
import { serveChild } from '../children.ts';

serveChild(async () => {
  const connection = createWorkerConnection(process.env.REDIS_URL ?? '');
  let completed = 0;
  let first = 0;
  let last = 0;
  const worker = new Worker(process.env.BENCH_QUEUE ?? 'noop', async () => undefined, {
    connection,
    prefix: process.env.BENCH_PREFIX ?? '{bare}',
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 100),
  });
  worker.on('completed', () => {
    const now = Date.now();
    if (completed === 0) first = now;
    last = now;
    completed++;
  });
  await worker.waitUntilReady();
  return {
    ready: {},
    handlers: { stats: async () => ({ completed, first, last }) },
    close: async () => {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
      return { completed };
    },
  };
});
