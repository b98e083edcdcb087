/**
 * Redis for this package's tests: REDIS_URL, which the root vitest global setup points at the run's
 * private Redis (packages/local-stack), else the local 127.0.0.1:6379.
 * Every test uses a random prefix and deletes its keys afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisClient } from '../lua/loader.ts';
import { deleteKeysMatching } from '../scan-keys.ts';

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A worker-style connection (BullMQ accepts it); close it with `quit()` in `afterAll`. */
export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}

/** A unique key base such as `mqtest-1f2e3d4c`, without hash tags. */
export function randomPrefix(label = 'mqtest'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key containing `base` (SCAN of every master on a cluster; tests only). */
export function deleteKeys(redis: RedisClient, base: string): Promise<number> {
  return deleteKeysMatching(redis, `*${base}*`);
}
