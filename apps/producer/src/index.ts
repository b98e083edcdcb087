/**
 * @module @meta-engine/producer
 * What other code (`pnpm demo`, end-to-end tests, benchmarks) reuses of the producer without its CLI.
 *
 * @example
 * const runtime = await openRuntime(loadConfig(process.env));
 * const service = await startProducerService(runtime, { port: 0 });
 * const run = await startRunInline(
 *   { directory: runtime.directory, pageSize: runtime.config.fanout.pageSize, fanout: runtime.fanout },
 *   { task: 'validate' },
 *   'cli',
 * );
 * const final = await waitForRun(runtime, run.runId, { out: process.stdout });
 * await service.close();
 */

export { shortFingerprint, tokenFingerprint } from '@meta-engine/meta-client';
export type { Output } from './cli/output.ts';
export { renderProgressBar, renderProgressLine, renderSummary, waitForRun } from './cli/progress.ts';
export { EXIT, UsageError } from './cli/usage-error.ts';
export { dispatch } from './commands/index.ts';
export {
  type ConfigNeeds,
  DEFAULT_SCHEDULES,
  loadConfig,
  type ProducerConfig,
  type Schedule,
} from './config.ts';
export { type FanoutDeps, type FanoutRequest, type FanoutResult, fanOut } from './fanout/fan-out.ts';
export { processFanoutJob, startFanoutWorker } from './fanout/fanout-jobs.ts';
export { newRunId, tickRunId } from './fanout/run-id.ts';
export { type RunRequest, runRequestSchema, UnknownClientsError } from './fanout/run-request.ts';
export { type RunProgress, type RunRecord, RunStore } from './fanout/run-store.ts';
export { requestRun, startRunInline } from './fanout/start-run.ts';
export { type AdminAppDeps, BULL_BOARD_PATH, createAdminApp } from './http/app.ts';
export { redactSecrets } from './http/redact.ts';
export { startAdminServer } from './http/server.ts';
export type * from './ports.ts';
export { type RotationOutcome, rotateIfChanged } from './rotation/rotate.ts';
export {
  createRotationFollower,
  type RotationFollower,
  type RotationFollowerDeps,
} from './rotation/rotation-follower.ts';
export { openRuntime, type Runtime, type RuntimeOptions, redisTargetFromConfig } from './runtime.ts';
export { listSchedulers, schedulerIdFor, syncSchedulers } from './schedules/sync-schedulers.ts';
export { type ProducerService, startProducerService } from './service.ts';
export { collectStatus, type StatusSnapshot } from './status/collect-status.ts';
export { PRIORITY } from './tasks.ts';
