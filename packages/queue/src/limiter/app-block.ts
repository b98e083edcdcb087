/**
 * Turning an app-wide block into BullMQ's queue-level rate limit, so no worker fetches jobs meanwhile.
 *
 * `queue.rateLimit(ms)` is only honoured by workers that have a `limiter` option (BullMQ checks the limit
 * only when `limiter.max` is set): give every worker {@link APP_BLOCK_WORKER_LIMITER}, whose ceiling is
 * never reached by normal traffic.
 */
import type { Queue } from 'bullmq';

/** Worker `limiter` option that lets `queue.rateLimit` take effect without limiting anything else. */
export const APP_BLOCK_WORKER_LIMITER = { max: 1_000_000_000, duration: 1_000 } as const;

/** Calls `queue.rateLimit(ms)` on every queue (no-op for ms <= 0). */
export async function rateLimitQueues(
  queues: ReadonlyArray<Pick<Queue, 'rateLimit'>>,
  ms: number,
): Promise<void> {
  if (!(ms > 0)) return;
  const duration = Math.ceil(ms);
  await Promise.all(queues.map((queue) => queue.rateLimit(duration)));
}
