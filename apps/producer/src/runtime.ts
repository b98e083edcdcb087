/**
 * @module runtime
 * Wires the producer from its configuration: one fail-fast Redis connection (the queue package's
 * producer connection; a single Redis or a Redis Cluster, see `RedisTarget`) shared by every Queue and
 * the run store, the database repository, the adapters behind the ports, and the operations the commands
 * and the admin app call. Every resource registers its closer; `close()` releases them in reverse order.
 *
 * `pnpm demo` (issue 8) can build the same runtime with `openRuntime(loadConfig(env))` and reuse
 * `startRunInline` / `waitForRun` / `createAdminApp` without the CLI.
 */

import { hostname } from 'node:os';
import { createRepository, type Repository } from '@meta-engine/db';
import { tokenFingerprint } from '@meta-engine/meta-client';
import {
  announceToken,
  CLIENT_TASKS,
  type ClientTask,
  controlKeyPrefixFor,
  createQueue,
  isClusterTarget,
  openProducerConnection,
  pingRedis,
  type RedisClient,
  type RedisTarget,
  redisTargetVariable,
  requireClusterPrefix,
} from '@meta-engine/queue';
import { createTokenSource, Releasers, type TokenSource } from '@meta-engine/runtime';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { clientConsoleStoreFrom, clientDirectoryFrom, tokenStateStoreFrom } from './adapters/db.ts';
import { pauseControlFrom, throttleReaderFrom } from './adapters/queue.ts';
import type { ProducerConfig } from './config.ts';
import { clientJobsReader } from './console/client-jobs.ts';
import { type ConsoleService, createConsoleService } from './console/console-service.ts';
import { type FanoutDeps, fanOut } from './fanout/fan-out.ts';
import type { RunRequest } from './fanout/run-request.ts';
import { RunStore } from './fanout/run-store.ts';
import { requestRun } from './fanout/start-run.ts';
import { createLogger } from './logger.ts';
import type {
  ClientDirectory,
  LimiterControl,
  PauseControl,
  ThrottleReader,
  TokenStateStore,
} from './ports.ts';
import { type RotationDeps, type RotationOutcome, rotateIfChanged } from './rotation/rotate.ts';
import { type LocalTickResult, runLocalTick } from './schedules/local-midnight.ts';
import { collectStatus, type StatusDeps, type StatusSnapshot } from './status/collect-status.ts';
import { createProducerMetrics, type ProducerMetrics } from './status/metrics.ts';

export interface Runtime {
  config: ProducerConfig;
  logger: Logger;
  secrets: string[];
  /** Where Redis is (the service opens its worker connection to the same place). */
  redisTarget: RedisTarget;
  redis: RedisClient;
  queues: Record<ClientTask, Queue>;
  fanoutQueue: Queue;
  /** ClientTask queues then fanout: what Bull Board, status and metrics show. */
  allQueues: Queue[];
  directory: ClientDirectory;
  tokenState: TokenStateStore;
  pauses: PauseControl;
  throttles: ThrottleReader & LimiterControl;
  runs: RunStore;
  /** The operator console's reads and actions (also `/api/clients` and `status --clients`). */
  clientConsole: ConsoleService;
  metrics: ProducerMetrics;
  fanout: FanoutDeps;
  releasers: Releasers;
  /**
   * The configured token (META_ACCESS_TOKEN, or META_ACCESS_TOKEN_FILE: `serve` watches the file, see
   * rotation/rotation-follower.ts), or null when none is configured.
   */
  tokens: TokenSource | null;
  /** Fingerprint of the configured token as it is now, or null when none is configured. */
  configuredFingerprint(): string | null;
  /**
   * The on-demand run path (`POST /api/runs`, the console's actions): records the run as pending and
   * queues its fan-out for a serving producer. Throws UnknownClientsError before adding anything.
   */
  requestRun(request: RunRequest): Promise<{ runId: string }>;
  status(options?: { throttledLimit?: number; recentRuns?: number }): Promise<StatusSnapshot>;
  /**
   * Rotates if the token changed since the last rotation (or always with force), then announces it. The
   * token is the configured one (META_ACCESS_TOKEN or its file), or the `fingerprint` another process
   * announced (the producer needs no token to re-validate with the workers' tokens).
   */
  rotate(options: { force: boolean; fingerprint?: string }): Promise<RotationOutcome>;
  /** One local-midnight tick, as planned for `plannedFor` (the fan-out worker calls it; tests drive it). */
  localTick(plannedFor: Date): Promise<LocalTickResult>;
  ready: { redis(): Promise<void>; database(): Promise<void> };
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** A repository to use instead of one built from SUPABASE_URL (tests). */
  repository?: Repository;
  /** Where Redis is: a single Redis or a Redis Cluster (default {@link redisTargetFromConfig}). */
  redis?: RedisTarget;
}

/** The Redis target of a configuration: REDIS_URL, or a Redis Cluster from REDIS_CLUSTER_NODES. */
export function redisTargetFromConfig(config: Pick<ProducerConfig, 'redis'>): RedisTarget {
  return config.redis;
}

export async function openRuntime(config: ProducerConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const secrets = config.secrets;
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets });
  const releasers = new Releasers();
  try {
    const redisTarget = options.redis ?? redisTargetFromConfig(config);
    if (isClusterTarget(redisTarget)) requireClusterPrefix(config.queuePrefix);
    const redis = await openProducerConnection(redisTarget);
    redis.on('error', (error) => logger.debug({ err: error.message }, 'redis connection error'));
    releasers.add('redis', () => redis.quit().catch(() => redis.disconnect()));

    const makeQueue = (name: ClientTask | 'fanout') => {
      const queue = createQueue(name, { connection: redis, prefix: config.queuePrefix });
      queue.on('error', (error) => logger.debug({ queue: name, err: error.message }, 'queue error'));
      releasers.add(`queue ${name}`, () => queue.close());
      return queue;
    };
    const queues = Object.fromEntries(CLIENT_TASKS.map((task) => [task, makeQueue(task)])) as Record<
      ClientTask,
      Queue
    >;
    const fanoutQueue = makeQueue('fanout');
    const allQueues = [...CLIENT_TASKS.map((t) => queues[t]), fanoutQueue];

    const repo =
      options.repository ??
      createRepository({ supabaseUrl: config.supabaseUrl, serviceRoleKey: config.supabaseServiceRoleKey });
    const directory = clientDirectoryFrom(repo);
    const tokenState = tokenStateStoreFrom(repo, redis, controlKeyPrefixFor(config.queuePrefix));
    const pauses = pauseControlFrom(allQueues, redis, config.queuePrefix);
    const throttles = throttleReaderFrom(redis, config.queuePrefix);
    const runs = new RunStore({
      redis,
      prefix: config.queuePrefix,
      queues,
      retentionSeconds: config.runRetentionSeconds,
    });
    const metrics = createProducerMetrics({ objectives: config.freshness });
    const fanout: FanoutDeps = {
      redis,
      directory,
      queues,
      runs,
      pageSize: config.fanout.pageSize,
      chunkSize: config.fanout.chunkSize,
      logger,
      onStart: (task, trigger) => metrics.countRun(task, trigger),
      onChunk: (task, created, skipped, rejected, paused) =>
        metrics.countFanout(task, created, skipped, rejected, paused),
    };
    const tokens = config.metaAccessToken
      ? createTokenSource({
          initial: config.metaAccessToken,
          file: config.metaAccessTokenFile,
          secrets,
          logger,
          pollIntervalMs: config.tokenPollIntervalMs,
        })
      : null;
    if (tokens) releasers.add('token source', () => tokens.close());
    const configuredFingerprint = () =>
      tokens ? tokenFingerprint(config.tokenFingerprintKey, tokens.current()) : null;
    const controlPrefix = controlKeyPrefixFor(config.queuePrefix);
    const announcer = `producer ${process.pid}@${hostname()}`;
    const startRun = (request: RunRequest) =>
      requestRun({ directory, pageSize: config.fanout.pageSize, runs, fanoutQueue }, request, 'api');
    const clientConsole = createConsoleService({
      store: clientConsoleStoreFrom(repo),
      throttles,
      limiter: throttles,
      tokenState,
      pauses,
      // Read when the panel is built: the configured token may change while serving.
      get configuredFingerprint() {
        return configuredFingerprint();
      },
      runs: { start: startRun, progress: (runId) => runs.progress(runId) },
      jobs: clientJobsReader(redis, queues, secrets),
      objectives: config.freshness,
    });
    const statusDeps = (): StatusDeps => ({
      queues: allQueues,
      fanoutQueue,
      pauses,
      tokenState,
      throttles,
      runs,
      configuredFingerprint: configuredFingerprint(),
    });
    return {
      config,
      logger,
      secrets,
      redisTarget,
      redis,
      queues,
      fanoutQueue,
      allQueues,
      directory,
      tokenState,
      pauses,
      throttles,
      runs,
      clientConsole,
      metrics,
      fanout,
      releasers,
      tokens,
      configuredFingerprint,
      requestRun: startRun,
      status: (statusOptions) => collectStatus(statusDeps(), statusOptions),
      rotate: async ({ force, fingerprint }) => {
        const target = fingerprint ?? configuredFingerprint();
        if (!target) throw new Error('META_ACCESS_TOKEN or META_ACCESS_TOKEN_FILE is required to rotate');
        const deps: RotationDeps = {
          redis,
          controlPrefix,
          tokenState,
          pauses,
          fingerprint: target,
          announce: (rotatedTo) =>
            announceToken({ redis, keyPrefix: controlPrefix, fingerprint: rotatedTo, by: announcer }),
          logger,
          revalidateAll: (runId) => fanOut(fanout, { runId, task: 'validate', trigger: 'rotation' }),
        };
        return rotateIfChanged(deps, { force });
      },
      localTick: (plannedFor) =>
        runLocalTick(
          {
            fanout,
            redis,
            keyPrefix: controlKeyPrefixFor(config.queuePrefix),
            schedule: config.local,
            logger,
          },
          plannedFor,
        ),
      ready: {
        redis: () => pingRedis(redis, { timeoutMs: 1500, variable: redisTargetVariable(redisTarget) }),
        database: () => directory.ping(),
      },
      close: () => releasers.close(),
    };
  } catch (error) {
    await releasers.close().catch(() => {});
    throw error;
  }
}
