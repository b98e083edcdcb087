/**
 * @module support/worker-harness
 * Shared setup of the worker's acceptance suites: the local stack (real Redis, a fresh Postgres database,
 * PostgREST), the db migrations, a Meta sandbox, clients seeded with SQL, producer-side queues on a random
 * prefix, and the worker app in-process (or its environment for a child process). Everything opened is
 * closed by `close()`, and the prefix's Redis keys are deleted. With `redisClusterNodes` everything runs on
 * that Redis Cluster instead of a single Redis (the cluster suites).
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { createRepository, migrate, type Repository } from '@meta-engine/db';
import {
  type PostgresServerControl,
  type RedisServerControl,
  startPostgres,
  startPostgrest,
  startRedis,
} from '@meta-engine/local-stack';
import {
  createMetaClient,
  type MetaClient,
  type MetaResponseEvent,
  tokenFingerprint,
} from '@meta-engine/meta-client';
import { type Sandbox, type StartSandboxOptions, startSandbox } from '@meta-engine/meta-sandbox';
import {
  type AccountOverrides,
  CLIENT_TASKS,
  type ClientTask,
  createLimiter,
  createQueue,
  createWorkerConnection,
  deleteKeysMatching,
  jobIdFor,
  type Limiter,
  type LimiterSettings,
  limiterKeyPrefixFor,
  type RedisClient,
  type RedisTarget,
} from '@meta-engine/queue';
import { createClient } from '@supabase/supabase-js';
import type { Job, JobsOptions, Queue } from 'bullmq';
import postgres from 'postgres';
import {
  createLogger,
  createWorkerApp,
  createWorkerMetrics,
  type WorkerApp,
  type WorkerMetrics,
  type WorkerSettingsInput,
} from '../../apps/worker/src/index.ts';

export const ADMIN_ID = '00000000-0000-4000-8000-00000000a001';
export const FINGERPRINT_KEY = 'worker-test-fingerprint-key';

/** A token-like value, different per harness (so a leak scan cannot be fooled by another suite). */
export function newTestToken(): string {
  return `EAAWorkerTest${randomBytes(12).toString('hex')}`;
}

export interface HarnessOptions {
  /** Sandbox options; `tokens` default to one valid token (`token`) for every account. */
  sandbox?: StartSandboxOptions;
  token?: string;
  /** Ad accounts the token may read (default all). */
  tokenAccounts?: 'all' | string[];
  /** Run on this Redis Cluster (`host:port` seed nodes) instead of starting a single Redis. */
  redisClusterNodes?: string[];
  /** Runs on the fresh database before the migrations (e.g. the app's own schema, as on Supabase). */
  beforeMigrate?: (databaseUrl: string) => Promise<void>;
  /**
   * Private Redis and Postgres servers started from the local binaries (not the test run's shared ones),
   * so a suite can take them away: `stack.postgresServer` and `stack.redisServer` stop and restart them
   * (the reliability suites).
   */
  privateServers?: boolean;
}

export interface AppOptions {
  settings?: WorkerSettingsInput;
  /** Limiter settings (default: nothing paced, no concurrency cap). */
  limiter?: Partial<LimiterSettings>;
  limiterAccounts?: AccountOverrides;
  /** Default `() => sandbox.now()`: worker and sandbox agree on "today". */
  now?: () => Date;
  token?: string;
  /** In-client retries of the Meta client (default 1 retry after 10 ms). */
  metaRetryLimit?: number;
  /** Awaited before the app's own feedback (a test may change the world between Meta's answer and the write). */
  onResponse?: (event: MetaResponseEvent) => void | Promise<void>;
  tasks?: readonly ClientTask[];
  /** false: the logger does not scrub the token from lines (to prove the code never logs it). */
  scrubLogs?: boolean;
}

export interface TestApp {
  app: WorkerApp;
  limiter: Limiter;
  metrics: WorkerMetrics;
  close(): Promise<void>;
}

/** The services of one harness (the shape of local-stack's `LocalStack`, for the parts used here). */
export interface HarnessStack {
  /** The single Redis (on a cluster: a URL of its first seed node, for configurations that want one). */
  redisUrl: string;
  /** Where Redis is, as apps take it. */
  redisTarget: RedisTarget;
  /** Superuser URL of this harness's own database. */
  databaseUrl: string;
  supabaseUrl: string;
  serviceRoleKey: string;
  /** With `privateServers`: stop and restart this harness's own Postgres. */
  postgresServer?: PostgresServerControl;
  /** With `privateServers`: stop and restart this harness's own Redis (it comes back empty). */
  redisServer?: RedisServerControl;
  stop(): Promise<void>;
}

/**
 * Redis, a fresh database (migrated), then PostgREST. PostgREST starts only after the migrations, so its
 * first schema cache already holds every table: started before, a slow initial load can finish after
 * the reload that `migrate()` triggers and briefly bring back a cache without the new tables (PostgREST
 * 12.0 then answers 404 with an empty body), which made writes fail at random under load.
 */
async function startHarnessStack(
  clusterNodes?: string[],
  beforeMigrate?: (databaseUrl: string) => Promise<void>,
  privateServers = false,
): Promise<HarnessStack> {
  const closers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    closers.length = 0;
  };
  try {
    let redisUrl: string;
    let redisTarget: RedisTarget;
    let redisServer: RedisServerControl | undefined;
    if (clusterNodes) {
      redisUrl = `redis://${clusterNodes[0]}`;
      redisTarget = { url: undefined, clusterNodes };
    } else {
      const redis = await startRedis(privateServers ? { env: {} } : {});
      closers.push(redis.stop);
      redisUrl = redis.url;
      redisTarget = { url: redis.url, clusterNodes: undefined };
      if (privateServers) redisServer = redis.server;
    }
    const postgres = await startPostgres(privateServers ? { ownServer: true } : { isolate: true });
    closers.push(postgres.stop);
    if (beforeMigrate) await beforeMigrate(postgres.url);
    await migrate(postgres.url);
    const api = await startPostgrest(postgres.authenticatorUrl, privateServers ? { env: {} } : {});
    closers.push(api.stop);
    return {
      redisUrl,
      redisTarget,
      databaseUrl: postgres.url,
      supabaseUrl: api.supabaseUrl,
      serviceRoleKey: api.serviceRoleKey,
      ...(postgres.server ? { postgresServer: postgres.server } : {}),
      ...(redisServer ? { redisServer } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface WorkerHarness {
  stack: HarnessStack;
  sql: postgres.Sql;
  sandbox: Sandbox;
  token: string;
  prefix: string;
  redis: RedisClient;
  repo: Repository;
  /** Producer-side queues on the harness prefix. */
  queues: Record<ClientTask, Queue>;
  /** Every log line written by apps started with `startApp`. */
  logs: string[];
  /** Every Meta response seen by apps started with `startApp` (path without query, status, category). */
  metaEvents: Array<{ path: string; status: number; category: string; adAccountId: string | undefined }>;
  fingerprint(token?: string): string;
  seedClient(input: { name?: string; adAccountId: string; apiStatus?: string }): Promise<string>;
  startApp(options?: AppOptions): Promise<TestApp>;
  /** Adds a job with the queue package's job id scheme. */
  addJob(task: ClientTask, data: Record<string, unknown>, opts?: JobsOptions): Promise<Job>;
  /** Waits until every job is completed or failed (or `states`), polling with a deadline. */
  waitForJobs(task: ClientTask, ids: readonly string[], options?: WaitOptions): Promise<Job[]>;
  /** Environment for `node apps/worker/src/main.ts` against this harness. */
  workerEnv(overrides?: Record<string, string>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface WaitOptions {
  timeoutMs?: number;
  states?: readonly string[];
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}

async function waitForTables(stack: HarnessStack, tables: readonly string[]): Promise<void> {
  const client = createClient(stack.supabaseUrl, stack.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  for (const table of tables) {
    await waitUntil(
      async () => {
        const { error } = await client.from(table).select('*', { head: true }).limit(1);
        return !error;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `PostgREST to serve ${table}` },
    );
  }
}

/** Limiter settings that never pace or cap (tests opt in to pacing). */
export const UNPACED: Partial<LimiterSettings> = {
  paces: {
    ads_insights: { callsPerHour: 0 },
    ads_management: { callsPerHour: 0 },
  },
  defaultPace: { callsPerHour: 0 },
  accountPace: null,
  maxConcurrentPerAccount: 0,
};

export async function startWorkerHarness(options: HarnessOptions = {}): Promise<WorkerHarness> {
  const token = options.token ?? newTestToken();
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
    closers.length = 0;
  };
  try {
    const stack = await startHarnessStack(
      options.redisClusterNodes,
      options.beforeMigrate,
      options.privateServers ?? false,
    );
    closers.push(() => stack.stop());
    await waitForTables(stack, [
      'clients',
      'meta_ad_account_validations',
      'meta_sync_state',
      'meta_token_state',
      'meta_campaign_insights',
      'daily_kpi_data',
      'current_month_cache',
      'current_week_cache',
      'campaign_summaries',
      'meta_summary_periods',
    ]);
    const sql = postgres(stack.databaseUrl, { max: 2, onnotice: () => {} });
    closers.push(() => sql.end({ timeout: 1 }));
    await sql`insert into public.profiles (id, email, role) values (${ADMIN_ID}, 'admin@example.test', 'admin') on conflict do nothing`;

    const sandbox = await startSandbox({
      tokens: [{ value: token, accountIds: options.tokenAccounts ?? 'all', label: 'worker-test' }],
      ...options.sandbox,
    });
    closers.push(() => sandbox.close());

    const tag = `w${randomBytes(5).toString('hex')}`;
    const prefix = `{${tag}}`;
    const redis = createWorkerConnection(stack.redisTarget);
    redis.on('error', () => {
      // ioredis reconnects (and on a cluster follows a failover) by itself; commands report their errors.
    });
    closers.push(async () => {
      // Every master of a cluster; key by key, since the prefix's keys span slots (limiter keys).
      await deleteKeysMatching(redis, `*${tag}*`);
      await redis.quit();
    });
    const queues = Object.fromEntries(
      CLIENT_TASKS.map((task) => {
        const queue = createQueue(task, { connection: redis, prefix });
        // A suite that stops Redis sees connection errors here; commands report their own.
        queue.on('error', () => {});
        return [task, queue];
      }),
    ) as Record<ClientTask, Queue>;
    closers.push(() => Promise.all(Object.values(queues).map((queue) => queue.close())));
    const repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
    const logs: string[] = [];
    const metaEvents: WorkerHarness['metaEvents'] = [];
    let seeded = 0;

    const harness: WorkerHarness = {
      stack,
      sql,
      sandbox,
      token,
      prefix,
      redis,
      repo,
      queues,
      logs,
      metaEvents,
      fingerprint: (value = token) => tokenFingerprint(FINGERPRINT_KEY, value),
      async seedClient(input) {
        seeded++;
        const [row] = await sql<{ id: string }[]>`
          insert into public.clients (admin_id, name, email, ad_account_id, api_status)
          values (${ADMIN_ID}, ${input.name ?? `Client ${seeded}`}, ${`c${seeded}-${randomUUID().slice(0, 8)}@example.test`},
                  ${input.adAccountId}, ${input.apiStatus ?? 'pending'}::public.api_status)
          returning id`;
        return row!.id;
      },
      async startApp(appOptions = {}) {
        const appToken = appOptions.token ?? token;
        const limiter = createLimiter({
          redis,
          keyPrefix: limiterKeyPrefixFor(prefix),
          ...UNPACED,
          // Meta's hour on the sandbox's clock, like the worker's META_TIME_SCALE does.
          windowMs: Math.max(1, Math.round(3_600_000 / (appOptions.settings?.metaTimeScale ?? 1))),
          ...appOptions.limiter,
          ...(appOptions.limiterAccounts ? { accounts: appOptions.limiterAccounts } : {}),
        });
        const metrics = createWorkerMetrics({ defaultMetrics: false });
        const logger = createLogger({
          level: 'debug',
          secrets: appOptions.scrubLogs === false ? [] : [appToken],
          destination: { write: (line: string) => logs.push(line) },
        });
        const connection = createWorkerConnection(stack.redisTarget);
        connection.on('error', () => {
          // Reconnects are ioredis' job; the workers report command errors themselves.
        });
        const app = createWorkerApp({
          meta: ({ onResponse, beforeRequest }): MetaClient =>
            createMetaClient({
              accessToken: appToken,
              baseUrl: sandbox.url,
              retry: { limit: appOptions.metaRetryLimit ?? 1, baseDelayMs: 10, maxDelayMs: 50 },
              timeouts: { totalMs: 15_000, headersMs: 15_000, bodyMs: 15_000 },
              beforeRequest,
              onResponse: async (event) => {
                metaEvents.push({
                  path: event.path,
                  status: event.status,
                  category: event.error?.category ?? 'ok',
                  adAccountId: event.adAccountId,
                });
                await appOptions.onResponse?.(event);
                await onResponse(event);
              },
            }),
          repo,
          connection,
          limiter,
          logger,
          metrics,
          queuePrefix: prefix,
          tokenFingerprint: tokenFingerprint(FINGERPRINT_KEY, appToken),
          secrets: [appToken],
          settings: {
            lockDurationMs: 10_000,
            stalledIntervalMs: 5_000,
            asyncPollIntervalMs: 100,
            asyncMaxPollIntervalMs: 400,
            ...appOptions.settings,
          },
          now: appOptions.now ?? (() => sandbox.now()),
          ...(appOptions.tasks ? { tasks: appOptions.tasks } : {}),
        });
        let stopped = false;
        const stop = async () => {
          if (stopped) return;
          stopped = true;
          await app.close(10_000);
          await connection.quit().catch(() => connection.disconnect());
        };
        closers.push(stop);
        return { app, limiter, metrics, close: stop };
      },
      async addJob(task, data, opts = {}) {
        const clientId = String(data.clientId);
        const runId = typeof data.runId === 'string' ? data.runId : undefined;
        const kind = typeof data.kind === 'string' ? data.kind : undefined;
        return queues[task].add(task, data, { jobId: jobIdFor(task, clientId, runId, kind), ...opts });
      },
      async waitForJobs(task, ids, waitOptions = {}) {
        const states = waitOptions.states ?? ['completed', 'failed'];
        const queue = queues[task];
        await waitUntil(
          async () => {
            const current = await Promise.all(ids.map((id) => queue.getJobState(id)));
            return current.every((state) => states.includes(state));
          },
          { timeoutMs: waitOptions.timeoutMs ?? 30_000, what: `${task} jobs to reach ${states.join('/')}` },
        );
        const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
        return jobs.filter((job): job is Job => job !== undefined);
      },
      workerEnv(overrides = {}) {
        return {
          PATH: process.env.PATH,
          REDIS_URL: stack.redisUrl,
          ...(stack.redisTarget.clusterNodes
            ? { REDIS_CLUSTER_NODES: stack.redisTarget.clusterNodes.join(',') }
            : {}),
          SUPABASE_URL: stack.supabaseUrl,
          SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
          META_ACCESS_TOKEN: token,
          META_GRAPH_URL: sandbox.url,
          TOKEN_FINGERPRINT_KEY: FINGERPRINT_KEY,
          QUEUE_PREFIX: prefix,
          WORKER_HTTP_PORT: '0',
          LOG_LEVEL: 'info',
          ...overrides,
        };
      },
      close,
    };
    return harness;
  } catch (error) {
    await close();
    throw error;
  }
}
