import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQueues, createQueues } from '../queues.ts';
import { deleteKeys, randomPrefix, testRedis } from '../test-support/redis.ts';
import { getPauseState, pauseAllQueues, resumeAllQueues } from './pause.ts';

let redis: Redis;
let base: string;
let queues: Queue[];

beforeAll(() => {
  redis = testRedis();
  base = randomPrefix();
  const byName = createQueues({ connection: redis, prefix: `{${base}}` });
  queues = Object.values(byName);
});

afterAll(async () => {
  await closeQueues(queues);
  await deleteKeys(redis, base);
  await redis.quit();
});

describe('token-fatal pause', () => {
  it('pauses every queue, records why, and a rotation resumes only what it paused', async () => {
    const store = { redis, keyPrefix: `${base}:control` };
    // An operator paused the fan-out queue by hand; the token-fatal pause takes every other queue.
    const operatorPaused = queues.find((queue) => queue.name === 'fanout')!;
    const others = queues
      .filter((queue) => queue !== operatorPaused)
      .map((queue) => queue.name)
      .sort();
    await operatorPaused.pause();

    const state = await pauseAllQueues(queues, 'token_fatal', { ...store, detail: 'meta 190/460' });
    expect(state).toMatchObject({ reason: 'token_fatal', detail: 'meta 190/460' });
    expect(state.queues).toEqual(others);
    for (const queue of queues) expect(await queue.isPaused()).toBe(true);

    // A second worker hitting the same error keeps the first record.
    const again = await pauseAllQueues(queues, 'other', store);
    expect(again.reason).toBe('token_fatal');
    expect(again.queues).toHaveLength(others.length);

    expect(await resumeAllQueues(queues, { ...store, reason: 'manual' })).toMatchObject({ resumed: [] });
    expect(await queues[0]!.isPaused()).toBe(true);

    const { resumed, state: left } = await resumeAllQueues(queues, { ...store, reason: 'token_fatal' });
    expect(resumed.sort()).toEqual(others);
    expect(left).toBeNull();
    expect(await getPauseState(store)).toBeNull();
    for (const queue of queues.slice(0, 3)) expect(await queue.isPaused()).toBe(false);
    expect(await operatorPaused.isPaused()).toBe(true);

    expect(await resumeAllQueues(queues, store)).toEqual({ resumed: [], state: null });
  });
});
