/**
 * @module @meta-engine/worker
 * The BullMQ workers of the Meta Ads collection engine (validate, refresh-cache, collect-insights), as an
 * embeddable app: `startWorker(config)` from the environment's configuration, or `createWorkerApp(deps)`
 * from ready dependencies. `main.ts` is the process (signals, exit codes); nothing here exits.
 */

export { loadConfig, type WorkerConfig } from './config.ts';

export type { MetaLimiter, WorkerRepository } from './ports.ts';
export { createCollectInsightsProcessor } from './processors/collect-insights.ts';
export { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from './processors/context.ts';

export { ParkedError } from './processors/park.ts';
export { createRefreshCacheProcessor } from './processors/refresh-cache.ts';
export { createValidateProcessor, VALIDATE_FIELDS } from './processors/validate.ts';
export { startHealthServer } from './runtime/http-server.ts';
export { createLogger } from './runtime/logger.ts';
export { createWorkerMetrics, type WorkerMetrics } from './runtime/metrics.ts';

export { type RunningWorker, StartupError, type StartWorkerOptions, startWorker } from './start-worker.ts';
export {
  createWorkerApp,
  resolveWorkerSettings,
  type WorkerApp,
  type WorkerAppOptions,
  type WorkerSettingsInput,
} from './worker-app.ts';
