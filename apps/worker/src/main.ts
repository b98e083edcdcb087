/**
 * @module main
 * The worker process: `.env` (when present), configuration, Redis and Supabase checks, the workers, the
 * `/healthz` + `/metrics` server, and graceful shutdown on SIGTERM/SIGINT:
 *
 * 1. stop taking jobs (every worker pauses its fetch loop; `/healthz` answers 503);
 *    (`/readyz` answers 503 while Redis or the database does not answer; `/healthz` stays liveness)
 * 2. wait up to SHUTDOWN_TIMEOUT_MS for the jobs in flight to finish;
 * 3. force-close what is still running: those jobs keep their Redis lock until it lapses
 *    (WORKER_LOCK_DURATION_MS), then another worker's stalled check returns them to the queue; nothing
 *    is lost, and every write is an idempotent upsert;
 * 4. close the resources in reverse order of opening, exit 0.
 *
 * A second signal exits at once (exit 1). A missing or malformed configuration value exits 78 (one line
 * per problem, through the runtime's exitOnConfigError); any other start-up failure exits 1. The only
 * module that calls `process.exit`.
 */
import { exitOnConfigError, loadDotEnv } from '@meta-engine/runtime';
import { loadConfig, type WorkerConfig } from './config.ts';
import { startHealthServer } from './runtime/http-server.ts';
import { type RunningWorker, StartupError, startWorker } from './start-worker.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function fail(message: string): never {
  for (const line of message.split('\n')) process.stderr.write(`worker: ${line}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    loadDotEnv();
    config = loadConfig(process.env);
  } catch (error) {
    exitOnConfigError(error, 'worker');
    throw error;
  }

  let worker: RunningWorker;
  try {
    // SIGHUP: re-read META_ACCESS_TOKEN_FILE now (a rotation without a restart).
    worker = await startWorker(config, { reloadSignal: 'SIGHUP' });
  } catch (error) {
    exitOnConfigError(error, 'worker');
    if (error instanceof StartupError) fail(error.message);
    throw error;
  }
  const { logger, app } = worker;

  let server: Awaited<ReturnType<typeof startHealthServer>>;
  try {
    server = await startHealthServer({
      host: config.WORKER_HTTP_HOST,
      port: config.WORKER_HTTP_PORT,
      registry: worker.metrics.registry,
      isHealthy: () => !app.isClosing(),
      readiness: async () => {
        const report = await app.readiness();
        // Secrets never reach the answer (a URL in an error message could carry a password).
        for (const key of ['redis', 'database'] as const) {
          for (const secret of config.secrets)
            report.checks[key] = report.checks[key].replaceAll(secret, '[redacted]');
        }
        return report;
      },
    });
  } catch (error) {
    await worker.close(0).catch(() => {});
    fail(
      `cannot listen on WORKER_HTTP_HOST=${config.WORKER_HTTP_HOST} WORKER_HTTP_PORT=${config.WORKER_HTTP_PORT}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  logger.info({ url: server.url }, 'health and metrics server listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info(
      { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, activeJobs: app.activeJobs() },
      'shutting down',
    );
    const result = await worker.close(config.SHUTDOWN_TIMEOUT_MS);
    await server.close();
    logger.info(result, 'worker stopped');
    process.exit(0);
  };
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      shutdown(signal).catch((error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? `unexpected failure: ${error.message}` : 'unexpected failure');
});
