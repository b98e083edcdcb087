import { randomUUID } from 'node:crypto';
import { createRepository } from '@meta-engine/db';
import { tokenFingerprint } from '@meta-engine/meta-client';
import {
  buildClientJob,
  controlKeyPrefixFor,
  createWorkerConnection,
  getPauseState,
  pauseAllQueues,
} from '@meta-engine/queue';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_FATAL_REASON } from '../adapters/queue.ts';
import type { Runtime } from '../runtime.ts';
import { startTestStack, TEST_TOKEN, type TestStack } from '../test-support/stack.ts';
import { type RotationOutcome, rotateIfChanged } from './rotate.ts';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});

afterAll(async () => {
  await t?.stop();
});

describe('token rotation (real Redis and database)', () => {
  it('resumes a system paused by a token-fatal error and re-validates every client ahead of queued work', async () => {
    const clients = t.seedClients(6, { prefix: 'Rotation', apiStatus: 'pending' });
    const runtime = await t.runtime();
    const { config } = runtime;
    const repo = createRepository({
      supabaseUrl: config.supabaseUrl,
      serviceRoleKey: config.supabaseServiceRoleKey,
    });
    const oldFingerprint = tokenFingerprint(config.tokenFingerprintKey, 'EAAold-token-that-was-revoked');
    const newFingerprint = tokenFingerprint(config.tokenFingerprintKey, TEST_TOKEN);
    await runtime.tokenState.recordRotation(oldFingerprint, new Date('2026-01-01T00:00:00Z'));
    await repo.saveTokenState({
      fingerprint: oldFingerprint,
      status: 'token_fatal',
      pausedReason: 'code 190: revoked',
    });

    // Queued work from before the token died: scheduled validations of two of the clients, and of three
    // clients the directory no longer lists; plus cache refreshes.
    const validate = runtime.queues.validate;
    const strangers = [randomUUID(), randomUUID(), randomUUID()];
    for (const clientId of [clients[0]!, clients[1]!, ...strangers]) {
      const job = buildClientJob(
        'validate',
        { clientId, adAccountId: '123', runId: 'tick-validate-20260101T050000Z' },
        { priority: 10 },
      );
      // clients[1]'s job was handed back by the token-fatal error: parked (delayed), already due.
      const parked = clientId === clients[1] ? { delay: 1000, timestamp: Date.now() - 60_000 } : {};
      await validate.add(job.name, job.data, { ...job.opts, ...parked });
    }
    const refresh = buildClientJob(
      'refresh-cache',
      { clientId: clients[0]!, adAccountId: '123', runId: 'tick-x' },
      { priority: 10 },
    );
    await runtime.queues['refresh-cache'].add(refresh.name, refresh.data, refresh.opts);
    const store = { redis: runtime.redis, keyPrefix: controlKeyPrefixFor(config.queuePrefix) };
    await pauseAllQueues(runtime.allQueues, TOKEN_FATAL_REASON, { ...store, detail: 'meta 190/460' });
    expect((await runtime.pauses.states()).every((s) => s.paused && s.reason === TOKEN_FATAL_REASON)).toBe(
      true,
    );

    expect(await validate.getDelayedCount()).toBe(1);
    const outcome = await runtime.rotate({ force: false });
    expect(outcome).toMatchObject({
      status: 'rotated',
      fingerprint: newFingerprint,
      previousFingerprint: oldFingerprint,
      created: 4,
      skipped: 2,
      explicit: false,
    });
    if (outcome.status !== 'rotated') throw new Error('not rotated');
    expect(outcome.resumedQueues.sort()).toEqual([
      'collect-insights',
      'drift-check',
      'fanout',
      'refresh-cache',
      'summaries',
      'validate',
    ]);
    expect(await getPauseState(store)).toBeNull();
    expect((await runtime.pauses.states()).some((s) => s.paused)).toBe(false);

    // The parked job is still parked (its time is kept) but will come back with the rotation's priority.
    expect(await validate.getDelayedCount()).toBe(1);

    // Now a worker that records the order it gets validate jobs in (concurrency 1).
    const seen: string[] = [];
    let allSeen: () => void = () => {};
    const everything = new Promise<void>((resolve) => {
      allSeen = resolve;
    });
    const connection = createWorkerConnection(config.redis);
    const worker = new Worker(
      'validate',
      async (job) => {
        seen.push(job.data.clientId);
        if (seen.length === clients.length + strangers.length) allSeen();
      },
      { connection, prefix: config.queuePrefix, concurrency: 1 },
    );
    await worker.waitUntilReady();

    await everything;
    await worker.close();
    await connection.quit();
    // Every listed client first (the two already-queued ones were moved up), the strangers after.
    expect(new Set(seen.slice(0, clients.length))).toEqual(new Set(clients));
    expect(new Set(seen.slice(clients.length))).toEqual(new Set(strangers));
    expect((await runtime.queues['refresh-cache'].getJobCounts()).prioritized).toBe(1);

    const stored = await runtime.tokenState.latest();
    expect(stored).toMatchObject({ fingerprint: newFingerprint, status: 'unknown', pausedReason: null });
    expect(await runtime.tokenState.lastRotatedFingerprint()).toBe(newFingerprint);
    const progress = await runtime.runs.progress(outcome.runId);
    expect(progress).toMatchObject({ trigger: 'rotation', total: 6, done: 6, failed: 0, finished: true });

    // Same token at the next start: nothing to do.
    expect(await runtime.rotate({ force: false })).toEqual({
      status: 'unchanged',
      fingerprint: newFingerprint,
    });
  });

  it('lets only one of two producers rotate at the same moment', async () => {
    const a = await t.runtime();
    const b = await t.runtime(t.config({ QUEUE_PREFIX: a.config.queuePrefix }));
    const lockKey = `${controlKeyPrefixFor(a.config.queuePrefix)}:rotation-lock`;
    const base = (runtime: Runtime) => ({
      redis: runtime.redis,
      controlPrefix: controlKeyPrefixFor(runtime.config.queuePrefix),
      tokenState: runtime.tokenState,
      pauses: runtime.pauses,
      fingerprint: tokenFingerprint(runtime.config.tokenFingerprintKey, TEST_TOKEN),
    });
    // A's re-validation is running (it waits for B's answer) while B tries to rotate.
    let aRevalidating: () => void = () => {};
    const aStarted = new Promise<void>((resolve) => {
      aRevalidating = resolve;
    });
    let bAnswered: () => void = () => {};
    const bDone = new Promise<void>((resolve) => {
      bAnswered = resolve;
    });
    const first = rotateIfChanged(
      {
        ...base(a),
        revalidateAll: async (runId) => {
          aRevalidating();
          await bDone;
          return { runId, created: 0, skipped: 0, rejected: 0, paused: 0 };
        },
      },
      { force: true },
    );
    await aStarted;
    expect(await a.redis.exists(lockKey)).toBe(1);
    let second: RotationOutcome;
    try {
      second = await rotateIfChanged(
        { ...base(b), revalidateAll: async () => Promise.reject(new Error('must not run')) },
        { force: true },
      );
    } finally {
      bAnswered();
    }
    expect(second.status).toBe('in-progress');
    expect((await first).status).toBe('rotated');
    // The lock is released afterwards: the next rotation goes through.
    expect(await a.redis.exists(lockKey)).toBe(0);
    expect((await b.rotate({ force: true })).status).toBe('rotated');
  });
  it('does not rotate twice when another producer finished the same rotation just before it took the lock', async () => {
    const runtime = await t.runtime();
    const fingerprint = tokenFingerprint(runtime.config.tokenFingerprintKey, 'EAAraced-rotation-token');
    // This producer compared before the other one recorded its rotation: its first read is stale.
    let reads = 0;
    const tokenState = {
      ...runtime.tokenState,
      lastRotatedFingerprint: async () => (reads++ === 0 ? 'f'.repeat(64) : fingerprint),
    };
    let revalidations = 0;
    const outcome = await rotateIfChanged(
      {
        redis: runtime.redis,
        controlPrefix: controlKeyPrefixFor(runtime.config.queuePrefix),
        tokenState,
        pauses: runtime.pauses,
        fingerprint,
        revalidateAll: async (runId) => {
          revalidations++;
          return { runId, created: 0, skipped: 0, rejected: 0, paused: 0 };
        },
      },
      { force: false },
    );
    expect(outcome).toEqual({ status: 'unchanged', fingerprint });
    expect(revalidations).toBe(0);
    expect(reads).toBe(2);
  });
});
