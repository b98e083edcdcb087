/**
 * @module worker-app
 * `createWorkerApp(options)`: one BullMQ Worker per task queue (the queue package's CLIENT_TASKS:
 * `validate`, `refresh-cache`, `collect-insights`, `summaries`, `drift-check`) around the processors, with
 * Meta's feedback wired into the limiter once, job-scoped child loggers, metrics, and a bounded graceful
 * `close()`. Embeddable: it never touches `process` (no
 * signals, no exit); `main.ts` does that.
 *
 * @example
 * const app = createWorkerApp({
 *   meta: (hooks) => createMetaClient({ accessToken, baseUrl, ...hooks }),
 *   repo, connection, limiter, logger, tokenFingerprint, secrets: [accessToken],
 * });
 * // ... later
 * await app.close(25_000);
 */
import { isClientSupersededError } from '@meta-engine/db';
import type { MetaClient, MetaRequestEvent, MetaResponseEvent } from '@meta-engine/meta-client';
import {
  APP_BLOCK_WORKER_LIMITER,
  CLIENT_TASKS,
  type ClientTask,
  closeQueues,
  controlKeyPrefixFor,
  createQueue,
  DEFAULT_QUEUE_PREFIX,
  queuePrefixFor,
  type RedisClient,
} from '@meta-engine/queue';
import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { type AppTracking, createCallBooking, jobCalls } from './call-booking.ts';
import { createMetaFeedback } from './meta-feedback.ts';
import type { MetaLimiter, WorkerRepository } from './ports.ts';
import { createCollectInsightsProcessor } from './processors/collect-insights.ts';
import {
  DEFAULT_WORKER_SETTINGS,
  type Processor,
  type ProcessorContext,
  type WorkerSettings,
} from './processors/context.ts';
import { createDriftCheckProcessor } from './processors/drift-check.ts';
import { isFinalAttempt } from './processors/failures.ts';
import { isParkedError } from './processors/park.ts';
import { createRefreshCacheProcessor } from './processors/refresh-cache.ts';
import { createSummariesProcessor } from './processors/summaries.ts';
import { supersededResult } from './processors/superseded.ts';
import { createValidateProcessor } from './processors/validate.ts';
import { createWorkerMetrics, type WorkerMetrics } from './runtime/metrics.ts';
import { createOutageGate, type OutageState } from './runtime/outage-gate.ts';

/**
 * Builds the Meta client with the app's hooks (spread them into `createMetaClient`): `beforeRequest` books
 * every call with the limiter, `onResponse` feeds Meta's usage back to it.
 */
export type MetaClientFactory = (hooks: {
  onResponse: (event: MetaResponseEvent) => Promise<void>;
  beforeRequest: (event: MetaRequestEvent) => Promise<void>;
}) => MetaClient;

export type WorkerSettingsInput = Partial<Omit<WorkerSettings, 'concurrency'>> & {
  concurrency?: Partial<Record<ClientTask, number>>;
};

export interface WorkerAppOptions {
  /**
   * A factory (preferred: the app passes its limiter feedback as `onResponse`), or a ready client whose
   * `onResponse` the caller wired itself (e.g. to `createMetaFeedback`).
   */
  meta: MetaClient | MetaClientFactory;
  repo: WorkerRepository;
  /**
   * A worker connection (`maxRetriesPerRequest: null`, see `createWorkerConnection`), a single Redis or a
   * Redis Cluster; not closed by the app.
   */
  connection: RedisClient;
  /** The per-account limiter (its keys must match `queuePrefix`: `limiterKeyPrefixFor(prefix)`). */
  limiter: MetaLimiter;
  logger: Logger;
  /** Default: a fresh registry with default metrics. */
  metrics?: WorkerMetrics;
  /** BullMQ prefix of the queues, default `{meta}` (a hash tag; required on a Redis Cluster). */
  queuePrefix?: string;
  /**
   * HMAC fingerprint of the token (`tokenFingerprint(TOKEN_FINGERPRINT_KEY, token)`), or a function giving
   * it when the token can change while the app runs (token/worker-token.ts: the token of the job's calls).
   */
  tokenFingerprint: string | (() => string);
  /** See `ProcessorContext.tokenSuperseded` (token/token-follower.ts). */
  tokenSuperseded?: (fingerprint: string) => Promise<boolean>;
  /**
   * Never stored, logged or put in cache data: the token and the app secret. Read live, so a token added
   * to the list after a rotation is scrubbed too.
   */
  secrets: readonly string[];
  settings?: WorkerSettingsInput;
  /** Clock for periods and ranges (default: real time). */
  now?: () => Date;
  /** Queues to work (default all of CLIENT_TASKS). */
  tasks?: readonly ClientTask[];
  /** Start fetching at once (default true). */
  autorun?: boolean;
}

export interface WorkerApp {
  readonly workers: Readonly<Partial<Record<ClientTask, Worker>>>;
  /** The task queues (for pause, rate limit and tests); closed by `close()`. */
  readonly queues: Readonly<Record<ClientTask, Queue>>;
  readonly meta: MetaClient;
  readonly settings: WorkerSettings;
  readonly metrics: WorkerMetrics;
  /** Jobs being processed by this app right now. */
  activeJobs(): number;
  isClosing(): boolean;
  /** Starts the workers created with `autorun: false`. */
  run(): void;
  /** The database outage gate: whether this app waits out an outage (not taking jobs) and since when. */
  outage(): OutageState;
  /**
   * Readiness: Redis and the database each answer a ping within `timeoutMs` (default 2 s); the reason of
   * each that does not. For `/readyz`.
   */
  readiness(timeoutMs?: number): Promise<Readiness>;
  /**
   * Stops taking jobs, waits up to `timeoutMs` (default settings.shutdownTimeoutMs) for jobs in flight,
   * then closes the workers (force-closing when jobs are still running: their locks lapse and another
   * worker recovers them as stalled), the queues and the Meta client if the app built it.
   */
  close(timeoutMs?: number): Promise<{ drained: boolean; abandoned: number }>;
}

/** What `/readyz` answers: ready only when both dependencies answer. */
export interface Readiness {
  ready: boolean;
  checks: { redis: string; database: string };
  /** The outage gate's state (a worker waiting out a database outage takes no jobs). */
  outage: OutageState;
}

/** Undefined when `check` settles in time, else what went wrong. */
async function answered(check: Promise<unknown>, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([check.then(() => undefined), late]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

export function resolveWorkerSettings(input: WorkerSettingsInput = {}): WorkerSettings {
  const { concurrency, ...rest } = input;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return {
    ...DEFAULT_WORKER_SETTINGS,
    ...defined,
    concurrency: { ...DEFAULT_WORKER_SETTINGS.concurrency, ...concurrency },
  };
}

function isMetaClient(value: MetaClient | MetaClientFactory): value is MetaClient {
  return typeof value === 'object' && value !== null && 'getInsights' in value;
}

/** Job ids, queue, client and ad account for every log line of a job (ids only: never a token). */
function jobBindings(queue: string, job: Job): Record<string, unknown> {
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown>;
  const id = (value: unknown) => (typeof value === 'string' && value.length <= 64 ? value : undefined);
  return { jobId: job.id, queue, clientId: id(data.clientId), adAccountId: id(data.adAccountId) };
}

/** How long a closing worker waits for the answers to its last usage reports. */
const FEEDBACK_SETTLE_MS = 2_000;

export function createWorkerApp(options: WorkerAppOptions): WorkerApp {
  const settings = resolveWorkerSettings(options.settings);
  const prefix = queuePrefixFor(options.connection, options.queuePrefix ?? DEFAULT_QUEUE_PREFIX);
  const logger = options.logger;
  const metrics = options.metrics ?? createWorkerMetrics();
  const tasks = options.tasks ?? CLIENT_TASKS;
  const queues = Object.fromEntries(
    CLIENT_TASKS.map((task) => {
      const queue = createQueue(task, { connection: options.connection, prefix });
      // Connection errors while Redis is down go to the log (they would print raw to stderr otherwise).
      queue.on('error', (error) => logger.warn({ err: error, queue: task }, 'queue error'));
      return [task, queue];
    }),
  ) as Record<ClientTask, Queue>;
  const queueList = () => CLIENT_TASKS.map((task) => queues[task]);

  const app: AppTracking = { active: false };
  const feedback = createMetaFeedback({
    limiter: options.limiter,
    queues: queueList,
    metrics,
    logger,
    app,
    timeScale: settings.metaTimeScale,
  });
  const beforeRequest = createCallBooking({
    limiter: options.limiter,
    app,
    maxInlineWaitMs: settings.maxInlineWaitMs,
  });
  const ownsMeta = !isMetaClient(options.meta);
  const meta = isMetaClient(options.meta)
    ? options.meta
    : options.meta({ onResponse: feedback.onResponse, beforeRequest });

  const fingerprintOf = options.tokenFingerprint;
  const secretList = options.secrets;
  const ctx: ProcessorContext = {
    meta,
    repo: options.repo,
    limiter: options.limiter,
    app,
    queues: queueList,
    redis: options.connection,
    controlKeyPrefix: controlKeyPrefixFor(prefix),
    metrics,
    settings,
    now: options.now ?? (() => new Date()),
    get secrets() {
      return secretList.filter((secret) => secret.length > 0);
    },
    get tokenFingerprint() {
      return typeof fingerprintOf === 'function' ? fingerprintOf() : fingerprintOf;
    },
    tokenSuperseded: options.tokenSuperseded,
  };
  const processors: Record<ClientTask, Processor> = {
    validate: createValidateProcessor(ctx),
    'refresh-cache': createRefreshCacheProcessor(ctx),
    'collect-insights': createCollectInsightsProcessor(ctx),
    summaries: createSummariesProcessor(ctx),
    'drift-check': createDriftCheckProcessor(ctx),
  };

  let active = 0;
  let closing = false;
  let idleWaiters: Array<() => void> = [];
  const settleIdle = () => {
    if (active > 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  };

  const wrap =
    (task: ClientTask) =>
    async (job: Job, token?: string): Promise<unknown> => {
      const log = logger.child(jobBindings(task, job));
      const started = performance.now();
      active++;
      try {
        // The job's calls share one context: the call booking and the feedback find the job through it.
        const calls = { jobId: job.id ?? '', adAccountId: '', succeeded: 0, progressed: false };
        const result = await jobCalls.run(calls, () => processors[task](job, token, log));
        metrics.jobs.inc({ queue: task, outcome: 'completed' });
        return result;
      } catch (error) {
        // The client changed while the job waited: nothing was written, the job completes (issue 12.1).
        if (isClientSupersededError(error)) {
          metrics.jobs.inc({ queue: task, outcome: 'superseded' });
          log.info(
            { outcome: 'superseded', reason: error.reason, currentAdAccountId: error.currentAdAccountId },
            `superseded: ${error.message}; the next job serves the client as it is now`,
          );
          return supersededResult(error);
        }
        if (error instanceof DelayedError) {
          const outcome = isParkedError(error) && error.reason === 'token_fatal' ? 'paused' : 'parked';
          metrics.jobs.inc({ queue: task, outcome });
        } else {
          const final = error instanceof UnrecoverableError || isFinalAttempt(job);
          metrics.jobs.inc({ queue: task, outcome: final ? 'failed' : 'retried' });
          if (final) log.warn({ err: error }, 'job failed');
        }
        throw error;
      } finally {
        metrics.jobSeconds.observe({ queue: task }, (performance.now() - started) / 1000);
        active--;
        settleIdle();
      }
    };

  const workers: Partial<Record<ClientTask, Worker>> = {};
  for (const task of tasks) {
    const worker = new Worker(task, wrap(task), {
      connection: options.connection,
      prefix,
      concurrency: settings.concurrency[task],
      // Lets queue.rateLimit (app-wide throttles) stop fetching; its own ceiling is never reached.
      limiter: APP_BLOCK_WORKER_LIMITER,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
      autorun: options.autorun ?? true,
    });
    worker.on('error', (error) => logger.error({ err: error, queue: task }, 'worker error'));
    worker.on('stalled', (jobId) =>
      logger.warn({ queue: task, jobId }, 'stalled job returned to the queue (its worker stopped)'),
    );
    workers[task] = worker;
  }

  // Database outages (issue 12.2): stop fetching while the database does not answer, resume when it does.
  const outagePaused = new Set<Worker>();
  const outage = createOutageGate({
    ping: () => options.repo.ping({ timeoutMs: 2_000 }),
    pause: async () => {
      const running = Object.values(workers).filter((worker) => worker.isRunning() && !worker.isPaused());
      for (const worker of running) outagePaused.add(worker);
      await Promise.all(running.map((worker) => worker.pause(true)));
    },
    resume: async () => {
      const paused = [...outagePaused];
      outagePaused.clear();
      await Promise.all(paused.map((worker) => worker.resume()));
    },
    isClosing: () => closing,
    logger,
    onChange: (up) => metrics.dependencyUp.set({ dependency: 'database' }, up ? 1 : 0),
  });
  metrics.dependencyUp.set({ dependency: 'database' }, 1);
  ctx.outage = outage;

  let closed: Promise<{ drained: boolean; abandoned: number }> | null = null;
  return {
    workers,
    queues,
    meta,
    settings,
    metrics,
    activeJobs: () => active,
    isClosing: () => closing,
    outage: () => outage.state(),
    async readiness(timeoutMs = 2_000) {
      const [redis, database] = await Promise.all([
        answered(options.connection.ping(), timeoutMs),
        answered(options.repo.ping({ timeoutMs }), timeoutMs + 500),
      ]);
      return {
        ready: redis === undefined && database === undefined,
        checks: {
          redis: redis === undefined ? 'ok' : `failed: ${redis}`,
          database: database === undefined ? 'ok' : `failed: ${database}`,
        },
        outage: outage.state(),
      };
    },
    run() {
      for (const worker of Object.values(workers)) {
        if (!worker.isRunning())
          void worker.run().catch((error) => logger.error({ err: error }, 'worker stopped'));
      }
    },
    close(timeoutMs = settings.shutdownTimeoutMs) {
      closed ??= (async () => {
        closing = true;
        outage.close();
        const started = Date.now();
        const list = Object.values(workers);
        // 1. Stop fetching (jobs in flight keep running).
        await Promise.all(list.map((worker) => worker.pause(true)));
        // 2. Wait for them, within the bound.
        let timer: NodeJS.Timeout | undefined;
        let drained =
          active === 0 ||
          (await Promise.race([
            new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true))),
            new Promise<boolean>((resolve) => {
              timer = setTimeout(() => resolve(false), timeoutMs);
            }),
          ]));
        if (timer) clearTimeout(timer);
        if (!drained) {
          logger.warn(
            { abandoned: active, timeoutMs },
            'shutdown timeout: force-closing; unfinished jobs return to the queue as stalled',
          );
        }
        // 3. Close: nothing left to wait for when drained (a job fetched just before the pause may still
        //    start; it gets the rest of the bound), force otherwise.
        const closingWorkers = Promise.allSettled(list.map((worker) => worker.close(!drained)));
        const remainingMs = Math.max(1_000, timeoutMs - (Date.now() - started));
        let closeTimer: NodeJS.Timeout | undefined;
        const results = await Promise.race([
          closingWorkers,
          new Promise<null>((resolve) => {
            closeTimer = setTimeout(() => resolve(null), remainingMs);
          }),
        ]);
        if (closeTimer) clearTimeout(closeTimer);
        if (results === null) {
          drained = false;
          logger.warn(
            { abandoned: active },
            'workers did not close within the bound; their jobs return to the queue as stalled',
          );
        } else {
          for (const result of results) {
            if (result.status === 'rejected') logger.warn({ err: result.reason }, 'closing a worker failed');
          }
        }
        const abandoned = drained ? 0 : Math.max(active, 1);
        // Meta's last usage reports are sent without waiting for their answers: let them land (bounded:
        // with Redis gone they never would).
        const unsettled = await answered(feedback.settled(), FEEDBACK_SETTLE_MS);
        if (unsettled) logger.warn({ problem: unsettled }, 'the last usage reports were not answered');
        await closeQueues(queueList()).catch((error) => logger.warn({ err: error }, 'closing queues failed'));
        if (ownsMeta) {
          // New calls fail at once; after a force-close the abandoned calls are not waited for.
          const closingMeta = meta.close().catch(() => {});
          if (drained) await closingMeta;
        }
        return { drained, abandoned };
      })();
      return closed;
    },
  };
}
