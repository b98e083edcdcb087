/**
 * `console`: the operator console's clients page for 1,000 clients, served by the producer as `serve`
 * serves it (startProducerService, real HTTP with basic auth), over a database seeded like a year of
 * production: 5 validation checks, 3 sync-state rows, 2 month and 2 week cache rows and 365 days of
 * `daily_kpi_data` per client, 2 % failing, 1 % paused, 5 % of the ad accounts throttled in the limiter.
 *
 * Timed: `GET /console` (the HTML table) and `GET /api/clients` (its JSON), N requests each after a
 * warm-up, p50 / p95 wall time at the client. Baselines from the same run: the raw database read alone
 * (the overview function, one request per 1,000 clients), the same page once the database holds only 25
 * clients, and what one request per client would cost (each client's overview and limiter state read on
 * its own, 8 at a time, as a page without batching would).
 */
import { createRepository } from '@meta-engine/db';
import { loadConfig, openRuntime, type Runtime, startProducerService } from '@meta-engine/producer';
import { createLimiter, limiterKeyPrefixFor } from '@meta-engine/queue';
import { createLogger } from '@meta-engine/worker';
import { describeLoad, sampleMachineLoad } from '../lib/machine-load.ts';
import type { Figure, Goal } from '../lib/results.ts';
import { type BenchStack, seedClients, startBenchStack } from '../lib/stack.ts';
import { percentile } from '../lib/stats.ts';
import { Cleanup, type Suite } from '../lib/suite.ts';

const GOAL_MS = 300;
const ADMIN = { user: 'bench', password: 'bench-console-password' };

/** A year of facts per client, in bulk SQL (the same shapes the worker writes). */
async function seedFacts(stack: BenchStack, days: number): Promise<void> {
  const { sql } = stack;
  const zone = 'Europe/Warsaw';
  await sql`
    insert into public.meta_ad_account_validations
      (client_id, ad_account_id, checked_at, outcome, account_status, account_name, currency, timezone_name,
       error_code, error_message, run_id)
    select c.id, c.ad_account_id, now() - make_interval(days => k, hours => 1),
      case when k = 0 and c.ad_account_id::bigint % 50 = 0 then 'no_access' else 'active' end,
      1, c.name, 'PLN', ${zone},
      case when k = 0 and c.ad_account_id::bigint % 50 = 0 then 200 end,
      case when k = 0 and c.ad_account_id::bigint % 50 = 0 then 'Permissions error' end,
      'run-bench-' || k
    from public.clients c, generate_series(0, 4) k`;
  await sql`
    insert into public.meta_sync_state (client_id, task, last_success_at, last_error_at, last_error, high_water_date, last_run_id)
    select c.id, t.task, now() - interval '1 hour',
      case when t.task = 'refresh-cache' and c.ad_account_id::bigint % 20 = 0 then now() - interval '10 minutes' end,
      case when t.task = 'refresh-cache' and c.ad_account_id::bigint % 20 = 0
        then '{"category":"account_throttle","code":80004,"message":"There have been too many calls"}'::jsonb end,
      case when t.task = 'collect-insights' then (now() at time zone ${zone})::date - 1 end,
      'run-bench-0'
    from public.clients c, (values ('validate'), ('refresh-cache'), ('collect-insights')) t(task)`;
  for (const [table, format] of [
    ['current_month_cache', 'YYYY-MM'],
    ['current_week_cache', 'IYYY-"W"IW'],
  ] as const) {
    await sql.unsafe(
      `insert into public.${table} (client_id, period_id, cache_data, last_updated)
       select c.id, to_char((now() at time zone $1) - make_interval(days => p * 35), $2),
         '{"stats":{"totalSpend":1234.5},"campaigns":[]}'::jsonb,
         now() - make_interval(days => p * 35, mins => (20 + c.ad_account_id::bigint % 200)::integer)
       from public.clients c, generate_series(0, 1) p
       on conflict do nothing`,
      [zone, format],
    );
  }
  await sql`
    insert into public.daily_kpi_data (client_id, date, data_source, total_spend, total_impressions, total_clicks)
    select c.id, (now() at time zone ${zone})::date - d, 'meta_api', 10, 1000, 20
    from public.clients c, generate_series(1, ${days}) d`;
  await sql`
    insert into public.meta_client_controls (client_id, paused, reason, changed_by, paused_at)
    select c.id, true, 'bench: paused', 'bench', now() from public.clients c where c.ad_account_id::bigint % 100 = 7`;
  // The steady state autovacuum keeps a real database in (visibility map set, statistics fresh).
  await sql`vacuum analyze`;
}

/** PostgREST reloads its schema cache after the migrations: wait until it serves the overview function. */
async function waitForOverview(stack: BenchStack): Promise<void> {
  const repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await repo.getClientOverview('00000000-0000-4000-8000-000000000001');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function timeRequests(
  url: string,
  count: number,
  warmup: number,
): Promise<{ p50: number; p95: number; bytes: number; status: number }> {
  const authorization = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
  const times: number[] = [];
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < warmup + count; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization } });
    const body = await res.arrayBuffer();
    const elapsed = performance.now() - started;
    status = res.status;
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    bytes = body.byteLength;
    if (i >= warmup) times.push(elapsed);
  }
  return { p50: percentile(times, 50)!, p95: percentile(times, 95)!, bytes, status };
}

async function timeCalls(count: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  await call();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50)!, p95: percentile(times, 95)! };
}

/** Each client's overview and limiter state read on its own, `parallel` at a time (no batching). */
async function perClientReads(
  runtime: Runtime,
  ids: readonly string[],
  accounts: readonly string[],
): Promise<number> {
  const repo = createRepository({
    supabaseUrl: runtime.config.supabaseUrl,
    serviceRoleKey: runtime.config.supabaseServiceRoleKey,
  });
  const limiter = createLimiter({
    redis: runtime.redis,
    keyPrefix: limiterKeyPrefixFor(runtime.config.queuePrefix),
  });
  const started = performance.now();
  let next = 0;
  const parallel = 8;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < ids.length) {
        const index = next++;
        await Promise.all([repo.getClientOverview(ids[index]!), limiter.getAccountState(accounts[index]!)]);
      }
    }),
  );
  return performance.now() - started;
}

const round = (value: number) => Math.round(value * 10) / 10;

export const consoleBench: Suite = {
  name: 'console',
  title: 'Operator console: the clients page for 1,000 clients',
  async run({ quick, log }) {
    const cleanup = new Cleanup();
    try {
      const clientCount = quick ? 300 : 1000;
      const small = 25;
      const requests = quick ? 10 : 40;
      const warmup = 3;
      const days = quick ? 90 : 365;
      log(`starting the local stack; seeding ${clientCount} clients with ${days} days of data each`);
      const stack = await startBenchStack();
      cleanup.add(() => stack.stop());
      const accounts = Array.from({ length: clientCount }, (_, i) => String(8_000_000 + i + 1));
      const ids = await seedClients(stack.sql, accounts);
      await seedFacts(stack, days);
      await waitForOverview(stack);

      const env: NodeJS.ProcessEnv = {
        REDIS_URL: stack.redisUrl,
        SUPABASE_URL: stack.supabaseUrl,
        SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
        QUEUE_PREFIX: '{bench-console}',
        ADMIN_USER: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        SCHEDULE_VALIDATE: 'off',
        SCHEDULE_REFRESH_CACHE: 'off',
        SCHEDULE_COLLECT_INSIGHTS: 'off',
        LOG_LEVEL: 'warn',
      };
      const logger = createLogger({
        level: 'warn',
        secrets: [ADMIN.password],
        destination: { write: () => true },
      });
      const runtime = await openRuntime(loadConfig(env, { admin: true }), { logger });
      cleanup.add(() => runtime.close());
      const limiter = createLimiter({
        redis: runtime.redis,
        keyPrefix: limiterKeyPrefixFor(runtime.config.queuePrefix),
      });
      const throttled = accounts.filter((_, i) => i % 20 === 3);
      for (const account of throttled) {
        await limiter.recordUsage({
          scope: 'account',
          adAccountId: account,
          buc: 'ads_insights',
          throttled: true,
          blockForMs: 3_600_000,
        });
      }
      const service = await startProducerService(runtime, { port: 0, rotateOnStart: false });
      cleanup.add(() => service.close());

      log(`timing GET /console and GET /api/clients for ${clientCount} clients (${requests} requests each)`);
      // No worker runs here (the console is the producer's): the load is reported for the page timings.
      const sampler = sampleMachineLoad();
      const page = await timeRequests(`${service.url}/console`, requests, warmup);
      const api = await timeRequests(`${service.url}/api/clients`, requests, warmup);
      const load = sampler.stop();
      const repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
      const dbRead = await timeCalls(requests, () => repo.collectClientOverviews());
      const limiterRead = await timeCalls(requests, () => runtime.throttles.listThrottled(1000));
      log('one request per client (no batching), once');
      const perClientMs = await perClientReads(runtime, ids, accounts);

      log(`keeping ${small} clients, timing the same page`);
      await stack.sql`delete from public.clients where id <> all(${stack.sql.array(ids.slice(0, small))}::uuid[])`;
      const smallPage = await timeRequests(`${service.url}/console`, requests, warmup);

      // The 25-client page is a reference for how the time grows, not a competitor: no ratio.
      const figures: Figure[] = [
        {
          label: `GET /console, ${clientCount} clients, p50`,
          value: round(page.p50),
          unit: 'ms',
          kind: 'measured',
          baseline: round(smallPage.p50),
          baselineKind: 'measured',
          note: `baseline: the same page with ${small} clients`,
          ratio: null,
        },
        {
          label: `GET /console, ${clientCount} clients, p95`,
          value: round(page.p95),
          unit: 'ms',
          kind: 'measured',
          baseline: round(smallPage.p95),
          baselineKind: 'measured',
          note: `baseline: the same page with ${small} clients`,
          ratio: null,
        },
        {
          label: 'cost of one more client on the page (p50)',
          value: Math.round(((page.p50 - smallPage.p50) / (clientCount - small)) * 1000) / 1000,
          unit: 'ms',
          kind: 'derived',
        },
        {
          label: `GET /api/clients (JSON), ${clientCount} clients, p95`,
          value: round(api.p95),
          unit: 'ms',
          kind: 'measured',
        },
        {
          label: `database read of ${clientCount} clients (overview function), p50`,
          value: round(dbRead.p50),
          unit: 'ms',
          kind: 'measured',
          note: 'part of the page time',
        },
        {
          label: `limiter read of every block (one call), p50`,
          value: round(limiterRead.p50),
          unit: 'ms',
          kind: 'measured',
        },
        {
          label: `all ${clientCount} clients' facts read`,
          value: round(dbRead.p50),
          unit: 'ms',
          kind: 'measured',
          baseline: round(perClientMs),
          baselineKind: 'measured',
          note: 'baseline: one overview request and one limiter read per client, 8 at a time',
          ratio: round(perClientMs / dbRead.p50),
        },
        { label: 'page size', value: round(page.bytes / 1024), unit: 'KiB', kind: 'measured' },
        {
          label: 'machine load average while the pages were timed',
          value: load.loadAvgMean,
          unit: '',
          kind: 'measured',
          note: `${describeLoad(load)}; no worker process in this benchmark`,
        },
      ];
      const goals: Goal[] = [
        {
          goal: `clients page for ${clientCount} clients under ${GOAL_MS} ms (p95)`,
          met: page.p95 < GOAL_MS,
          detail: `p50 ${round(page.p50)} ms, p95 ${round(page.p95)} ms over ${requests} requests`,
        },
      ];
      return {
        name: 'console',
        title: consoleBench.title,
        config: {
          clients: clientCount,
          smallClients: small,
          requests,
          warmup,
          daysOfKpiPerClient: days,
          validationsPerClient: 5,
          throttledAccounts: throttled.length,
          paused: accounts.filter((a) => Number(a) % 100 === 7).length,
        },
        figures,
        goals,
        notes: [
          'Wall time at an HTTP client on the same machine: basic auth, one overview request per 1,000 clients (PostgREST), one limiter call for every block, the token panel reads, the view model and the HTML (hono/html), all in the producer process.',
          'The per-client baseline is what a console without batching would cost: one PostgREST request and one limiter read per client.',
        ],
      };
    } finally {
      await cleanup.run();
    }
  },
};
