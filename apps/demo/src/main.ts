/**
 * `pnpm demo`: the whole system on one machine, against the Meta sandbox.
 *
 * 1. Redis, Postgres and PostgREST from tests/local-stack (environment URLs, containers or local binaries);
 * 2. the Meta sandbox with demo clients (one unreadable, one disabled, one heavy that hits its quota);
 * 3. migrations and seed clients; 4. the worker and the producer, in this process, configured exactly as
 * `pnpm start` configures them from the environment; 5. validation, cache refresh and insights collection
 * with live progress; 6. a per-client summary and the Bull Board URL with its credentials.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@meta-engine/db';
import {
  loadConfig as loadProducerConfig,
  openRuntime,
  startProducerService,
  startRunInline,
  waitForRun,
} from '@meta-engine/producer';
import { startLocalStack } from '@meta-engine/tests/local-stack';
import { createLogger, loadConfig as loadWorkerConfig, startWorker } from '@meta-engine/worker';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from './args.ts';
import { DEMO_TOKEN, demoClients } from './demo-world.ts';
import { DEMO_TIME_SCALE, startDemoSandbox } from './sandbox-setup.ts';
import { seedDemoClients } from './seed.ts';
import { collectSummaries, expectationProblems, renderSummaryTable, type TaskName } from './summary.ts';

const TASK_ORDER: readonly TaskName[] = ['validate', 'refresh-cache', 'collect-insights'];
const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DemoUsageError) {
      process.stderr.write(`pnpm demo: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    say(DEMO_USAGE);
    return 0;
  }

  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    closers.length = 0;
  };
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('\nStopping: closing the worker, the producer and the local services...');
    closeAll().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  try {
    const started = Date.now();
    const clients = demoClients(args.clients);
    say(`Meta Ads collection engine demo: ${clients.length} clients against the Meta sandbox`);

    say('- starting Redis, Postgres and PostgREST (local stack)');
    const stack = await startLocalStack({ log: (line) => say(`  ${line}`) });
    closers.push(() => stack.stop());
    say(
      `  redis: ${stack.sources.redis}, postgres: ${stack.sources.postgres}, postgrest: ${stack.sources.postgrest}`,
    );

    say(`- starting the Meta sandbox (one sandbox hour = ${3600 / DEMO_TIME_SCALE} s)`);
    const sandbox = await startDemoSandbox(clients);
    closers.push(() => sandbox.close());

    say('- applying migrations and seeding clients');
    await migrate(stack.databaseUrl);
    await seedDemoClients(stack.databaseUrl, clients);

    const logDir = mkdtempSync(join(tmpdir(), 'meta-engine-demo-'));
    const logFile = createWriteStream(join(logDir, 'engine.log'));
    closers.push(() => new Promise((resolve) => logFile.end(resolve)));
    const adminPassword = randomBytes(9).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: stack.redisUrl,
      SUPABASE_URL: stack.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey,
      META_ACCESS_TOKEN: DEMO_TOKEN,
      META_GRAPH_URL: sandbox.url,
      META_TIME_SCALE: String(DEMO_TIME_SCALE),
      TOKEN_FINGERPRINT_KEY: 'demo-fingerprint-key',
      QUEUE_PREFIX: '{demo}',
      ADMIN_USER: 'admin',
      ADMIN_PASSWORD: adminPassword,
      WORKER_HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    };

    say('- starting the worker and the producer');
    const worker = await startWorker(loadWorkerConfig(env), { logDestination: logFile });
    closers.push(() => worker.close(5_000));
    const producerConfig = loadProducerConfig(env, { admin: true, token: true });
    const logger = createLogger({
      level: 'info',
      secrets: [DEMO_TOKEN, adminPassword],
      destination: logFile,
      base: { service: 'producer' },
    });
    const runtime = await openRuntime(producerConfig, { logger });
    closers.push(() => runtime.close());
    const service = await startProducerService(runtime, {
      port: await adminPort(args.port),
      rotateOnStart: false,
    });
    closers.push(() => service.close());
    say(`  logs: ${join(logDir, 'engine.log')}`);

    const runIds: Partial<Record<TaskName, string>> = {};
    for (const task of TASK_ORDER) {
      say(`\n== ${task} ==`);
      const run = await startRunInline(
        { directory: runtime.directory, pageSize: producerConfig.fanout.pageSize, fanout: runtime.fanout },
        { task },
        'cli',
      );
      runIds[task] = run.runId;
      await waitForRun(runtime, run.runId, { out: process.stdout, plainIntervalMs: 2_000 });
    }

    const summaries = await collectSummaries({
      databaseUrl: stack.databaseUrl,
      clients,
      queues: runtime.queues,
      runIds,
    });
    say('');
    say(renderSummaryTable(summaries));
    const problems = expectationProblems(summaries);
    const counters = sandbox.counters();
    say('');
    say(`Finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    say(`Sandbox: ${JSON.stringify(sandboxTotals(counters))}`);
    if (problems.length === 0) say('Every client ended as expected.');
    else for (const problem of problems) say(`UNEXPECTED: ${problem}`);
    say('');
    say(`Bull Board: ${service.url}/admin/queues   (user: admin, password: ${adminPassword})`);
    say(
      `Admin API:  ${service.url}/api/runs   health: ${service.url}/healthz   metrics: ${service.url}/metrics`,
    );

    if (args.once) {
      await closeAll();
      return problems.length === 0 ? 0 : 1;
    }
    say('\nServing until Ctrl-C.');
    await new Promise(() => {});
    return 0;
  } catch (error) {
    process.stderr.write(`pnpm demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await closeAll();
    return 1;
  }
}

/** 3000 unless it is taken (or --port says otherwise); 0 lets the kernel choose. */
async function adminPort(requested: number | undefined): Promise<number> {
  if (requested !== undefined) return requested;
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(3000, '127.0.0.1', () => probe.close(() => resolve(3000)));
  });
}

function sandboxTotals(counters: unknown): Record<string, number> {
  const totals: Record<string, number> = {};
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === 'number' && ['calls', 'throttles', 'errors'].includes(key)) {
        totals[key] = (totals[key] ?? 0) + inner;
      } else visit(inner);
    }
  };
  visit((counters as { accounts?: unknown }).accounts ?? counters);
  return totals;
}

process.exitCode = await main();
