/**
 * Acceptance (issues 6 and 11): the per-account limiter end to end, against the sandbox on a clock 3600x
 * faster than real time (one sandbox hour = one second), the worker's Meta hour shortened to match.
 *
 * The engine is never told the real quotas: it starts from the development tier's documented base and
 * learns each (account, BUC) quota from Meta's usage headers.
 *
 * - A's real quota is 10 calls per window: A is learned after its first answer and never throttled; B
 *   (Meta allows plenty) is never parked;
 * - a cache refresh (6 calls) under a 5-call window finishes across windows with no call repeated;
 * - a job that Meta keeps refusing ends after a bounded wait with the reason in its sync state.
 *
 * Everything is compared by counting (sandbox counters, job attempts), never by timing.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.ts';

const TIME_SCALE = 3600;
const TINY_QUOTA = 10;
const A = '2000000000000001';
const B = '2000000000000002';
const REFRESH = '2000000000000003';
const STUCK = '2000000000000004';
const JOBS_PER_ACCOUNT = 14;

/** What the engine is told: the development tier's base (ads_management 300, ads_insights 600 per hour). */
const TIER_HINTS = { paces: { ads_management: { callsPerHour: 300 }, ads_insights: { callsPerHour: 600 } } };

describe('worker: per-account limiter learning Meta quotas', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorkerHarness({
      sandbox: {
        timeScale: TIME_SCALE,
        accounts: [
          {
            id: A,
            timezone: 'Europe/Warsaw',
            currency: 'PLN',
            quotaOverride: { ads_management: TINY_QUOTA },
          },
          { id: B, timezone: 'Europe/Warsaw', currency: 'PLN', quotaOverride: { ads_management: 100_000 } },
          { id: REFRESH, timezone: 'Europe/Warsaw', currency: 'PLN', quotaOverride: { ads_insights: 5 } },
          { id: STUCK, timezone: 'Europe/Warsaw', currency: 'PLN' },
        ],
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Seeds `count` clients on `account` and adds one validate job each; returns the job ids. */
  const enqueue = async (account: string, count: number, runId: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = await h.seedClient({ adAccountId: account });
      const job = await h.addJob('validate', { clientId, adAccountId: account, runId });
      ids.push(job.id!);
    }
    return ids;
  };
  const counters = (account: string) => h.sandbox.counters().accounts[account]!;
  const started = (jobs: Job[]) => jobs.map((job) => job.attemptsStarted);

  it("learns A's quota (never told) and never gets throttled; B is never parked", async () => {
    const worker = await h.startApp({
      settings: { metaTimeScale: TIME_SCALE, concurrency: { validate: 40 } },
      limiter: TIER_HINTS,
    });
    const aIds = await enqueue(A, JOBS_PER_ACCOUNT, 'learn');
    const bIds = await enqueue(B, JOBS_PER_ACCOUNT, 'learn');
    const aJobs = await h.waitForJobs('validate', aIds, { states: ['completed'], timeoutMs: 45_000 });
    const bJobs = await h.waitForJobs('validate', bIds, { states: ['completed'], timeoutMs: 45_000 });
    const state = await worker.limiter.getAccountState(A);
    await worker.close();

    expect(aJobs).toHaveLength(JOBS_PER_ACCOUNT);
    expect(counters(A).ads_management.throttles).toBe(0);
    expect(counters(A).ads_management.calls).toBe(JOBS_PER_ACCOUNT);
    // 14 jobs do not fit in one window of 10 (the limiter books 90 % of it): some waited for the next one.
    expect(started(aJobs).filter((n) => n > 1).length).toBeGreaterThan(0);
    // What it learned is the real quota, or (answers arriving late on a loaded machine look like a smaller
    // quota) a little below it: never above, and far below the tier's 300 it was told.
    const quota = state.bucs.ads_management?.quota;
    expect(quota?.lo).toBeLessThanOrEqual(TINY_QUOTA);
    expect(quota?.estimate).toBeLessThanOrEqual(TINY_QUOTA);
    expect(quota?.estimate).toBeGreaterThanOrEqual(0.6 * TINY_QUOTA);
    expect(quota?.convergedAfter).toBeLessThanOrEqual(3);

    expect(started(bJobs)).toEqual(bJobs.map(() => 1));
    expect(counters(B).ads_management.throttles).toBe(0);
    expect(counters(B).ads_management.calls).toBe(JOBS_PER_ACCOUNT);
  });

  it('a cache refresh (6 calls) under a 5-call window finishes across windows, no call repeated', async () => {
    // A job waits inside itself at most 50 ms (Meta's real window is an hour: the job must park).
    const worker = await h.startApp({
      settings: { metaTimeScale: TIME_SCALE, maxInlineWaitMs: 50 },
      limiter: TIER_HINTS,
    });
    const clientId = await h.seedClient({ adAccountId: REFRESH });
    const validated = await h.addJob('validate', { clientId, adAccountId: REFRESH, runId: 'v' });
    await h.waitForJobs('validate', [validated.id!], { states: ['completed'] });
    const job = await h.addJob('refresh-cache', { clientId, adAccountId: REFRESH, runId: 'r' });
    const [done] = await h.waitForJobs('refresh-cache', [job.id!], {
      states: ['completed'],
      timeoutMs: 45_000,
    });
    await worker.close();

    const insights = counters(REFRESH).ads_insights;
    expect(insights.throttles).toBe(0);
    expect(insights.calls).toBe(6);
    // Parked once at least (the sixth call belongs to the next window); the earlier results were kept.
    expect(done!.attemptsStarted).toBeGreaterThan(1);
    expect(done!.returnvalue).toMatchObject({ reused: expect.any(Number) });
    expect(done!.returnvalue.metaCalls + done!.returnvalue.reused).toBe(6);
    expect(done!.returnvalue.reused).toBeGreaterThan(0);
    const [row] = await h.sql<
      { n: number }[]
    >`select count(*)::int as n from current_month_cache where client_id = ${clientId}`;
    expect(row?.n).toBe(1);
  });

  it('a job Meta keeps refusing ends after a bounded wait, with the reason in its sync state', async () => {
    // Every insights call is refused by an app-level throttle: the job never makes progress.
    h.sandbox.updateConfig({ appInsightsLoad: { enabled: true, maxCallsPerSecond: null } });
    const worker = await h.startApp({
      settings: { metaTimeScale: TIME_SCALE, maxParksWithoutProgress: 3 },
      // The app's fallback block in Meta time (60 s) on the sandbox's clock.
      limiter: { ...TIER_HINTS, appFallbackBlockMs: 17 },
    });
    try {
      const clientId = await h.seedClient({ adAccountId: STUCK });
      const job = await h.addJob('collect-insights', { clientId, adAccountId: STUCK, runId: 'stuck' });
      const [failed] = await h.waitForJobs('collect-insights', [job.id!], {
        states: ['failed'],
        timeoutMs: 10_000,
      });
      expect(failed!.failedReason).toMatch(/^gave_up_waiting: parked 3 times .* without getting further/);
      expect(failed!.attemptsMade).toBe(1);
      const [state] = await h.sql<{ last_error: { category: string; message: string } }[]>`
        select last_error from meta_sync_state where client_id = ${clientId} and task = 'collect-insights'`;
      expect(state?.last_error.category).toBe('gave_up_waiting');
    } finally {
      await worker.close();
      h.sandbox.updateConfig({ appInsightsLoad: { enabled: false } });
    }
  });
});
