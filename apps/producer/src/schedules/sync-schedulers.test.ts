import { type RedisService, startRedis } from '@meta-engine/local-stack';
import { type ClientTask, createProducerConnection } from '@meta-engine/queue';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schedule } from '../config.ts';
import { uniquePrefix } from '../test-support/stack.ts';
import { listSchedulers, schedulerIdFor, syncSchedulers } from './sync-schedulers.ts';

let redis: RedisService;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedis({ env: {} });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await redis?.stop();
});

/** A fan-out queue on its own connection, as a separate producer process would have. */
function producerQueue(prefix: string): Queue {
  const connection: Redis = createProducerConnection(redis.url);
  const queue = new Queue('fanout', { connection, prefix });
  closers.push(
    () => connection.quit(),
    () => queue.close(),
  );
  return queue;
}

const DEFAULTS: Record<ClientTask, Schedule | null> = {
  validate: { pattern: '0 6 * * *', tz: 'Europe/Warsaw' },
  'refresh-cache': { pattern: '0 7-21/2 * * *', tz: 'Europe/Warsaw' },
  'collect-insights': { pattern: '30 2 * * *', tz: 'Europe/Warsaw' },
  summaries: null,
  'drift-check': null,
};

describe('job schedulers', () => {
  it('leave exactly one scheduler and one planned tick per task when producers start together', async () => {
    for (let round = 0; round < 5; round += 1) {
      const prefix = uniquePrefix();
      const producers = [producerQueue(prefix), producerQueue(prefix), producerQueue(prefix)];
      await Promise.all(producers.map((queue) => syncSchedulers(queue, DEFAULTS)));
      const schedulers = await listSchedulers(producers[0]!);
      expect(schedulers.map((s) => s.id).sort()).toEqual(
        ['collect-insights', 'refresh-cache', 'validate'].map((t) => schedulerIdFor(t as ClientTask)),
      );
      expect(await producers[0]!.getJobSchedulersCount()).toBe(3);
      const delayed = await producers[0]!.getDelayed();
      expect(delayed).toHaveLength(3);
      expect(delayed.map((j) => j.data.task).sort()).toEqual([
        'collect-insights',
        'refresh-cache',
        'validate',
      ]);
    }
  });

  it('replaces a changed schedule, removes one turned off and leftovers, and keeps the rest', async () => {
    const prefix = uniquePrefix();
    const queue = producerQueue(prefix);
    await syncSchedulers(queue, DEFAULTS);
    await queue.upsertJobScheduler('schedule-old-task', { pattern: '0 1 * * *' }, { name: 'tick', data: {} });

    const changed = {
      ...DEFAULTS,
      validate: { pattern: '0 5 * * *', tz: 'UTC' },
      'refresh-cache': null,
    };
    const report = await syncSchedulers(queue, changed);
    expect(report.removed.sort()).toEqual(['schedule-old-task', 'schedule-refresh-cache']);

    const schedulers = await listSchedulers(queue);
    expect(schedulers.map((s) => s.task).sort()).toEqual(['collect-insights', 'validate']);
    const validate = schedulers.find((s) => s.task === 'validate');
    expect(validate).toMatchObject({ pattern: '0 5 * * *', tz: 'UTC' });
    expect(new Date(validate!.next!).getUTCHours()).toBe(5);
    expect(new Date(validate!.next!).getUTCMinutes()).toBe(0);

    // One planned tick per remaining scheduler: the old validate tick was replaced, not added to.
    const delayed = await queue.getDelayed();
    expect(delayed.map((j) => j.data.task).sort()).toEqual(['collect-insights', 'validate']);
    const validateTick = delayed.find((j) => j.data.task === 'validate');
    expect(validateTick?.id).toBe(`repeat:schedule-validate:${validate!.next}`);
  });

  it('keeps one local-midnight tick while a task is scheduled local, and removes it when none is', async () => {
    const queue = producerQueue(uniquePrefix());
    const local = {
      tasks: ['collect-insights', 'summaries'] as ClientTask[],
      rolloverRefresh: true,
      delayMinutes: 30,
      tickMinutes: 15,
      fallbackTimeZone: 'Europe/Warsaw',
    };
    const report = await syncSchedulers(queue, DEFAULTS, local);
    expect(report.local).toBe(true);
    const tick = (await listSchedulers(queue)).find((s) => s.id === 'schedule-local-midnight');
    expect(tick).toMatchObject({ task: null, pattern: '*/15 * * * *', tz: 'UTC' });
    expect(new Date(tick!.next!).getUTCMinutes() % 15).toBe(0);
    expect((await queue.getDelayed()).filter((j) => j.name === 'local-tick')).toHaveLength(1);

    const off = await syncSchedulers(queue, DEFAULTS, { ...local, tasks: [], rolloverRefresh: false });
    expect(off.removed).toEqual(['schedule-local-midnight']);
  });
});
