/**
 * Reliability (issue 12.2): Postgres stopped for longer than every retry a job has, in the middle of a run.
 *
 * Real Redis, Postgres and PostgREST (private servers of this suite, so stopping Postgres touches no other
 * suite), two worker apps, the Meta sandbox with latency so jobs are in flight when the database goes. The
 * outage lasts OUTAGE_MS (2 min 5 s), longer than a job's whole retry budget (5 attempts with exponential
 * backoff from 5 s: 75 s), so a job that counted the outage against its attempts would end failed.
 *
 * Proven: the workers stop taking jobs while the database is down (no job starts after the first seconds
 * of the outage), the jobs in flight are handed back without using an attempt, `/readyz` answers 503
 * naming the database while `/healthz` stays 200; once Postgres is back every job completes, none failed,
 * none used a second attempt, and every row is written exactly once (one validation per check, one month
 * and one week cache row per client, campaign-day rows and daily KPIs equal to what the sandbox has, sync
 * state without an error).
 *
 * Also: Redis stopped: `/readyz` answers 503 naming Redis while `/healthz` stays 200, and 200 once it is
 * back.
 */
import { DEFAULT_JOB_OPTIONS } from '@meta-engine/queue';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthServer } from '../apps/worker/src/runtime/http-server.ts';
import { addDays, buildCollectInsightsRequest } from '../apps/worker/src/transform/index.ts';
import { startWorkerHarness, type TestApp, type WorkerHarness, waitUntil } from './support/worker-harness.ts';

const CLIENTS = 24;
const ACCOUNTS = Array.from({ length: CLIENTS }, (_, i) => String(4_000_000_000_000_001 + i));
const START = '2026-07-20T10:00:00Z';
/** Warsaw, 12:00: today 2026-07-20, yesterday 2026-07-19. */
const YESTERDAY = '2026-07-19';
const BACKFILL_DAYS = 14;
const OUTAGE_MS = 125_000;
const TASKS = ['validate', 'refresh-cache', 'collect-insights'] as const;

/** Every wait between attempts of a job, added up (BullMQ's exponential backoff, jitter only shortens it). */
function retryBudgetMs(): number {
  let total = 0;
  for (let attempt = 1; attempt < DEFAULT_JOB_OPTIONS.attempts; attempt++) {
    total += DEFAULT_JOB_OPTIONS.backoff.delay * 2 ** (attempt - 1);
  }
  return total;
}

const log = (line: string) => process.stderr.write(`[reliability] ${line}\n`);

describe('reliability: a database outage longer than every retry, mid-run', () => {
  let h: WorkerHarness;
  let apps: TestApp[];
  let health: Awaited<ReturnType<typeof startHealthServer>>;

  beforeAll(async () => {
    h = await startWorkerHarness({
      privateServers: true,
      sandbox: {
        startTime: START,
        seed: 'outage',
        accounts: ACCOUNTS.map((id) => ({ id, campaigns: 3, timezone: 'Europe/Warsaw' })),
        latencyMs: 150,
      },
    });
    const settings = {
      backfillDays: BACKFILL_DAYS,
      concurrency: { validate: 3, 'refresh-cache': 3, 'collect-insights': 3 },
    };
    apps = [await h.startApp({ settings }), await h.startApp({ settings })];
    const first = apps[0]!;
    health = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: first.metrics.registry,
      isHealthy: () => !first.app.isClosing(),
      readiness: () => first.app.readiness(1_000),
    });
  });

  afterAll(async () => {
    await health?.close();
    if (h?.stack.postgresServer && !h.stack.postgresServer.isRunning())
      await h.stack.postgresServer.startServer();
    await h?.close();
  });

  it(
    'every job completes and every row is written exactly once',
    async () => {
      expect(OUTAGE_MS).toBeGreaterThanOrEqual(120_000);
      expect(OUTAGE_MS).toBeGreaterThan(retryBudgetMs());
      const server = h.stack.postgresServer!;

      const clients: Array<{ id: string; account: string }> = [];
      for (const account of ACCOUNTS) {
        clients.push({ id: await h.seedClient({ adAccountId: account, apiStatus: 'valid' }), account });
      }
      const jobs: Array<{ task: (typeof TASKS)[number]; id: string }> = [];
      for (const task of TASKS) {
        for (const client of clients) {
          const job = await h.addJob(task, {
            clientId: client.id,
            adAccountId: client.account,
            runId: 'outage',
          });
          jobs.push({ task, id: job.id! });
        }
      }
      const countsOf = async () => {
        const totals: Record<string, number> = {};
        for (const task of TASKS) {
          for (const [state, n] of Object.entries(await h.queues[task].getJobCounts())) {
            totals[state] = (totals[state] ?? 0) + n;
          }
        }
        return totals;
      };
      const readyz = async () => {
        const res = await fetch(`${health.url}/readyz`);
        return { status: res.status, body: (await res.json()) as { failed?: string[] } };
      };
      expect((await readyz()).status).toBe(200);

      // Mid-run: some jobs done, most still to go.
      await waitUntil(async () => ((await countsOf()).completed ?? 0) >= 12, {
        timeoutMs: 60_000,
        what: '12 jobs completed before the outage',
      });
      const beforeOutage = await countsOf();
      const stoppedAt = Date.now();
      await server.stopServer();
      log(`Postgres stopped with ${beforeOutage.completed} of ${jobs.length} jobs completed`);

      await waitUntil(() => apps.every((app) => app.app.outage().database === 'down'), {
        timeoutMs: 30_000,
        what: 'both worker apps to see the outage',
      });
      const detectedMs = Date.now() - stoppedAt;
      // The jobs in flight are handed back: nothing active.
      await waitUntil(async () => ((await countsOf()).active ?? 0) === 0, {
        timeoutMs: 30_000,
        what: 'the jobs in flight to be handed back',
      });
      const settledMs = Date.now() - stoppedAt;
      const startsOf = async () => {
        let started = 0;
        for (const { task, id } of jobs) started += (await h.queues[task].getJob(id))?.attemptsStarted ?? 0;
        return started;
      };
      const startsWhenSettled = await startsOf();
      let samples = 0;
      let readySeen: Awaited<ReturnType<typeof readyz>> | undefined;
      while (Date.now() - stoppedAt < OUTAGE_MS) {
        const counts = await countsOf();
        expect(counts.failed ?? 0, 'no job fails during the outage').toBe(0);
        expect(counts.active ?? 0, 'no job is taken during the outage').toBe(0);
        readySeen ??= await readyz();
        expect((await fetch(`${health.url}/healthz`)).status).toBe(200);
        samples++;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      expect(samples).toBeGreaterThan(60);
      expect(readySeen?.status).toBe(503);
      expect(readySeen?.body.failed).toEqual(['database']);
      expect(await startsOf(), 'no job started while the database was down').toBe(startsWhenSettled);

      const restartedAt = Date.now();
      await server.startServer();
      const outageMs = restartedAt - stoppedAt;
      await waitUntil(() => apps.every((app) => app.app.outage().database === 'up'), {
        timeoutMs: 90_000,
        intervalMs: 100,
        what: 'both worker apps to take jobs again',
      });
      const resumedMs = Date.now() - restartedAt;
      const finished: Job[] = [];
      for (const task of TASKS) {
        finished.push(
          ...(await h.waitForJobs(
            task,
            jobs.filter((job) => job.task === task).map((job) => job.id),
            { timeoutMs: 120_000 },
          )),
        );
      }
      const drainedMs = Date.now() - restartedAt;
      expect((await readyz()).status).toBe(200);

      // Every job completed, in one attempt: the outage used none.
      const states = await Promise.all(finished.map((job) => job.getState()));
      expect(states.filter((state) => state !== 'completed')).toEqual([]);
      expect(finished.filter((job) => job.attemptsMade !== 1).map((job) => job.id)).toEqual([]);
      expect(
        finished.filter((job) => (job.returnvalue as { outcome?: string })?.outcome === 'superseded'),
      ).toEqual([]);
      const handedBack = finished.filter((job) => job.attemptsStarted > 1).length;
      expect(handedBack).toBeGreaterThan(0);
      for (const app of apps) expect(app.app.outage().outages).toBe(1);

      // Every row exactly once.
      const ids = clients.map((client) => client.id);
      const perClient = async (table: string) =>
        h.sql.unsafe<{ client_id: string; n: number }[]>(
          `select client_id, count(*)::int as n from public.${table} where client_id = any($1) group by client_id`,
          [ids],
        );
      for (const table of ['meta_ad_account_validations', 'current_month_cache', 'current_week_cache']) {
        const rows = await perClient(table);
        expect(rows.length, table).toBe(CLIENTS);
        expect(
          rows.every((row) => row.n === 1),
          table,
        ).toBe(true);
      }
      const sync = await h.sql<{ n: number; ok: number; errors: number }[]>`
        select count(*)::int as n, count(last_success_at)::int as ok, count(last_error)::int as errors
        from public.meta_sync_state where client_id = any(${ids})`;
      expect(sync[0]).toEqual({ n: 3 * CLIENTS, ok: 3 * CLIENTS, errors: 0 });

      const direct = apps[0]!.app.meta;
      let expectedRows = 0;
      let expectedDays = 0;
      for (const { account } of clients) {
        const { data } = await direct.getInsights(
          account,
          buildCollectInsightsRequest({ since: addDays(YESTERDAY, -(BACKFILL_DAYS - 1)), until: YESTERDAY })
            .params,
        );
        expectedRows += data.length;
        expectedDays += new Set(data.map((row) => row.date_start)).size;
      }
      const [raw] = await h.sql<{ n: number; keys: number }[]>`
        select count(*)::int as n, count(distinct (ad_account_id, campaign_id, date))::int as keys
        from public.meta_campaign_insights where client_id = any(${ids})`;
      const [kpi] = await h.sql<{ n: number }[]>`
        select count(*)::int as n from public.daily_kpi_data where client_id = any(${ids})`;
      expect(expectedRows).toBeGreaterThan(0);
      expect(raw).toEqual({ n: expectedRows, keys: expectedRows });
      expect(kpi!.n).toBe(expectedDays);

      log(
        `jobs ${jobs.length}; outage ${Math.round(outageMs / 1000)} s (retry budget ${retryBudgetMs() / 1000} s); ` +
          `detected after ${detectedMs} ms, in-flight handed back after ${settledMs} ms; ` +
          `jobs handed back ${handedBack}, failed 0, extra attempts 0; ` +
          `taking jobs ${resumedMs} ms after Postgres was back, all done ${Math.round(drainedMs / 1000)} s after; ` +
          `rows: ${expectedRows} campaign-days, ${expectedDays} daily KPIs, ${CLIENTS} validations, each once`,
      );
    },
    6 * 60_000,
  );
});

describe('reliability: Redis down', () => {
  it('/readyz answers 503 naming Redis while /healthz stays 200, and 200 again once Redis is back', async () => {
    const h = await startWorkerHarness({ privateServers: true, sandbox: { startTime: START } });
    try {
      const { app, metrics } = await h.startApp();
      const health = await startHealthServer({
        host: '127.0.0.1',
        port: 0,
        registry: metrics.registry,
        isHealthy: () => !app.isClosing(),
        readiness: () => app.readiness(1_000),
      });
      try {
        const readyz = async () => {
          const res = await fetch(`${health.url}/readyz`);
          return {
            status: res.status,
            body: (await res.json()) as { failed: string[]; checks: Record<string, string> },
          };
        };
        expect((await readyz()).status).toBe(200);
        await h.stack.redisServer!.stopServer();
        const down = await readyz();
        expect(down.status).toBe(503);
        expect(down.body.failed).toEqual(['redis']);
        expect(down.body.checks).toEqual({ redis: 'failed: no answer within 1000 ms', database: 'ok' });
        expect((await fetch(`${health.url}/healthz`)).status).toBe(200);
        await h.stack.redisServer!.startServer();
        await waitUntil(async () => (await readyz()).status === 200, {
          what: '/readyz 200 after Redis is back',
        });
      } finally {
        await health.close();
      }
    } finally {
      await h.close();
    }
  });
});
