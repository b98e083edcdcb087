import { type RedisService, startRedis } from '@meta-engine/local-stack';
import {
  CLIENT_TASKS,
  type ClientTask,
  controlKeyPrefixFor,
  createLimiter,
  limiterKeyPrefixFor,
  openProducerConnection,
  pauseAllQueues,
} from '@meta-engine/queue';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseControlFrom, TOKEN_FATAL_REASON, throttleReaderFrom } from '../adapters/queue.ts';
import { renderStatus } from '../commands/status.ts';
import { RunStore } from '../fanout/run-store.ts';
import type { TokenStateStore } from '../ports.ts';
import { syncSchedulers } from '../schedules/sync-schedulers.ts';
import { uniquePrefix } from '../test-support/stack.ts';
import { collectStatus, type StatusDeps } from './collect-status.ts';
import { createProducerMetrics } from './metrics.ts';

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

const tokenState: TokenStateStore = {
  latest: async () => ({
    fingerprint: 'a'.repeat(64),
    status: 'token_fatal',
    pausedReason: 'meta 190/460: session invalidated',
    lastCheckedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: null,
    scopes: ['ads_read'],
    type: 'SYSTEM_USER',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }),
  lastRotatedFingerprint: async () => 'a'.repeat(64),
  lastRotation: async () => ({ fingerprint: 'a'.repeat(64), at: '2026-01-01T00:00:00.000Z' }),
  recordRotation: async () => {},
};

describe('status and metrics from real Redis', () => {
  it('show paused queues with the reason, throttled accounts until when, schedulers and the token', async () => {
    const prefix = uniquePrefix();
    const byTask = Object.fromEntries(
      CLIENT_TASKS.map((task) => [task, new Queue(task, { connection, prefix })]),
    ) as Record<ClientTask, Queue>;
    const fanoutQueue = new Queue('fanout', { connection, prefix });
    const all = [...CLIENT_TASKS.map((t) => byTask[t]), fanoutQueue];
    queues.push(...all);
    await byTask.validate.add('validate', { clientId: 'c' }, { jobId: 'validate-c-r', priority: 5 });
    await syncSchedulers(fanoutQueue, {
      validate: { pattern: '0 6 * * *', tz: 'UTC' },
      'refresh-cache': null,
      'collect-insights': null,
      summaries: null,
      'drift-check': null,
    });
    await pauseAllQueues(all, TOKEN_FATAL_REASON, {
      redis: connection,
      keyPrefix: controlKeyPrefixFor(prefix),
      detail: 'meta 190/460',
    });
    const limiter = createLimiter({ redis: connection, keyPrefix: limiterKeyPrefixFor(prefix) });
    await limiter.recordUsage({
      scope: 'account',
      adAccountId: 'act_555',
      buc: 'ads_insights',
      throttled: true,
      blockForMs: 600_000,
    });

    const deps: StatusDeps = {
      queues: all,
      fanoutQueue,
      pauses: pauseControlFrom(all, connection, prefix),
      tokenState,
      throttles: throttleReaderFrom(connection, prefix),
      runs: new RunStore({ redis: connection, prefix, queues: byTask, retentionSeconds: 60 }),
      configuredFingerprint: 'b'.repeat(64),
    };
    const snapshot = await collectStatus(deps);
    const text = renderStatus(snapshot, new Date());
    expect(text).toMatch(/validate\s+0\s+1\s+0\s+0\s+0\s+0\s+yes: token_fatal \(meta 190\/460\) since /);
    expect(text).toMatch(/Throttled accounts: 1\n {2}act_555 ads_insights until \S+Z \(\d+s\)/);
    expect(text).toContain(
      'stored state: token_fatal for aaaaaaaaaaaa, paused: meta 190/460: session invalidated',
    );
    expect(text).toContain('the configured token is not rotated to yet: run `producer rotate`');
    expect(text).toMatch(/validate\s+0 6 \* \* \*\s+UTC/);

    const metrics = await createProducerMetrics({ defaultMetrics: false }).render(snapshot);
    expect(metrics).toContain('meta_producer_queue_paused_token_fatal{queue="validate"} 1');
    expect(metrics).toContain('meta_producer_queue_jobs{queue="validate",state="prioritized"} 1');
    expect(metrics).toContain('meta_producer_throttled_accounts 1');
    expect(metrics).toContain('meta_producer_job_schedulers 1');
    expect(metrics).toContain('meta_producer_token_state{state="token_fatal"} 1');
    expect(metrics).toContain('meta_producer_token_rotation_pending 1');
    expect(metrics).not.toContain('act_555');
  });

  it('says which section is unavailable instead of failing', async () => {
    const deps: StatusDeps = {
      queues: [],
      fanoutQueue: queues[0]!,
      pauses: { states: async () => [], resumeTokenFatal: async () => [] },
      tokenState: { ...tokenState, latest: async () => Promise.reject(new Error('database unreachable')) },
      throttles: { listThrottled: async () => ({ total: 0, accounts: [], app: null }) },
      runs: new RunStore({
        redis: connection,
        prefix: uniquePrefix(),
        queues: {} as Record<ClientTask, Queue>,
        retentionSeconds: 60,
      }),
      configuredFingerprint: null,
    };
    const snapshot = await collectStatus(deps);
    expect(snapshot.token).toEqual({ ok: false, error: 'database unreachable' });
    expect(renderStatus(snapshot)).toContain('Token: unavailable (database unreachable)');
  });
});
