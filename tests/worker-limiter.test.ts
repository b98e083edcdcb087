/**
 * Acceptance (issue 6): the per-account limiter end to end. Account A has a tiny sandbox quota
 * (10 ads_management calls per sandbox hour), account B plenty. The sandbox runs 3600x faster than real
 * time (one sandbox hour per second), and the worker scales Meta's wait times by the same factor.
 *
 * - pace inside A's quota: A completes with zero throttle errors (sandbox counters);
 * - pace above it: A is throttled, its jobs are parked until Meta's regain time (about as many throttle
 *   answers as jobs that arrived over quota, not a retry storm) and still complete;
 * - in both cases every B job runs on its first start: never parked (attemptsStarted = 1), never throttled.
 *
 * Everything is compared by counting (sandbox counters, job attempts), never by timing.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.ts';

const TIME_SCALE = 3600;
const TINY_QUOTA = 10;
const A1 = '2000000000000001';
const B1 = '2000000000000002';
const A2 = '2000000000000003';
const B2 = '2000000000000004';
const JOBS_PER_ACCOUNT = 14;

describe('worker: per-account limiter', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorkerHarness({
      sandbox: {
        timeScale: TIME_SCALE,
        accounts: [
          {
            id: A1,
            timezone: 'Europe/Warsaw',
            currency: 'PLN',
            quotaOverride: { ads_management: TINY_QUOTA },
          },
          { id: B1, timezone: 'Europe/Warsaw', currency: 'PLN', quotaOverride: { ads_management: 100_000 } },
          {
            id: A2,
            timezone: 'Europe/Warsaw',
            currency: 'PLN',
            quotaOverride: { ads_management: TINY_QUOTA },
          },
          { id: B2, timezone: 'Europe/Warsaw', currency: 'PLN', quotaOverride: { ads_management: 100_000 } },
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
  const counters = (account: string) => h.sandbox.counters().accounts[account]!.ads_management;
  const started = (jobs: Job[]) => jobs.map((job) => job.attemptsStarted);

  /** B: effectively unlimited, so only Meta's answers could ever park it. */
  const plenty = { paces: { ads_management: { callsPerHour: 1e9, burst: 10_000 } }, maxConcurrent: 0 };

  it('with the pace inside A quota: A is paced, never throttled; B is never parked', async () => {
    const worker = await h.startApp({
      settings: { metaTimeScale: TIME_SCALE, concurrency: { validate: 40 } },
      limiter: { safetyFactor: 0.6 },
      limiterAccounts: {
        // Meta's quota per real hour at this time scale; the limiter uses 60 % of it, one call at a time.
        [A1]: {
          paces: { ads_management: { callsPerHour: TINY_QUOTA * TIME_SCALE, burst: 0 } },
          maxConcurrent: 0,
        },
        [B1]: plenty,
      },
    });
    const aIds = await enqueue(A1, JOBS_PER_ACCOUNT, 'inside');
    const bIds = await enqueue(B1, JOBS_PER_ACCOUNT, 'inside');
    const aJobs = await h.waitForJobs('validate', aIds, { states: ['completed'], timeoutMs: 45_000 });
    const bJobs = await h.waitForJobs('validate', bIds, { states: ['completed'], timeoutMs: 45_000 });
    await worker.close();

    expect(aJobs).toHaveLength(JOBS_PER_ACCOUNT);
    expect(counters(A1).throttles).toBe(0);
    expect(counters(A1).calls).toBe(JOBS_PER_ACCOUNT);
    // Pacing parked A's jobs (each at most once in steady state: reserve mode books a slot).
    expect(started(aJobs).filter((n) => n > 1).length).toBeGreaterThan(0);
    expect(Math.max(...started(aJobs))).toBeLessThanOrEqual(3);
    const pacedParks = (await worker.metrics.limiterWaits.get()).values
      .filter((value) => value.labels.reason === 'paced')
      .reduce((sum, value) => sum + value.value, 0);
    expect(pacedParks).toBe(started(aJobs).reduce((sum, n) => sum + n - 1, 0));

    expect(started(bJobs)).toEqual(bJobs.map(() => 1));
    expect(counters(B1).throttles).toBe(0);
    expect(counters(B1).calls).toBe(JOBS_PER_ACCOUNT);
  });

  it('with the pace above A quota: A is throttled, parked until the regain time, completes; B is never parked', async () => {
    const worker = await h.startApp({
      settings: { metaTimeScale: TIME_SCALE, concurrency: { validate: 40 } },
      limiterAccounts: {
        // Ten times Meta's quota with a burst: every A job calls at once.
        [A2]: {
          paces: { ads_management: { callsPerHour: 10 * TINY_QUOTA * TIME_SCALE, burst: JOBS_PER_ACCOUNT } },
          maxConcurrent: 0,
        },
        [B2]: plenty,
      },
    });
    const aIds = await enqueue(A2, JOBS_PER_ACCOUNT, 'above');
    const bIds = await enqueue(B2, JOBS_PER_ACCOUNT, 'above');
    const aJobs = await h.waitForJobs('validate', aIds, { states: ['completed'], timeoutMs: 45_000 });
    const bJobs = await h.waitForJobs('validate', bIds, { states: ['completed'], timeoutMs: 45_000 });
    const throttleParks = (await worker.metrics.limiterWaits.get()).values
      .filter((value) => value.labels.reason === 'account_throttle')
      .reduce((sum, value) => sum + value.value, 0);
    await worker.close();

    // Throttled: Meta answered 80004 to the calls over quota.
    const a = counters(A2);
    expect(a.throttles).toBeGreaterThan(0);
    expect(throttleParks).toBe(a.throttles);
    // Parked until the regain time: the throttled jobs came back after the block, not in a loop.
    expect(a.throttles).toBeLessThanOrEqual(JOBS_PER_ACCOUNT);
    expect(a.calls).toBe(JOBS_PER_ACCOUNT + a.throttles);
    expect(aJobs.every((job) => job.attemptsMade === 1)).toBe(true);
    expect(started(aJobs).filter((n) => n > 1).length).toBeGreaterThanOrEqual(a.throttles > 0 ? 1 : 0);

    expect(started(bJobs)).toEqual(bJobs.map(() => 1));
    expect(counters(B2).throttles).toBe(0);
    expect(counters(B2).calls).toBe(JOBS_PER_ACCOUNT);
  });
});
