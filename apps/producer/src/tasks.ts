/**
 * @module tasks
 * What the producer adds to the task list it takes from the queue package (`CLIENT_TASKS`, `RUN_TRIGGERS`:
 * one place for producer, worker, CLI, HTTP API, schedules and Bull Board): the environment name of a
 * task and the BullMQ priority of a run's jobs.
 */
import type { ClientTask, RunTrigger } from '@meta-engine/queue';

/** Environment variable suffix of a task: `refresh-cache` -> `REFRESH_CACHE`. */
export function taskEnvName(task: ClientTask): string {
  return task.toUpperCase().replaceAll('-', '_');
}

/**
 * The BullMQ priority of the jobs a run fans out, by trigger. Lower numbers run first, and jobs without a
 * priority would run before every prioritized job, so every job the producer adds carries one of these.
 */
export const PRIORITY: Record<RunTrigger, number> = {
  /** Re-validation after a token rotation goes ahead of everything already queued. */
  rotation: 1,
  /** An operator asked for it (CLI, admin API, the app's "Test All Tokens" button). */
  cli: 5,
  api: 5,
  schedule: 10,
};
