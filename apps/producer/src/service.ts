/**
 * @module service
 * The long-running producer (`serve`), as a function other code can call (`pnpm demo` does):
 *
 * 1. upsert the job schedulers from the configuration (and remove the ones turned off), the local-midnight
 *    tick included;
 * 2. rotate if the configured token changed since the last rotation (re-validate everyone, resume
 *    token-fatal pauses); a failure here is logged and left to `POST /api/rotation`, it does not stop
 *    the service;
 * 3. follow token rotations without a restart (rotation/rotation-follower.ts): watch the token file,
 *    announce a new token, rotate once to a token any process announced;
 * 4. start the fan-out worker (ticks and API run requests);
 * 5. serve the admin HTTP app on ADMIN_HOST:ADMIN_PORT.
 *
 * `close()` stops them in reverse order (the worker finishes its current fan-out first).
 */
import { hostname } from 'node:os';
import { controlKeyPrefixFor, createWorkerConnection } from '@meta-engine/queue';
import type { Hono } from 'hono';
import { startFanoutWorker } from './fanout/fanout-jobs.ts';
import { createAdminApp } from './http/app.ts';
import { type RunningServer, startAdminServer } from './http/server.ts';
import type { RotationOutcome } from './rotation/rotate.ts';
import { createRotationFollower, type RotationFollower } from './rotation/rotation-follower.ts';
import type { Runtime } from './runtime.ts';
import { type SyncReport, syncSchedulers } from './schedules/sync-schedulers.ts';

export interface ProducerService {
  url: string;
  schedulers: SyncReport;
  rotation: RotationOutcome | { status: 'failed'; error: string } | { status: 'skipped' };
  /** Follows token rotations while serving (null with `followRotations: false`). */
  rotations: RotationFollower | null;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Check the token at start (default true; needs META_ACCESS_TOKEN). */
  rotateOnStart?: boolean;
  /** Override ADMIN_PORT (0 = any free port). */
  port?: number;
  /** Follow token rotations: watch the token file, rotate to announced tokens (default true). */
  followRotations?: boolean;
  /** Re-read META_ACCESS_TOKEN_FILE on this signal (`serve`: SIGHUP; default none when embedded). */
  reloadSignal?: NodeJS.Signals;
}

export async function startProducerService(
  runtime: Runtime,
  options: ServiceOptions = {},
): Promise<ProducerService> {
  const { config, logger } = runtime;
  const app = adminAppFor(runtime);

  if (config.tokenFingerprintKeyIsDefault) {
    logger.warn('TOKEN_FINGERPRINT_KEY is not set: token fingerprints use the public development key');
  }
  const schedulers = await syncSchedulers(runtime.fanoutQueue, config.schedules, config.local);
  logger.info(
    { upserted: schedulers.upserted, removed: schedulers.removed, localMidnight: schedulers.local },
    'job schedulers in place',
  );

  let rotation: ProducerService['rotation'] = { status: 'skipped' };
  if ((options.rotateOnStart ?? true) && config.metaAccessToken) {
    try {
      rotation = await runtime.rotate({ force: false });
    } catch (error) {
      rotation = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
      logger.error({ err: rotation.error }, 'token check at start failed; POST /api/rotation to retry');
    }
  }

  let rotations: RotationFollower | null = null;
  if (options.followRotations ?? true) {
    const follower = createRotationFollower({
      redis: runtime.redis,
      controlPrefix: controlKeyPrefixFor(config.queuePrefix),
      tokens: runtime.tokens,
      configuredFingerprint: runtime.configuredFingerprint,
      lastRotatedFingerprint: () => runtime.tokenState.lastRotatedFingerprint(),
      rotate: (rotateOptions) => runtime.rotate(rotateOptions),
      logger,
      by: `producer ${process.pid}@${hostname()}`,
      pollIntervalMs: config.tokenPollIntervalMs,
      reloadSignal: options.reloadSignal,
    });
    runtime.releasers.add('rotation follower', () => follower.close());
    await follower.start();
    rotations = follower;
  }

  const workerConnection = createWorkerConnection(runtime.redisTarget);
  workerConnection.on('error', (error) => logger.debug({ err: error.message }, 'worker connection error'));
  runtime.releasers.add('worker connection', () =>
    workerConnection.quit().catch(() => workerConnection.disconnect()),
  );
  const worker = startFanoutWorker(runtime.fanout, {
    connection: workerConnection,
    prefix: config.queuePrefix,
    concurrency: config.fanout.concurrency,
    logger,
    localTick: (plannedFor) => runtime.localTick(plannedFor),
  });
  runtime.releasers.add('fan-out worker', () => worker.close());

  const server: RunningServer = await startAdminServer(
    app,
    config.admin.host,
    options.port ?? config.admin.port,
  );
  runtime.releasers.add('admin HTTP server', () => server.close());
  logger.info(
    { url: server.url, console: `${server.url}/console`, bullBoard: `${server.url}/admin/queues` },
    'admin HTTP listening',
  );
  return { url: server.url, schedulers, rotation, rotations, close: () => runtime.close() };
}

/** The admin app wired to a runtime (what `serve` serves; tests call it with `app.request()`). */
export function adminAppFor(runtime: Runtime): Hono {
  const { config } = runtime;
  const user = config.admin.user;
  const password = config.admin.password;
  if (!user || !password) throw new Error('ADMIN_USER and ADMIN_PASSWORD are required to serve');
  return createAdminApp({
    credentials: { user, password },
    queues: runtime.allQueues,
    bullBoardReadOnly: config.admin.readOnly,
    secrets: runtime.secrets,
    runs: {
      start: (request) => runtime.requestRun(request),
      progress: (runId) => runtime.runs.progress(runId),
      recent: (limit) => runtime.runs.recent(limit),
    },
    rotation: { rotate: () => runtime.rotate({ force: true }) },
    readiness: runtime.ready,
    metrics: {
      contentType: runtime.metrics.contentType,
      render: async () => {
        const [snapshot, freshness] = await Promise.all([
          runtime.status({ throttledLimit: 1, recentRuns: 0 }),
          runtime.clientConsole.freshnessSummary().catch((error: unknown) => {
            runtime.logger.debug({ err: String(error) }, 'freshness gauges not refreshed');
            return null;
          }),
        ]);
        return runtime.metrics.render(snapshot, freshness);
      },
    },
    console: runtime.clientConsole,
    logger: runtime.logger,
  });
}
