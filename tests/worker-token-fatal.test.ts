/**
 * Acceptance (issue 6): the shared token is revoked mid-run (sandbox admin revoke). Every queue pauses
 * within one job (one token error per queue at most, each queue working one job at a time); no job fails
 * for it; the token state and the pause record say why. After a rotation (the sandbox issues a new token,
 * the worker restarts with it, the producer's `resumeAllQueues`) the remaining jobs complete.
 */
import { DEFAULT_ACCOUNT_IDS } from '@meta-engine/meta-sandbox';
import { CLIENT_TASKS, controlKeyPrefixFor, getPauseState, resumeAllQueues } from '@meta-engine/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const [ACCOUNT_1, ACCOUNT_2] = DEFAULT_ACCOUNT_IDS;
const CLIENTS = 6;

describe('worker: token revoked mid-run', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorkerHarness({ sandbox: { startTime: '2026-05-20T09:00:00Z', latencyMs: 5 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pauses every queue within one job, fails nothing, and resumes after rotation', async () => {
    let accountReads = 0;
    const settings = {
      concurrency: Object.fromEntries(CLIENT_TASKS.map((task) => [task, 1])),
      backfillDays: 14,
    };
    const first = await h.startApp({
      settings,
      onResponse: (event) => {
        // Revoke the token right after the second successful account read: mid-run, deterministic.
        if (event.status === 200 && /\/act_\d+$/.test(event.path) && ++accountReads === 2) {
          h.sandbox.revokeToken(h.token);
        }
      },
    });

    const jobIds = Object.fromEntries(CLIENT_TASKS.map((task) => [task, [] as string[]])) as Record<
      (typeof CLIENT_TASKS)[number],
      string[]
    >;
    for (let i = 0; i < CLIENTS; i++) {
      const adAccountId = i % 2 === 0 ? ACCOUNT_1 : ACCOUNT_2;
      const clientId = await h.seedClient({ adAccountId });
      for (const task of CLIENT_TASKS) {
        const data = { clientId, adAccountId, runId: 'run-1' };
        const job = await h.addJob(task, task === 'summaries' ? { ...data, kind: 'monthly' } : data);
        jobIds[task].push(job.id!);
      }
    }

    const queues = CLIENT_TASKS.map((task) => h.queues[task]);
    await waitUntil(async () => (await Promise.all(queues.map((q) => q.isPaused()))).every(Boolean), {
      what: 'every queue to pause',
    });
    // Jobs in flight finish their current step and are handed back, not failed.
    await waitUntil(
      async () => {
        const counts = await Promise.all(queues.map((q) => q.getJobCounts('active')));
        return counts.every((c) => c.active === 0) && first.app.activeJobs() === 0;
      },
      { what: 'no active job' },
    );
    const tokenErrors = h.sandbox.counters().app.tokenErrors;
    expect(tokenErrors).toBeGreaterThanOrEqual(1);
    // Within one job: at most one 190 per queue (each queue runs one job at a time).
    expect(tokenErrors).toBeLessThanOrEqual(CLIENT_TASKS.length);
    for (const queue of queues) expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
    const completedBefore = (
      await Promise.all(queues.map(async (q) => (await q.getJobCounts('completed')).completed ?? 0))
    ).reduce((a, b) => a + b, 0);
    expect(completedBefore).toBeLessThan(CLIENTS * CLIENT_TASKS.length);

    const store = { redis: h.redis, keyPrefix: controlKeyPrefixFor(h.prefix) };
    expect(await getPauseState(store)).toMatchObject({
      reason: 'token_fatal',
      detail: expect.stringMatching(/^meta 190/),
      queues: [...CLIENT_TASKS].sort(),
    });
    const [tokenState] = await h.sql<{ status: string; paused_reason: string }[]>`
      select status, paused_reason from meta_token_state where fingerprint = ${h.fingerprint()}`;
    expect(tokenState).toMatchObject({
      status: 'token_fatal',
      paused_reason: expect.stringMatching(/^meta 190/),
    });
    expect(tokenState?.paused_reason).not.toContain(h.token);
    const tokenRows = await h.sql<{ outcome: string; error_code: number }[]>`
      select outcome, error_code from meta_ad_account_validations where outcome like 'token_%'`;
    for (const row of tokenRows) expect(row).toMatchObject({ outcome: 'token_invalid', error_code: 190 });

    // Rotation: a new token in the sandbox, the worker restarted with it, the queues resumed.
    const rotated = h.sandbox.rotateToken({ replaces: h.token });
    await first.close();
    const second = await h.startApp({ token: rotated.value, settings });
    const { resumed } = await resumeAllQueues(queues, { ...store, reason: 'token_fatal' });
    expect(resumed.sort()).toEqual([...CLIENT_TASKS].sort());

    for (const task of CLIENT_TASKS) {
      await h.waitForJobs(task, jobIds[task], { states: ['completed'], timeoutMs: 30_000 });
      expect(await h.queues[task].getJobCounts('failed')).toEqual({ failed: 0 });
    }
    await second.close();
    // The new token was checked and recorded under its own fingerprint.
    const [newState] = await h.sql<{ status: string }[]>`
      select status from meta_token_state where fingerprint = ${h.fingerprint(rotated.value)}`;
    expect(newState?.status).toBe('ok');
  });
});
