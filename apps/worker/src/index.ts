/**
 * @module @meta-engine/worker
 * The BullMQ workers of the Meta Ads collection engine (validate, refresh-cache, collect-insights), as an
 * embeddable app: `startWorker(config)` from the environment's configuration, or `createWorkerApp(deps)`
 * from ready dependencies. `main.ts` is the process (signals, exit codes); nothing here exits.
 */

export { shortFingerprint, tokenFingerprint } from '@meta-engine/meta-client';
export { Releasers } from '@meta-engine/runtime';
export { BUC, bucForPath } from './buc.ts';
export { loadConfig, type WorkerConfig } from './config.ts';
export {
  appUtilizationPct,
  createMetaFeedback,
  type MetaFeedback,
  type MetaFeedbackDeps,
  scaleMetaMs,
  usageReportsFor,
} from './meta-feedback.ts';
export type { MetaLimiter, WorkerRepository } from './ports.ts';
export {
  type CollectInsightsResult,
  type CollectMode,
  chunkRange,
  createCollectInsightsProcessor,
  planCollectRange,
  pollDelayMs,
} from './processors/collect-insights.ts';
export {
  DEFAULT_WORKER_SETTINGS,
  type JobRun,
  type Processor,
  type ProcessorContext,
  type WorkerSettings,
} from './processors/context.ts';
export { assessDebugToken, REQUIRED_SCOPES, type TokenAssessment } from './processors/debug-token.ts';
export {
  describeFailure,
  type FailureSummary,
  handleJobFailure,
  summarizeFailure,
  TOKEN_FATAL_REASON,
} from './processors/failures.ts';
export { isParkedError, ParkedError, type ParkReason } from './processors/park.ts';
export { createRefreshCacheProcessor, type RefreshCacheResult } from './processors/refresh-cache.ts';
export {
  createValidateProcessor,
  outcomeForAccountStatus,
  outcomeForTokenError,
  VALIDATE_FIELDS,
  type ValidateResult,
} from './processors/validate.ts';
export { startHealthServer } from './runtime/http-server.ts';
export { createLogger } from './runtime/logger.ts';
export { createWorkerMetrics, type WorkerMetrics } from './runtime/metrics.ts';
export { createOutageGate, type OutageGate, type OutageState } from './runtime/outage-gate.ts';
export {
  limiterSettingsFor,
  type RunningWorker,
  redisTargetFromConfig,
  StartupError,
  type StartWorkerOptions,
  startWorker,
  workerSettingsFor,
} from './start-worker.ts';
export {
  createWorkerApp,
  type MetaClientFactory,
  type Readiness,
  resolveWorkerSettings,
  type WorkerApp,
  type WorkerAppOptions,
  type WorkerSettingsInput,
} from './worker-app.ts';
