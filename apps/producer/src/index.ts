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

export { waitForRun } from './cli/progress.ts';
export { EXIT, UsageError } from './cli/usage-error.ts';

export { loadConfig, type ProducerConfig } from './config.ts';

export { type RunProgress, RunStore } from './fanout/run-store.ts';
export { requestRun, startRunInline } from './fanout/start-run.ts';
export { type AdminAppDeps, createAdminApp } from './http/app.ts';

export { type RotationOutcome, rotateIfChanged } from './rotation/rotate.ts';
export { createRotationFollower } from './rotation/rotation-follower.ts';
export { openRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
export { syncSchedulers } from './schedules/sync-schedulers.ts';
export { type ProducerService, startProducerService } from './service.ts';
export { collectStatus, type StatusSnapshot } from './status/collect-status.ts';
