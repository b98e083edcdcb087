/**
 * Every Lua script and multi-key command of the engine on a real Redis Cluster (three masters), where a
 * script, MULTI or DEL whose keys live in two slots fails with CROSSSLOT and a SCAN sees one node only:
 *
 * - cleaning up a prefix whose keys span slots (the tests' and operators' SCAN + delete) reaches every
 *   master and never sends a multi-slot DEL (this failed with CROSSSLOT before the fix);
 * - a queue prefix without a hash tag is refused up front, naming the fix, where BullMQ would fail with
 *   CROSSSLOT at the first job;
 * - the limiter's seven scripts on accounts served by each of the three masters, and again after every
 *   master's script cache was flushed (defineCommand's EVALSHA falls back to EVAL per node);
 * - the producer's run store (record-chunk and run-progress scripts, MULTI on run keys);
 * - the token-fatal pause record;
 * - BullMQ itself: workers, delayed jobs, deduplication, QueueEvents, job schedulers.
 * Skips (saying why) only where cluster mode cannot run.
 */
import { randomUUID } from 'node:crypto';
import type { RedisCluster } from '@meta-engine/local-stack';
import { RunStore } from '@meta-engine/producer';
import {
  buildClientJob,
  CLIENT_TASKS,
  type ClientTask,
  createLimiter,
  createQueue,
  createWorkerConnection,
  deleteKeysMatching,
  getPauseState,
  pauseAllQueues,
  type RedisClient,
  resumeAllQueues,
  scanKeys,
} from '@meta-engine/queue';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../packages/queue/src/test-support/redis.ts';
import { startSuiteCluster } from './support/cluster.ts';

const cluster: RedisCluster | undefined = await startSuiteCluster('cluster-scripts');

const ACCOUNTS = Array.from({ length: 24 }, (_, i) => String(7_000_000 + i));

describe.skipIf(!cluster)('scripts and multi-key commands on a Redis Cluster', () => {
  let redis: RedisClient;
  const closers: Array<() => Promise<unknown>> = [];
  const base = () => `cl${randomUUID().slice(0, 8)}`;

  /** The master serving each key now. */
  const mastersOf = async (keys: readonly string[]) =>
    new Set(
      await Promise.all(
        keys.map(async (key) => (await cluster!.masterOf(await cluster!.slotOf(key))).address),
      ),
    );
  const keysMatching = async (pattern: string) => {
    const found = new Set<string>();
    for await (const keys of scanKeys(redis, pattern)) for (const key of keys) found.add(key);
    return [...found];
  };
  const taskQueues = (prefix: string) => {
    const queues = Object.fromEntries(
      CLIENT_TASKS.map((task) => [task, createQueue(task, { connection: redis, prefix })]),
    ) as Record<ClientTask, Queue>;
    closers.push(() => Promise.all(Object.values(queues).map((queue) => queue.close())));
    return queues;
  };

  beforeAll(async () => {
    redis = createWorkerConnection({ url: undefined, clusterNodes: [...cluster!.nodes] });
    redis.on('error', () => {});
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await redis?.quit();
    await cluster?.stop();
  });

  it('cleans up a prefix whose keys span slots on every master, without CROSSSLOT', async () => {
    const b = base();
    const limiter = createLimiter({ redis, keyPrefix: `${b}:limiter` });
    for (const account of ACCOUNTS) {
      await limiter.recordUsage({ scope: 'account', adAccountId: account, utilizationPct: 10 });
    }
    const queues = taskQueues(`{${b}}`);
    await queues.validate.add('validate', { n: 1 }, { jobId: 'one' });
    const keys = await keysMatching(`*${b}*`);
    expect(keys.length).toBeGreaterThan(ACCOUNTS.length);
    expect((await mastersOf(keys)).size).toBe(3);

    // The package tests' cleanup (SCAN + DEL): with keys of several slots on a node it used to answer
    // CROSSSLOT, and through a Cluster client it scanned one node only.
    // (BullMQ may still be writing a queue's meta keys: at least the keys seen, and none left.)
    expect(await deleteKeys(redis, b)).toBeGreaterThanOrEqual(keys.length);
    expect(await keysMatching(`*${b}*`)).toEqual([]);
  });

  it('refuses a queue prefix without a hash tag, where BullMQ would fail with CROSSSLOT', async () => {
    const untagged = base();
    const raw = new Queue('validate', { connection: redis, prefix: untagged });
    closers.push(() => raw.close());
    await expect(raw.add('validate', { n: 1 })).rejects.toThrow(/CROSSSLOT/);
    expect(() => createQueue('validate', { connection: redis, prefix: untagged })).toThrow(
      `queue prefix "${untagged}" has no hash tag: on Redis Cluster every key of a queue must share one slot; use a prefix such as "{${untagged}}"`,
    );
    await deleteKeysMatching(redis, `${untagged}:*`);
  });

  it("runs every limiter script on accounts served by each master, also after a flush of every node's script cache", async () => {
    const b = base();
    const limiterOn = (keyBase: string) =>
      createLimiter({
        redis,
        keyPrefix: `${keyBase}:limiter`,
        safetyFactor: 1,
        paces: { ads_insights: { callsPerHour: 1 } },
        defaultPace: { callsPerHour: 0 },
        accountPace: null,
        maxConcurrentPerAccount: 1,
        random: () => 0,
      });
    // Round 2 runs on fresh keys (round 1 booked the accounts' next slots).
    const rounds = { 1: limiterOn(`${b}-1`), 2: limiterOn(`${b}-2`) };
    const limiter = rounds[1];
    const exercise = async (account: string, round: 1 | 2) => {
      const limiter = rounds[round];
      const grant = await limiter.acquire({ adAccountId: account, buc: 'ads_insights', jobId: `j${round}` });
      expect(grant).toMatchObject({ ok: true });
      if (!grant.ok) return;
      await grant.extend(60_000); // extend-lease
      // record-usage: the answer teaches the quota (one call per window)
      const answer = await limiter.recordUsage({
        scope: 'account',
        adAccountId: account,
        buc: 'ads_insights',
        utilizationPct: 100,
        member: grant.member,
        slotAt: grant.slotAt,
      });
      expect(answer.quota?.lo).toBeLessThanOrEqual(1);
      const paced = await limiter.acquire({ adAccountId: account, buc: 'ads_insights', jobId: `k${round}` });
      expect(paced).toMatchObject({ ok: false }); // acquire: the window log and the reservation
      expect((await limiter.book({ adAccountId: account, buc: 'ads_insights' })).reason).not.toBe('now'); // book
      await grant.release();
      // record-usage with three keys: one answer's account-wide and BUC reports in one script
      const [usage, management] = await limiter.recordUsages([
        { scope: 'account', adAccountId: account, utilizationPct: 96, blockForMs: 60_000 },
        {
          scope: 'account',
          adAccountId: account,
          buc: 'ads_management',
          throttled: true,
          blockForMs: 60_000,
        },
      ]);
      expect(usage).toMatchObject({ factor: 2 });
      expect(usage!.blockedForMs).toBeGreaterThan(50_000);
      expect(management!.blockedForMs).toBeGreaterThan(50_000);
    };
    const stateKeys = ACCOUNTS.map((account) => `${b}-1:limiter:{${account}}:state`);
    expect((await mastersOf(stateKeys)).size).toBe(3);
    for (const account of ACCOUNTS) await exercise(account, 1);

    expect(await limiter.admitApp()).toMatchObject({ ok: true }); // app-admit
    await limiter.recordUsage({ scope: 'app', throttled: true, blockForMs: 30_000, reason: 'meta 4' }); // app-usage
    const listed = await limiter.listThrottledAccounts({ limit: 1_000 }); // list-throttled + app-block
    // Each account: its BUC full at 100 %, the whole account and its throttled management BUC blocked.
    expect(listed.total).toBe(3 * ACCOUNTS.length);
    expect(listed.app).toMatchObject({ reason: 'meta 4' });
    await limiter.clearAppBlock();
    for (const account of ACCOUNTS) await limiter.clearAccountBlocks(account);

    // A promoted replica or a restarted node has an empty script cache: EVALSHA answers NOSCRIPT there.
    for (const node of (redis as Cluster).nodes('master')) await node.script('FLUSH');
    for (const account of ACCOUNTS) await exercise(account, 2);
    await deleteKeys(redis, b);
  });

  it("records a run's chunks and computes its progress with the run store's scripts", async () => {
    const b = base();
    const prefix = `{${b}}`;
    const queues = taskQueues(prefix);
    const store = new RunStore({ redis, prefix, queues, retentionSeconds: 3_600 });
    await store.create({ runId: 'r1', task: 'validate', trigger: 'cli', all: true, requested: null });
    await store.markFanningOut('r1');
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const added = await queues.validate.addBulk(
      ids.map((clientId) => buildClientJob('validate', { clientId, adAccountId: '1', runId: 'r1' })),
    );
    expect(await store.recordChunk('r1', added.map((job) => job.id!).slice(0, 25), [])).toEqual({
      created: 25,
      skipped: 0,
    });
    expect(await store.recordChunk('r1', added.map((job) => job.id!).slice(20), [])).toEqual({
      created: 5,
      skipped: 0,
    });
    await store.recordRejected('r1', [{ clientId: 'c1', problem: 'no ad account' }]);
    await store.markEnqueued('r1');
    expect(await store.progress('r1')).toMatchObject({
      total: 30,
      pending: 30,
      finished: false,
      rejected: 1,
    });

    let processed = 0;
    const worker = new Worker(
      'validate',
      async (job) => {
        processed++;
        if (processed % 10 === 0) throw new Error(`planned failure of ${job.id}`);
      },
      { connection: redis, prefix, concurrency: 5 },
    );
    closers.push(() => worker.close());
    const drained = new Promise<void>((resolve) => worker.once('drained', () => resolve()));
    await drained;
    // attempts: 5 with backoff, so the planned failures are delayed retries, not failures yet.
    const progress = await store.progress('r1');
    expect(progress).toMatchObject({ total: 30, created: 30, skipped: 0 });
    expect(progress!.done + progress!.counts.delayed).toBe(30);
    expect(progress!.counts.delayed).toBe(3);
    expect((await store.recent(5)).map((run) => run.runId)).toEqual(['r1']);
    await worker.close();
    await deleteKeys(redis, b);
  });

  it('records and lifts the token-fatal pause of every queue', async () => {
    const b = base();
    const queues = Object.values(taskQueues(`{${b}}`));
    const store = { redis, keyPrefix: `${b}:control` };
    const state = await pauseAllQueues(queues, 'token_fatal', { ...store, detail: 'meta 190/460' });
    expect(state).toMatchObject({ reason: 'token_fatal', detail: 'meta 190/460' });
    expect(state.queues).toEqual([...CLIENT_TASKS].sort());
    expect(await Promise.all(queues.map((queue) => queue.isPaused()))).toEqual(queues.map(() => true));
    const { resumed } = await resumeAllQueues(queues, { ...store, reason: 'token_fatal' });
    expect(resumed.sort()).toEqual([...CLIENT_TASKS].sort());
    expect(await getPauseState(store)).toBeNull();
    await deleteKeys(redis, b);
  });

  it('runs BullMQ on the cluster: workers, delayed jobs, deduplication, QueueEvents and schedulers', async () => {
    const b = base();
    const prefix = `{${b}}`;
    const queue = createQueue('collect-insights', { connection: redis, prefix });
    closers.push(() => queue.close());
    const events = new QueueEvents('collect-insights', { connection: redis, prefix });
    closers.push(() => events.close());
    await events.waitUntilReady();

    const first = await queue.add('collect-insights', { n: 1 }, { deduplication: { id: 'same' } });
    const second = await queue.add('collect-insights', { n: 2 }, { deduplication: { id: 'same' } });
    expect(second.id).toBe(first.id);
    const delayed = await queue.add('collect-insights', { n: 3 }, { delay: 300 });
    await queue.upsertJobScheduler('every-hour', { pattern: '0 * * * *', tz: 'Europe/Warsaw' });
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['every-hour']);

    const completed = new Set<string>();
    const bothDone = new Promise<void>((resolve) => {
      events.on('completed', ({ jobId }) => {
        completed.add(jobId);
        if (completed.has(first.id!) && completed.has(delayed.id!)) resolve();
      });
    });
    const worker = new Worker('collect-insights', async (job) => job.data.n * 10, {
      connection: redis,
      prefix,
    });
    closers.push(() => worker.close());
    await bothDone;
    expect((await queue.getJob(delayed.id!))?.returnvalue).toBe(30);
    expect(await queue.getJobCounts('completed', 'failed')).toMatchObject({ failed: 0 });
    await queue.removeJobScheduler('every-hour');
    await worker.close();
    await queue.obliterate({ force: true });
    await deleteKeys(redis, b);
  });
});
