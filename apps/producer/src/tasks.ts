/**
 * @module tasks
 * The kinds of work the producer fans out, and the producer's own queue. The task list is the queue
 * package's `CLIENT_TASKS` (one place for producer, worker, CLI, HTTP API, schedules and Bull Board): a task
 * added there appears here with nothing to copy.
 */
import { CLIENT_TASKS, type ClientTask } from '@meta-engine/queue';

export const TASKS = CLIENT_TASKS;
export type Task = ClientTask;

/** The producer's queue: scheduler ticks and on-demand run requests land here. */
export const FANOUT_QUEUE = 'fanout';

export const ALL_QUEUES = [...TASKS, FANOUT_QUEUE] as const;
export type QueueName = (typeof ALL_QUEUES)[number];

export function isTask(value: string): value is Task {
  return (TASKS as readonly string[]).includes(value);
}

/** Environment variable suffix of a task: `refresh-cache` -> `REFRESH_CACHE`. */
export function taskEnvName(task: Task): string {
  return task.toUpperCase().replaceAll('-', '_');
}

/**
 * What started a run (the values of the queue package's fan-out `trigger`). Lower BullMQ priority numbers
 * run first, and jobs without a priority would run before every prioritized job, so every job the
 * producer adds carries one of these priorities.
 */
export const TRIGGERS = ['rotation', 'cli', 'api', 'schedule'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const PRIORITY: Record<Trigger, number> = {
  /** Re-validation after a token rotation goes ahead of everything already queued. */
  rotation: 1,
  /** An operator asked for it (CLI, admin API, the app's "Test All Tokens" button). */
  cli: 5,
  api: 5,
  schedule: 10,
};
