/**
 * The demo as a function, so `pnpm demo` and the end-to-end tests run the same code: local stack, Meta
 * sandbox, migrations and seed, worker and producer in this process (configured from an environment exactly
 * as `pnpm start` would be), the three runs with live progress, and the per-client summary.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { migrate } from '@meta-engine/db';
import { type LocalStack, startLocalStack } from '@meta-engine/local-stack';
import type { Sandbox } from '@meta-engine/meta-sandbox';
import {
  loadConfig as loadProducerConfig,
  openRuntime,
  type ProducerService,
  type Runtime,
  startProducerService,
  startRunInline,
  waitForRun,
} from '@meta-engine/producer';
import type { RedisTarget } from '@meta-engine/queue';
import {
  createLogger,
  loadConfig as loadWorkerConfig,
  type RunningWorker,
  startWorker,
} from '@meta-engine/worker';
import { DEMO_TOKEN, type DemoClient, demoClients } from './demo-world.ts';
import { DEMO_TIME_SCALE, startDemoSandbox } from './sandbox-setup.ts';
import { seedDemoClients } from './seed.ts';
import {
  type ClientSummary,
  collectSummaries,
  DEMO_TASKS,
  expectationProblems,
  type TaskName,
} from './summary.ts';

/** Validation, cache refresh, insights collection, then the campaign_summaries backfill. */
export const TASK_ORDER: readonly TaskName[] = DEMO_TASKS;

export interface DemoOptions {
  clients?: number;
  /** Admin HTTP port (0 = any free port). */
  port?: number;
  /** Progress and notes go here (a TTY gets a live bar). */
  out?: Writable & { isTTY?: boolean; columns?: number };
  /** Where the worker's and producer's JSON logs go (default: a file in a temporary directory). */
  logDestination?: { write(line: string): unknown };
  /** Environment to read service URLs from (REDIS_URL, DATABASE_URL, SUPABASE_URL...). */
  env?: NodeJS.ProcessEnv;
  /** BullMQ prefix (default `{demo}`); tests sharing one Redis give each demo its own. */
  queuePrefix?: string;
  /**
   * Run on this Redis Cluster (`host:port` seed nodes) instead of a single Redis from the local stack:
   * worker and producer both get `{ url: undefined, clusterNodes }`.
   */
  redisClusterNodes?: string[];
}

export interface DemoHandle {
  clients: DemoClient[];
  stack: LocalStack;
  sandbox: Sandbox;
  worker: RunningWorker;
  runtime: Runtime;
  service: ProducerService;
  adminUser: string;
  adminPassword: string;
  env: NodeJS.ProcessEnv;
  logPath?: string;
  /** Runs one task for every eligible client and waits for it, showing progress. */
  runTask(task: TaskName): Promise<string>;
  summaries(runIds: Partial<Record<TaskName, string>>): Promise<ClientSummary[]>;
  close(): Promise<void>;
}

/** Starts everything and returns a handle; nothing runs until `runTask`. */
export async function startDemo(options: DemoOptions = {}): Promise<DemoHandle> {
  const out = options.out ?? process.stdout;
  const say = (line = '') => out.write(`${line}\n`);
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
    closers.length = 0;
  };
  const adminUser = 'admin';
  const adminPassword = randomBytes(9).toString('base64url');
  const demoEnv = (services: DemoServices): NodeJS.ProcessEnv =>
    environmentFor(options.env ?? process.env, services, {
      adminUser,
      adminPassword,
      queuePrefix: options.queuePrefix ?? '{demo}',
    });
  // The configuration the worker and the producer will read, checked before anything starts: a bad
  // variable in the caller's environment is a ConfigError now, not after the stack is up.
  checkConfiguration(demoEnv(PLACEHOLDER_SERVICES));
  try {
    const clients = demoClients(options.clients ?? 25);
    say(`Meta Ads collection engine demo: ${clients.length} clients against the Meta sandbox`);
    say('- starting Redis, Postgres and PostgREST (local stack)');
    say('  (applying the migrations before PostgREST starts)');
    const clusterNodes = options.redisClusterNodes;
    const stack = await startLocalStack({
      env: options.env,
      redis: clusterNodes === undefined,
      log: (line) => say(`  ${line}`),
      prepareDatabase: async (databaseUrl) => void (await migrate(databaseUrl)),
    });
    closers.push(() => stack.stop());
    const redisSource = clusterNodes ? `cluster ${clusterNodes.join(',')}` : stack.sources.redis;
    say(
      `  redis: ${redisSource}, postgres: ${stack.sources.postgres}, postgrest: ${stack.sources.postgrest}`,
    );
    const redis: RedisTarget = clusterNodes
      ? { url: undefined, clusterNodes }
      : { url: stack.redisUrl, clusterNodes: undefined };

    say(`- starting the Meta sandbox (one sandbox hour = ${3600 / DEMO_TIME_SCALE} s)`);
    const sandbox = await startDemoSandbox(clients);
    closers.push(() => sandbox.close());

    say('- seeding clients');
    await seedDemoClients(stack.databaseUrl, clients);

    let logPath: string | undefined;
    let destination = options.logDestination;
    if (!destination) {
      const logDir = mkdtempSync(join(tmpdir(), 'meta-engine-demo-'));
      logPath = join(logDir, 'engine.log');
      const file = createWriteStream(logPath);
      closers.push(() => new Promise((resolve) => file.end(resolve)));
      destination = file;
    }
    const env = demoEnv({
      // On a cluster the configuration still wants a URL; the target above is what is used.
      redisUrl: clusterNodes ? `redis://${clusterNodes[0]}` : stack.redisUrl,
      supabaseUrl: stack.supabaseUrl,
      serviceRoleKey: stack.serviceRoleKey,
      graphUrl: sandbox.url,
    });

    say('- starting the worker and the producer');
    const worker = await startWorker(loadWorkerConfig(env), { logDestination: destination, redis });
    closers.push(() => worker.close(5_000));
    const producerConfig = loadProducerConfig(env, { admin: true, token: true });
    const logger = createLogger({
      level: 'info',
      secrets: producerConfig.secrets,
      destination,
      base: { service: 'producer' },
    });
    const runtime = await openRuntime(producerConfig, { logger, redis });
    closers.push(() => runtime.close());
    const service = await startProducerService(runtime, {
      port: options.port ?? (await adminPort()),
      rotateOnStart: false,
    });
    closers.push(() => service.close());
    if (logPath) say(`  logs: ${logPath}`);

    return {
      clients,
      stack,
      sandbox,
      worker,
      runtime,
      service,
      adminUser,
      adminPassword,
      env,
      logPath,
      async runTask(task) {
        say(`\n== ${task} ==`);
        const run = await startRunInline(
          { directory: runtime.directory, pageSize: producerConfig.fanout.pageSize, fanout: runtime.fanout },
          { task },
          'cli',
        );
        await waitForRun(runtime, run.runId, { out, plainIntervalMs: 2_000 });
        return run.runId;
      },
      summaries: (runIds) =>
        collectSummaries({
          databaseUrl: stack.databaseUrl,
          clients,
          queues: runtime.queues,
          runIds,
          throttlesByAccount: throttlesByAccount(sandbox),
        }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface DemoServices {
  redisUrl: string;
  supabaseUrl: string;
  serviceRoleKey: string;
  graphUrl: string;
}

/** Well-formed stand-ins for the services, to check the rest of the configuration before they exist. */
const PLACEHOLDER_SERVICES: DemoServices = {
  redisUrl: 'redis://127.0.0.1:6379',
  supabaseUrl: 'http://127.0.0.1:54321',
  serviceRoleKey: 'placeholder-service-role-key',
  graphUrl: 'http://127.0.0.1:8787',
};

/**
 * The environment the demo's worker and producer read, as `pnpm start` would give them: the caller's, with
 * the local services, the sandbox and the demo's token. The token file and cluster variables are removed:
 * the demo's own token and single Redis always win.
 */
function environmentFor(
  base: NodeJS.ProcessEnv,
  services: DemoServices,
  demo: { adminUser: string; adminPassword: string; queuePrefix: string },
): NodeJS.ProcessEnv {
  return {
    ...base,
    REDIS_URL: services.redisUrl,
    REDIS_CLUSTER_NODES: undefined,
    SUPABASE_URL: services.supabaseUrl,
    SUPABASE_SERVICE_ROLE_KEY: services.serviceRoleKey,
    META_ACCESS_TOKEN: DEMO_TOKEN,
    META_ACCESS_TOKEN_FILE: undefined,
    META_GRAPH_URL: services.graphUrl,
    META_TIME_SCALE: String(DEMO_TIME_SCALE),
    TOKEN_FINGERPRINT_KEY: 'demo-fingerprint-key',
    QUEUE_PREFIX: demo.queuePrefix,
    ADMIN_USER: demo.adminUser,
    ADMIN_PASSWORD: demo.adminPassword,
    WORKER_HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    // A shorter campaign_summaries horizon than the 12 months + 54 weeks of production, so the heavy
    // account's tiny quota (6 calls a sandbox hour) does not stretch the demo: one piece per kind.
    SUMMARIES_BACKFILL_MONTHS: base.SUMMARIES_BACKFILL_MONTHS ?? '3',
    SUMMARIES_BACKFILL_WEEKS: base.SUMMARIES_BACKFILL_WEEKS ?? '4',
  };
}

/** Throws the ConfigError the worker or the producer would throw for `env`. */
function checkConfiguration(env: NodeJS.ProcessEnv): void {
  loadWorkerConfig(env);
  loadProducerConfig(env, { admin: true, token: true });
}

/** Runs validation, cache refresh, insights collection and summaries in order; returns the outcome and problems. */
export async function runDemoTasks(
  demo: DemoHandle,
): Promise<{ runIds: Partial<Record<TaskName, string>>; summaries: ClientSummary[]; problems: string[] }> {
  const runIds: Partial<Record<TaskName, string>> = {};
  for (const task of TASK_ORDER) runIds[task] = await demo.runTask(task);
  const summaries = await demo.summaries(runIds);
  return { runIds, summaries, problems: expectationProblems(summaries) };
}

/** Throttle errors the sandbox sent, per ad account (all business use cases). */
function throttlesByAccount(sandbox: Sandbox): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [accountId, bucs] of Object.entries(sandbox.counters().accounts)) {
    totals[accountId] = Object.values(bucs).reduce((sum, buc) => sum + buc.throttles, 0);
  }
  return totals;
}

/** 3000 unless it is taken; then a free port. */
async function adminPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(3000, '127.0.0.1', () => probe.close(() => resolve(3000)));
  });
}
