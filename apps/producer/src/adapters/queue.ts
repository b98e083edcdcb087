/**
 * @module adapters/queue
 * The producer's ports on top of `@meta-engine/queue`: the token-fatal pause record and the limiter's
 * read API. Connections come from the same package (producer connections fail fast).
 */
import {
  controlKeyPrefixFor,
  createLimiter,
  getPauseState,
  limiterKeyPrefixFor,
  type RedisClient,
  resumeAllQueues,
  TOKEN_FATAL_REASON,
} from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { LimiterControl, PauseControl, QueuePauseState, ThrottleReader } from '../ports.ts';

/** The reason the worker records when a token-fatal error pauses every queue. */
export { TOKEN_FATAL_REASON };

export function pauseControlFrom(
  queues: readonly Queue[],
  redis: RedisClient,
  queuePrefix: string,
): PauseControl {
  const store = { redis, keyPrefix: controlKeyPrefixFor(queuePrefix) };
  return {
    async states(): Promise<QueuePauseState[]> {
      const [record, paused] = await Promise.all([
        getPauseState(store),
        Promise.all(queues.map((q) => q.isPaused())),
      ]);
      return queues.map((queue, i) => {
        const covered = record?.queues.includes(queue.name) ?? false;
        return {
          queue: queue.name,
          paused: paused[i] ?? false,
          reason: covered ? (record?.reason ?? null) : null,
          detail: covered ? record?.detail || null : null,
          since: covered && record?.pausedAt ? new Date(record.pausedAt).toISOString() : null,
        };
      });
    },
    async resumeTokenFatal() {
      const { resumed } = await resumeAllQueues(queues, { ...store, reason: TOKEN_FATAL_REASON });
      return resumed;
    },
  };
}

/** The limiter's read API (one call lists every blocked account) and its operator actions. */
export function throttleReaderFrom(redis: RedisClient, queuePrefix: string): ThrottleReader & LimiterControl {
  const limiter = createLimiter({ redis, keyPrefix: limiterKeyPrefixFor(queuePrefix) });
  return {
    async accountState(adAccountId) {
      const state = await limiter.getAccountState(adAccountId);
      return {
        bucs: Object.entries(state.bucs)
          .map(([buc, s]) => ({
            buc,
            utilizationPct: s.utilizationPct ?? null,
            factor: s.factor,
            blockedUntil: s.blockedUntil === undefined ? null : new Date(s.blockedUntil),
            reason: s.blockReason ?? null,
          }))
          .sort((a, b) => a.buc.localeCompare(b.buc)),
        activeLeases: state.activeLeases,
      };
    },
    clearAccountBlocks: (adAccountId) => limiter.clearAccountBlocks(adAccountId),
    clearAppBlock: () => limiter.clearAppBlock(),
    async listThrottled(limit) {
      const list = await limiter.listThrottledAccounts({ limit });
      return {
        total: list.total,
        accounts: list.accounts.map((a) => ({
          adAccountId: a.adAccountId,
          buc: a.buc,
          until: new Date(a.blockedUntil),
        })),
        app: list.app ? { until: new Date(list.app.blockedUntil), reason: list.app.reason } : null,
      };
    },
  };
}
