/**
 * The limiter's behaviour table (the same cases as packages/queue's limiter test: burst, steady rate, two
 * accounts independent, BUCs independent, account-wide pace, cost, throttle blocks, app-wide block, usage
 * slowdown, leases, reservations) run against a real Redis Cluster, where each account's keys live in its
 * own slot and the app-wide keys in others. Then the limiter inside real BullMQ workers on the cluster:
 * a paced account is parked with moveToDelayed (no attempt used) while another runs at once.
 * Skips (saying why) only where cluster mode cannot run.
 */
import { randomUUID } from 'node:crypto';
import type { RedisCluster } from '@meta-engine/local-stack';
import {
  acquireOrPark,
  buildClientJob,
  createLimiter,
  createQueue,
  createWorkerConnection,
  parseJobData,
  type RedisClient,
} from '@meta-engine/queue';
import { type Job, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITER_CASES, runLimiterCase } from '../packages/queue/src/test-support/limiter-cases.ts';
import { deleteKeys } from '../packages/queue/src/test-support/redis.ts';
import { startSuiteCluster } from './support/cluster.ts';

const cluster: RedisCluster | undefined = await startSuiteCluster('cluster-limiter');

describe.skipIf(!cluster)('limiter on a Redis Cluster', () => {
  let redis: RedisClient;
  const bases: string[] = [];

  beforeAll(() => {
    redis = createWorkerConnection({ url: undefined, clusterNodes: [...cluster!.nodes] });
    redis.on('error', () => {});
  });
  afterAll(async () => {
    for (const base of bases) await deleteKeys(redis, base);
    await redis?.quit();
    await cluster?.stop();
  });

  it('the two accounts of the table live in different slots, apart from the app-wide keys', async () => {
    const slots = await Promise.all(
      ['x:limiter:{100}:gcra', 'x:limiter:{200}:gcra', 'x:limiter:app', 'x:limiter:throttled'].map((key) =>
        cluster!.slotOf(key),
      ),
    );
    expect(new Set(slots).size).toBe(4);
  });

  it.each(LIMITER_CASES)('$name', (limiterCase) => runLimiterCase(redis, bases, limiterCase));

  it('parks only the paced account inside real workers, without using attempts', async () => {
    const base = `cl${randomUUID().slice(0, 8)}`;
    bases.push(base);
    const paced = '3001';
    const free = '3002';
    const limiter = createLimiter({
      redis,
      keyPrefix: `${base}:limiter`,
      safetyFactor: 1,
      accountPace: null,
      maxConcurrentPerAccount: 0,
      accounts: {
        [paced]: { paces: { ads_insights: { callsPerHour: 3_600_000 / 100, burst: 0 } } },
        [free]: { defaultPace: { callsPerHour: 0 } },
      },
    });
    const queue = createQueue('collect-insights', { connection: redis, prefix: `{${base}}` });
    const perAccount = 5;
    const jobs = [paced, free].flatMap((adAccountId) =>
      Array.from({ length: perAccount }, () =>
        buildClientJob('collect-insights', { clientId: randomUUID(), adAccountId }),
      ),
    );
    const parks: Record<string, number> = { [paced]: 0, [free]: 0 };
    let completed = 0;
    let allDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const worker = new Worker(
      'collect-insights',
      async (job: Job, token?: string) => {
        const data = parseJobData('collect-insights', job.data);
        const slot = await acquireOrPark(
          limiter,
          job,
          token,
          { adAccountId: data.adAccountId, buc: 'ads_insights' },
          () => {
            parks[data.adAccountId] = (parks[data.adAccountId] ?? 0) + 1;
          },
        );
        await slot.release();
      },
      { connection: redis, prefix: `{${base}}`, concurrency: 10 },
    );
    worker.on('completed', () => {
      completed++;
      if (completed === jobs.length) allDone();
    });
    await queue.addBulk(jobs);
    await done;
    const finished = await Promise.all(jobs.map((job) => queue.getJob(job.opts.jobId)));
    expect(parks[free]).toBe(0);
    expect(parks[paced]).toBeGreaterThanOrEqual(perAccount - 1);
    for (const job of finished) expect(job?.attemptsMade).toBe(1);
    await worker.close();
    await queue.close();
  });
});
