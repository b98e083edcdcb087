/**
 * Failover mid-run on a real Redis Cluster: a collect-insights run is requested through the producer's
 * admin API, and while its jobs run the master serving the queues' slot is killed (SIGKILL). Its replica
 * is promoted; producer and workers carry on by themselves (no restart, no reconnect by hand): every job
 * completes, every row is in Postgres exactly once (counted against what the sandbox serves, no
 * duplicates), the producer answers /readyz again and a new run after the failover completes too.
 * Skips (saying why) only where cluster mode cannot run.
 */
import type { KilledMaster, RedisCluster } from '@meta-engine/local-stack';
import { createMetaClient } from '@meta-engine/meta-client';
import {
  loadConfig as loadProducerConfig,
  openRuntime,
  type ProducerService,
  type RunProgress,
  type Runtime,
  startProducerService,
} from '@meta-engine/producer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../apps/worker/src/index.ts';
import { buildCollectInsightsRequest } from '../apps/worker/src/transform/index.ts';
import { startSuiteCluster } from './support/cluster.ts';
import { startWorkerHarness, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const cluster: RedisCluster | undefined = await startSuiteCluster('cluster-failover');

const CLIENTS = 16;
const ACCOUNTS = Array.from({ length: CLIENTS }, (_, i) => String(4_100_000_000 + i));
/** 12:00 in Warsaw: yesterday is 2026-06-14 for every account. */
const START = '2026-06-15T10:00:00Z';
const DAYS = 30;
const SINCE = '2026-05-16';
const UNTIL = '2026-06-14';
const ADMIN = { user: 'admin', password: 'failover-admin-password' };

describe.skipIf(!cluster)('failover of a master mid-run', () => {
  let h: WorkerHarness;
  let runtime: Runtime;
  let service: ProducerService;
  const clientIds: string[] = [];
  let killed: KilledMaster;
  let atKill: RunProgress;
  let final: RunProgress;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${service.url}${path}`, {
      ...init,
      headers: {
        authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
  const requestRun = async (body: object): Promise<string> => {
    const response = await api('/api/runs', { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  };
  /** The run's progress as the test sees it; while the cluster fails over a read may fail: try again. */
  const progressOf = (runId: string) => runtime.runs.progress(runId).catch(() => null);
  const waitForFinished = (runId: string) =>
    waitUntil(
      async () => {
        const progress = await progressOf(runId);
        return progress?.finished ? progress : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: `run ${runId} to finish` },
    );

  beforeAll(async () => {
    h = await startWorkerHarness({
      redisClusterNodes: [...cluster!.nodes],
      sandbox: {
        startTime: START,
        seed: 11,
        // Slow enough that the run is still going when the master dies.
        latencyMs: 250,
        accounts: ACCOUNTS.map((id) => ({ id, timezone: 'Europe/Warsaw', currency: 'PLN', campaigns: 3 })),
      },
    });
    for (const adAccountId of ACCOUNTS) {
      clientIds.push(await h.seedClient({ adAccountId: `act_${adAccountId}`, apiStatus: 'valid' }));
    }
    // Two worker apps (as two processes would be), two collect-insights jobs each at a time.
    const settings = {
      backfillDays: DAYS,
      lookbackDays: 28,
      asyncThresholdDays: 62,
      concurrency: { 'collect-insights': 2 },
    };
    await h.startApp({ settings });
    await h.startApp({ settings });

    const config = loadProducerConfig(
      {
        ...h.workerEnv(),
        ADMIN_USER: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        ADMIN_PORT: '0',
        LOG_LEVEL: 'silent',
      },
      { admin: true },
    );
    const logger = createLogger({ level: 'silent', secrets: [h.token], destination: { write: () => true } });
    runtime = await openRuntime(config, { logger, redis: h.stack.redisTarget });
    service = await startProducerService(runtime, { port: 0, rotateOnStart: false });

    const runId = await requestRun({ task: 'collect-insights', all: true });
    atKill = await waitUntil(
      async () => {
        const progress = await progressOf(runId);
        return progress && progress.status === 'enqueued' && progress.done >= 2 && progress.counts.active > 0
          ? progress
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20, what: 'the run to be under way' },
    );
    killed = await cluster!.killMasterOf(h.prefix);
    await cluster!.waitForFailover(killed);
    final = await waitForFinished(runId);
  }, 240_000);

  afterAll(async () => {
    await service?.close().catch(() => {});
    await h?.close();
    await cluster?.stop();
  });

  it("killed the master serving the queues' slot while jobs were running", async () => {
    expect(atKill.total).toBe(CLIENTS);
    expect(atKill.pending).toBeGreaterThan(0);
    expect(atKill.counts.active).toBeGreaterThan(0);
    const slot = await cluster!.slotOf(h.prefix);
    expect(killed.slot).toBe(slot);
    expect((await cluster!.masterOf(slot)).address).toBe(killed.replicas[0]);
  });

  it('every job of the run completed, none failed', async () => {
    expect(final).toMatchObject({ total: CLIENTS, failed: 0, pending: 0, done: CLIENTS });
    const states = await Promise.all(
      clientIds.map(async (clientId) => {
        const jobs = await h.queues['collect-insights'].getJobs([
          'completed',
          'failed',
          'active',
          'wait',
          'delayed',
        ]);
        return jobs.find((job) => job.data.clientId === clientId)?.finishedOn !== undefined;
      }),
    );
    expect(states.every(Boolean)).toBe(true);
  });

  it('every row is in Postgres exactly once', async () => {
    const direct = createMetaClient({ accessToken: h.token, baseUrl: h.sandbox.url });
    try {
      for (const [i, clientId] of clientIds.entries()) {
        const { data } = await direct.getInsights(
          `act_${ACCOUNTS[i]}`,
          buildCollectInsightsRequest({ since: SINCE, until: UNTIL }).params,
        );
        const [raw] = await h.sql<{ n: number; distinct_keys: number }[]>`
          select count(*)::int as n, count(distinct (campaign_id, date))::int as distinct_keys
          from meta_campaign_insights where client_id = ${clientId}`;
        expect(raw).toEqual({ n: data.length, distinct_keys: data.length });
        const [kpi] = await h.sql<{ n: number; days: number }[]>`
          select count(*)::int as n, count(distinct date)::int as days from daily_kpi_data
          where client_id = ${clientId}`;
        expect(kpi).toEqual({ n: DAYS, days: DAYS });
      }
    } finally {
      await direct.close();
    }
  });

  it('the producer carries on by itself: /readyz answers again and a new run completes', async () => {
    await waitUntil(async () => (await api('/readyz')).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: '/readyz to answer 200',
    });
    const runId = await requestRun({ task: 'validate', all: true });
    const validated = await waitForFinished(runId);
    expect(validated).toMatchObject({ total: CLIENTS, done: CLIENTS, failed: 0 });
    const [row] = await h.sql<{ n: number }[]>`
      select count(distinct client_id)::int as n from meta_ad_account_validations`;
    expect(row?.n).toBe(CLIENTS);
  });
});
