/**
 * The limiter inside real BullMQ workers: account A may make 5 calls per 1-s window (learned from Meta's
 * answers, which the processor records like the worker does), account B is not limited. A's jobs beyond the
 * window are parked with moveToDelayed + DelayedError and complete without using attempts; B's jobs are never
 * parked. Asserts counts and booked slots, not timings.
 */
import { randomUUID } from 'node:crypto';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientJob, DEFAULT_JOB_OPTIONS, parseJobData } from '../jobs.ts';
import { QUEUE_NAMES } from '../names.ts';
import { deleteKeys, randomPrefix, testRedis } from '../test-support/redis.ts';
import { APP_BLOCK_WORKER_LIMITER, rateLimitQueues } from './app-block.ts';
import { createLimiter, type DenyReason } from './limiter.ts';
import { acquireOrPark } from './park-job.ts';

const ACCOUNT_A = '1001';
const ACCOUNT_B = '2002';
const JOBS_PER_ACCOUNT = 6;
const A_QUOTA = 5;
const WINDOW_MS = 1_000;

let redis: Redis;
let base: string;

beforeAll(() => {
  redis = testRedis();
  base = randomPrefix();
});

afterAll(async () => {
  await deleteKeys(redis, base);
  await redis.quit();
});

describe('limiter with BullMQ', () => {
  it('parks only the paced account, without using attempts', async () => {
    const prefix = `{${base}}`;
    const limiter = createLimiter({
      redis,
      keyPrefix: `${base}:limiter`,
      safetyFactor: 1,
      windowMs: WINDOW_MS,
      windowMarginMs: 0,
      maxConcurrentPerAccount: 0,
      accountPace: null,
      accounts: {
        [ACCOUNT_A]: { paces: { ads_insights: { callsPerHour: 100 } } },
        [ACCOUNT_B]: { defaultPace: { callsPerHour: 0 } },
      },
    });
    const queue = new Queue(QUEUE_NAMES.collectInsights, {
      connection: redis,
      prefix,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    const parks: Record<string, number> = { [ACCOUNT_A]: 0, [ACCOUNT_B]: 0 };
    const parkReasons = new Set<DenyReason>();
    const total = JOBS_PER_ACCOUNT * 2;
    let completed = 0;
    let callsA = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });

    const worker = new Worker(
      QUEUE_NAMES.collectInsights,
      async (job: Job, token?: string) => {
        const data = parseJobData(QUEUE_NAMES.collectInsights, job.data);
        const slot = await acquireOrPark(
          limiter,
          job,
          token,
          { adAccountId: data.adAccountId, buc: 'ads_insights' },
          (denial) => {
            parks[data.adAccountId] = (parks[data.adAccountId] ?? 0) + 1;
            parkReasons.add(denial.reason);
          },
        );
        try {
          // Meta's answer: each call uses 1/A_QUOTA of account A's window.
          const calls = data.adAccountId === ACCOUNT_A ? ++callsA : 0;
          await limiter.recordUsage({
            scope: 'account',
            adAccountId: data.adAccountId,
            buc: 'ads_insights',
            member: slot.member,
            slotAt: slot.slotAt,
            ...(data.adAccountId === ACCOUNT_A
              ? { utilizationPct: Math.round((100 * calls) / A_QUOTA) }
              : {}),
          });
          return { account: data.adAccountId, slotAt: slot.slotAt };
        } finally {
          await slot.release();
        }
      },
      { connection: redis, prefix, concurrency: 8, limiter: APP_BLOCK_WORKER_LIMITER },
    );
    const failures: string[] = [];
    worker.on('failed', (job, error) => failures.push(`${job?.id}: ${error.message}`));
    worker.on('completed', () => {
      completed += 1;
      if (completed === total) resolveDone();
    });

    try {
      const jobs = [ACCOUNT_A, ACCOUNT_B].flatMap((adAccountId) =>
        Array.from({ length: JOBS_PER_ACCOUNT }, () =>
          buildClientJob(QUEUE_NAMES.collectInsights, { clientId: randomUUID(), adAccountId, runId: 'r1' }),
        ),
      );
      await queue.addBulk(jobs);
      await withTimeout(
        done,
        30_000,
        () => `completed ${completed}/${total}, parks ${JSON.stringify(parks)}, failures ${failures}`,
      );

      expect(failures).toEqual([]);
      expect(parks[ACCOUNT_B]).toBe(0);
      expect(parks[ACCOUNT_A]).toBeGreaterThanOrEqual(1);
      expect([...parkReasons]).toEqual(['paced']);

      const finished = await queue.getJobs(['completed']);
      expect(finished).toHaveLength(total);
      const byAccount = (account: string) => finished.filter((job) => job.returnvalue.account === account);
      for (const job of finished) expect(job.attemptsMade).toBe(1);
      const startedA = byAccount(ACCOUNT_A).reduce((sum, job) => sum + job.attemptsStarted, 0);
      expect(startedA).toBe(JOBS_PER_ACCOUNT + parks[ACCOUNT_A]!);
      for (const job of byAccount(ACCOUNT_B)) expect(job.attemptsStarted).toBe(1);

      const slotsA = byAccount(ACCOUNT_A)
        .map((job) => job.returnvalue.slotAt as number)
        .sort((x, y) => x - y);
      // No window of WINDOW_MS holds more than A_QUOTA of A's calls.
      for (let i = A_QUOTA; i < slotsA.length; i += 1) {
        expect(slotsA[i]! - slotsA[i - A_QUOTA]!).toBeGreaterThanOrEqual(WINDOW_MS);
      }
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('rateLimitQueues puts every queue under BullMQ rate limit for an app-wide block', async () => {
    const prefix = `{${base}-rl}`;
    const queues = [QUEUE_NAMES.validate, QUEUE_NAMES.refreshCache].map(
      (name) => new Queue(name, { connection: redis, prefix }),
    );
    try {
      await rateLimitQueues(queues, 0);
      for (const queue of queues)
        expect(await queue.getRateLimitTtl(APP_BLOCK_WORKER_LIMITER.max)).toBeLessThanOrEqual(0);
      await rateLimitQueues(queues, 30_000);
      for (const queue of queues) {
        const ttl = await queue.getRateLimitTtl(APP_BLOCK_WORKER_LIMITER.max);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30_000);
      }
    } finally {
      for (const queue of queues) {
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await deleteKeys(redis, `${base}-rl`);
    }
  });
});

async function withTimeout<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${describe()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
