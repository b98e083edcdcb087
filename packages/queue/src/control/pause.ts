/**
 * @module pause
 * Pausing every queue at once when the shared token is dead (token-fatal errors), with the reason kept in
 * Redis so `status` can show it and a rotation resumes only the queues this pause stopped (a queue an
 * operator had paused before stays paused).
 *
 * Key: `<controlPrefix>:pause` (default `meta:control:pause`), a hash:
 *   reason, detail, pausedAt (ms)   first pause wins; later pauses only add queues
 *   queue:<name> = 1                one field per queue this mechanism paused
 *
 * @example
 * await pauseAllQueues(queues, 'token_fatal', { redis, detail: 'meta 190/460' });
 * // after rotation:
 * await resumeAllQueues(queues, { redis, reason: 'token_fatal' });
 */
import type { Queue } from 'bullmq';
import type { RedisClient } from '../lua/loader.ts';

export type PausableQueue = Pick<Queue, 'name' | 'pause' | 'resume' | 'isPaused'>;

export interface PauseStore {
  redis: RedisClient;
  /** Default `meta:control` (see `controlKeyPrefixFor`). */
  keyPrefix?: string;
}

export interface PauseState {
  reason: string;
  detail: string;
  /** ms since the epoch (the pausing process's clock). */
  pausedAt: number;
  /** Queues this mechanism paused (names). */
  queues: string[];
}

export const DEFAULT_CONTROL_KEY_PREFIX = 'meta:control';

/** The pause reason a token-fatal Meta error records; a rotation resumes exactly these pauses. */
export const TOKEN_FATAL_REASON = 'token_fatal';

export function pauseKey(keyPrefix: string = DEFAULT_CONTROL_KEY_PREFIX): string {
  return `${keyPrefix}:pause`;
}

/**
 * Records the reason (unless a pause is already recorded), then pauses every queue that is not paused yet
 * and records it. Safe to call from several workers at once. Returns the recorded state.
 */
export async function pauseAllQueues(
  queues: readonly PausableQueue[],
  reason: string,
  store: PauseStore & { detail?: string },
): Promise<PauseState> {
  const key = pauseKey(store.keyPrefix);
  const label = clean(reason) || 'paused';
  await store.redis
    .multi()
    .hsetnx(key, 'reason', label)
    .hsetnx(key, 'detail', clean(store.detail))
    .hsetnx(key, 'pausedAt', String(Date.now()))
    .exec();
  await Promise.all(
    queues.map(async (queue) => {
      if (await queue.isPaused()) return;
      await queue.pause();
      await store.redis.hset(key, `queue:${queue.name}`, '1');
    }),
  );
  return (await getPauseState(store)) ?? { reason: label, detail: '', pausedAt: Date.now(), queues: [] };
}

/**
 * Resumes the queues a recorded pause stopped (only those among `queues`) and forgets them; the record is
 * deleted once no paused queue is left in it. With `reason`, does nothing unless the record has that reason.
 */
export async function resumeAllQueues(
  queues: readonly PausableQueue[],
  store: PauseStore & { reason?: string },
): Promise<{ resumed: string[]; state: PauseState | null }> {
  const state = await getPauseState(store);
  if (!state || (store.reason !== undefined && state.reason !== store.reason)) return { resumed: [], state };
  const key = pauseKey(store.keyPrefix);
  const resumed: string[] = [];
  for (const queue of queues) {
    if (!state.queues.includes(queue.name)) continue;
    await queue.resume();
    await store.redis.hdel(key, `queue:${queue.name}`);
    resumed.push(queue.name);
  }
  const left = state.queues.filter((name) => !resumed.includes(name));
  if (left.length === 0) await store.redis.del(key);
  return { resumed, state: left.length === 0 ? null : { ...state, queues: left } };
}

/** The recorded pause, or null. */
export async function getPauseState(store: PauseStore): Promise<PauseState | null> {
  const fields = await store.redis.hgetall(pauseKey(store.keyPrefix));
  if (!fields.reason) return null;
  return {
    reason: fields.reason,
    detail: fields.detail ?? '',
    pausedAt: Number(fields.pausedAt ?? 0),
    queues: Object.keys(fields)
      .filter((field) => field.startsWith('queue:'))
      .map((field) => field.slice(6))
      .sort(),
  };
}

function clean(value: string | undefined): string {
  return (value ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 200);
}
