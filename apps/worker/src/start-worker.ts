/**
 * @module start-worker
 * From a validated `WorkerConfig` to a running worker app: logger, metrics, Redis (pinged), Supabase
 * (pinged), limiter, the token (from META_ACCESS_TOKEN, or META_ACCESS_TOKEN_FILE re-read when it changes,
 * followed through the token announcements: token/token-follower.ts), Meta client, workers. Used by `main.ts` and by anything that runs the worker
 * in-process (the demo, benchmarks). Never exits the process: failures are thrown as `StartupError`
 * with one line naming the variable to fix (a ConfigError for a configuration it cannot serve yet).
 *
 * @example
 * const worker = await startWorker(loadConfig(process.env));
 * // ...
 * await worker.close();
 */
import { hostname } from 'node:os';
import { createRepository, isDbAuthError } from '@meta-engine/db';
import { createMetaClient } from '@meta-engine/meta-client';
import {
  type AccountOverrides,
  controlKeyPrefixFor,
  createLimiter,
  createWorkerConnection,
  DEFAULT_LIMITER_SETTINGS,
  describeRedisTarget,
  isClusterTarget,
  type LimiterSettings,
  limiterKeyPrefixFor,
  type PaceConfig,
  pingRedis,
  type RedisTarget,
  redisTargetVariable,
  requireClusterPrefix,
} from '@meta-engine/queue';
import { createTokenSource, Releasers } from '@meta-engine/runtime';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.ts';
import { createLogger } from './runtime/logger.ts';
import { createWorkerMetrics, type WorkerMetrics } from './runtime/metrics.ts';
import { createTokenFollower, type TokenFollower } from './token/token-follower.ts';
import { createWorkerToken } from './token/worker-token.ts';
import { createWorkerApp, type WorkerApp, type WorkerSettingsInput } from './worker-app.ts';

/** A start-up failure with a one-line message naming the configuration variable. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface StartWorkerOptions {
  /** Default: pino JSON on stdout (token redacted and scrubbed). */
  logger?: Logger;
  /** Where the default logger writes (tests capture lines here). */
  logDestination?: { write(line: string): unknown };
  metrics?: WorkerMetrics;
  now?: () => Date;
  /** Per-account limiter overrides (e.g. a standard-tier account). */
  limiterAccounts?: AccountOverrides;
  /** Settings beyond the environment (wins over it). */
  settings?: WorkerSettingsInput;
  /** Where Redis is: a single Redis or a Redis Cluster (default {@link redisTargetFromConfig}). */
  redis?: RedisTarget;
  /**
   * Re-read META_ACCESS_TOKEN_FILE on this signal (main.ts: `SIGHUP`). Default none: an embedded worker
   * leaves the process's signals alone.
   */
  reloadSignal?: NodeJS.Signals;
}

/** The Redis target of a configuration: REDIS_URL, or a Redis Cluster from REDIS_CLUSTER_NODES. */
export function redisTargetFromConfig(config: Pick<WorkerConfig, 'redis'>): RedisTarget {
  return config.redis;
}

export interface RunningWorker {
  app: WorkerApp;
  logger: Logger;
  metrics: WorkerMetrics;
  config: WorkerConfig;
  /** The token this worker uses now (fingerprint only) and whether it holds its queues for being behind. */
  token: { fingerprint(): string; isBehind(): boolean; reload(): Promise<boolean> };
  /** `app.close(timeoutMs)`, then every resource in reverse order of opening. */
  close(timeoutMs?: number): Promise<{ drained: boolean; abandoned: number }>;
}

/** Standard ("Full") access quotas per ad account and hour (reference §1.2–1.3). */
const STANDARD_TIER_PACES: Readonly<Record<string, PaceConfig>> = {
  ads_management: { callsPerHour: 100_000, burst: 10 },
  ads_insights: { callsPerHour: 190_000, burst: 10 },
  custom_audience: { callsPerHour: 190_000, burst: 10 },
};
/** Standard tier score limit: 9000 points per 300 s. */
const STANDARD_ACCOUNT_PACE: PaceConfig = { callsPerHour: 108_000, burst: 20 };

/**
 * Limiter settings for the configuration (pure): the tier's quotas as starting hints (per Meta hour), the
 * account concurrency and lease TTL, and Meta's hour: with META_TIME_SCALE (the sandbox's fast clock) the
 * window and every Meta-time wait are divided by the scale.
 */
export function limiterSettingsFor(config: WorkerConfig): Partial<LimiterSettings> {
  const scale = config.META_TIME_SCALE;
  const standard = config.META_ACCESS_TIER === 'standard';
  const shorten = (ms: number) => Math.max(1, Math.round(ms / scale));
  return {
    paces: standard ? STANDARD_TIER_PACES : DEFAULT_LIMITER_SETTINGS.paces,
    defaultPace: DEFAULT_LIMITER_SETTINGS.defaultPace,
    accountPace: standard ? STANDARD_ACCOUNT_PACE : DEFAULT_LIMITER_SETTINGS.accountPace,
    windowMs: shorten(DEFAULT_LIMITER_SETTINGS.windowMs),
    maxConcurrentPerAccount: config.ACCOUNT_CONCURRENCY,
    safetyFactor: config.LIMITER_SAFETY_FACTOR,
    leaseTtlMs: config.ACCOUNT_LEASE_TTL_MS,
    fallbackBlockMs: shorten(DEFAULT_LIMITER_SETTINGS.fallbackBlockMs),
    appFallbackBlockMs: shorten(DEFAULT_LIMITER_SETTINGS.appFallbackBlockMs),
    usageTtlMs: shorten(DEFAULT_LIMITER_SETTINGS.usageTtlMs),
  };
}

/** Worker settings from the configuration (pure). */
export function workerSettingsFor(config: WorkerConfig): WorkerSettingsInput {
  return {
    concurrency: {
      validate: config.CONCURRENCY_VALIDATE,
      'refresh-cache': config.CONCURRENCY_REFRESH_CACHE,
      'collect-insights': config.CONCURRENCY_COLLECT_INSIGHTS,
      summaries: config.CONCURRENCY_SUMMARIES,
      'drift-check': config.CONCURRENCY_DRIFT_CHECK,
    },
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
    lookbackDays: config.INSIGHTS_LOOKBACK_DAYS,
    backfillDays: config.INSIGHTS_BACKFILL_DAYS,
    asyncThresholdDays: config.INSIGHTS_ASYNC_THRESHOLD_DAYS,
    asyncPollIntervalMs: config.ASYNC_POLL_INTERVAL_MS,
    asyncMaxPollIntervalMs: config.ASYNC_MAX_POLL_INTERVAL_MS,
    asyncMaxWaitMs: config.ASYNC_MAX_WAIT_MS,
    includeAdRelevance: config.REFRESH_AD_RELEVANCE,
    policyParkMs: config.POLICY_PARK_MS,
    metaTimeScale: config.META_TIME_SCALE,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    maxInlineWaitMs: config.META_INLINE_WAIT_MS,
    maxParksWithoutProgress: config.JOB_MAX_PARKS,
    // Default: a day of Meta time, how long a job may wait for Meta's limits without getting further.
    maxWaitWithoutProgressMs:
      config.JOB_MAX_WAIT_MS ?? Math.max(1, Math.round((24 * 3_600_000) / config.META_TIME_SCALE)),
    scratchTtlMs: Math.max(60_000, Math.round((24 * 3_600_000) / config.META_TIME_SCALE)),
    summariesBackfillMonths: config.SUMMARIES_BACKFILL_MONTHS,
    summariesBackfillWeeks: config.SUMMARIES_BACKFILL_WEEKS,
    summariesPieceMonths: config.SUMMARIES_PIECE_MONTHS,
    summariesPieceWeeks: config.SUMMARIES_PIECE_WEEKS,
    summariesRestatementDays: config.SUMMARIES_RESTATEMENT_DAYS,
    summariesMonthlyRecollectDays: config.SUMMARIES_RECOLLECT_DAYS,
    summariesWeeklyRecollectWeekdays: config.SUMMARIES_RECOLLECT_WEEKDAYS,
  };
}

export async function startWorker(
  config: WorkerConfig,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const secrets = config.secrets;
  const logger =
    options.logger ??
    createLogger({
      level: config.LOG_LEVEL,
      secrets,
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  const metrics = options.metrics ?? createWorkerMetrics();
  const releasers = new Releasers();
  try {
    const target = options.redis ?? redisTargetFromConfig(config);
    let connection: ReturnType<typeof createWorkerConnection>;
    try {
      if (isClusterTarget(target)) requireClusterPrefix(config.QUEUE_PREFIX);
      connection = createWorkerConnection(target, { lazyConnect: true });
    } catch (error) {
      throw new StartupError(error instanceof Error ? error.message : String(error));
    }
    releasers.add('redis', async () => {
      await connection.quit().catch(() => connection.disconnect());
    });
    try {
      await pingRedis(connection, {
        variable: redisTargetVariable(target),
        ...(isClusterTarget(target) || !target.url ? {} : { url: target.url }),
        timeoutMs: 5_000,
      });
    } catch (error) {
      throw new StartupError(
        error instanceof Error
          ? error.message
          : `Redis at ${redisTargetVariable(target)}=${describeRedisTarget(target)} is unreachable`,
      );
    }
    // Reconnects are ioredis' job; log the errors instead of letting them surface as unhandled events.
    connection.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));

    const repo = createRepository({
      supabaseUrl: config.SUPABASE_URL,
      serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
    });
    try {
      await repo.ping({ timeoutMs: 3_000 });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isDbAuthError(error)) {
        const code = error.code ? `, ${error.code}` : '';
        const detail = error.message.replace(/^select on clients failed( \([^)]*\))?: /, '');
        throw new StartupError(
          `Supabase at SUPABASE_URL=${config.SUPABASE_URL} refused SUPABASE_SERVICE_ROLE_KEY (HTTP ${error.status}${code}: ${detail}): use the project's service_role key (Supabase dashboard, Project Settings, API)`,
        );
      }
      throw new StartupError(
        `Supabase at SUPABASE_URL=${config.SUPABASE_URL} is unreachable or not migrated (check SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, then run pnpm db:migrate): ${reason}`,
      );
    }

    const limiterConnection = createWorkerConnection(target, {
      lazyConnect: true,
      enableAutoPipelining: true,
    });
    releasers.add('redis (limiter)', async () => {
      await limiterConnection.quit().catch(() => limiterConnection.disconnect());
    });
    limiterConnection.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
    const limiter = createLimiter({
      redis: limiterConnection,
      keyPrefix: limiterKeyPrefixFor(config.QUEUE_PREFIX),
      ...limiterSettingsFor(config),
      ...(options.limiterAccounts ? { accounts: options.limiterAccounts } : {}),
    });

    const tokenSource = createTokenSource({
      initial: config.META_ACCESS_TOKEN,
      file: config.metaAccessTokenFile,
      secrets,
      logger,
      pollIntervalMs: config.TOKEN_POLL_INTERVAL_MS,
      reloadSignal: options.reloadSignal,
    });
    releasers.add('token source', () => tokenSource.close());
    const token = createWorkerToken(tokenSource, config.TOKEN_FINGERPRINT_KEY);
    let follower: TokenFollower | undefined;

    const app = createWorkerApp({
      meta: (hooks) =>
        createMetaClient({
          accessToken: token.accessToken,
          appSecret: config.META_APP_SECRET,
          baseUrl: config.META_GRAPH_URL,
          apiVersion: config.META_API_VERSION,
          timeouts: {
            totalMs: config.META_REQUEST_TIMEOUT_MS,
            headersMs: config.META_REQUEST_TIMEOUT_MS,
            bodyMs: config.META_REQUEST_TIMEOUT_MS,
          },
          retry: { limit: config.META_RETRY_LIMIT },
          connections: config.META_MAX_CONNECTIONS,
          ...hooks,
        }),
      repo,
      connection,
      limiter,
      logger,
      metrics,
      queuePrefix: config.QUEUE_PREFIX,
      tokenFingerprint: token.jobFingerprint,
      tokenSuperseded: (fingerprint) => follower?.isSuperseded(fingerprint) ?? Promise.resolve(false),
      secrets,
      settings: { ...workerSettingsFor(config), ...options.settings },
      ...(options.now ? { now: options.now } : {}),
    });
    follower = createTokenFollower({
      token,
      redis: connection,
      controlKeyPrefix: controlKeyPrefixFor(config.QUEUE_PREFIX),
      app,
      logger,
      metrics,
      by: `worker ${process.pid}@${hostname()}`,
      pollIntervalMs: config.TOKEN_POLL_INTERVAL_MS,
    });
    const tokenFollower = follower;
    try {
      await tokenFollower.start();
    } catch (error) {
      await tokenFollower.close().catch(() => {});
      await app.close(0).catch(() => {});
      throw new StartupError(
        `cannot follow token announcements in Redis: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let closing: Promise<{ drained: boolean; abandoned: number }> | null = null;
    logger.info(
      {
        queuePrefix: config.QUEUE_PREFIX,
        concurrency: app.settings.concurrency,
        graphUrl: config.META_GRAPH_URL,
        timeScale: config.META_TIME_SCALE,
        tokenFile: config.metaAccessTokenFile ?? null,
      },
      'worker started',
    );
    return {
      app,
      logger,
      metrics,
      config,
      token: {
        fingerprint: token.fingerprint,
        isBehind: () => tokenFollower.isBehind(),
        reload: () => tokenSource.reload(),
      },
      close(timeoutMs = config.SHUTDOWN_TIMEOUT_MS) {
        closing ??= (async () => {
          // First: a token change must not resume workers that are being closed.
          await tokenFollower
            .close()
            .catch((error) => logger.warn({ err: error }, 'closing the token follower failed'));
          const result = await app.close(timeoutMs);
          await releasers.close().catch((error) => logger.warn({ err: error }, 'closing resources failed'));
          return result;
        })();
        return closing;
      },
    };
  } catch (error) {
    await releasers.close().catch(() => {});
    throw error;
  }
}
