/**
 * @module run-id
 * Run ids name one fan-out (a scheduler tick, an operator request, a rotation). They go into BullMQ job
 * ids, so they never contain ":" and never are all digits.
 */
import { randomBytes } from 'node:crypto';
import type { ClientTask, RunTrigger } from '@meta-engine/queue';

const KIND: Record<RunTrigger, string> = { schedule: 'tick', cli: 'run', api: 'run', rotation: 'rot' };

/** `20260124T060000Z` */
export function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(/[-:]/g, '');
}

/** A fresh id for an on-demand or rotation run: `run-validate-20260124T060000Z-3f9a1c`. */
export function newRunId(task: ClientTask, trigger: RunTrigger, now: Date = new Date()): string {
  return `${KIND[trigger]}-${task}-${compactUtc(now)}-${randomBytes(3).toString('hex')}`;
}

/**
 * The id of a scheduler tick's run, the same however often the tick job is processed:
 * `tick-validate-20260124T050000Z`, from the time the scheduler planned the tick for.
 */
export function tickRunId(task: ClientTask, scheduledFor: Date): string {
  return `${KIND.schedule}-${task}-${compactUtc(scheduledFor)}`;
}

/**
 * Run ids accepted from outside (URL paths): what newRunId and tickRunId produce, and the local-midnight
 * tick's `local-<task>-<UTC time>[-rollover]` (schedules/local-midnight.ts).
 */
export const RUN_ID_PATTERN = /^(tick|run|rot|local)-[a-z-]+-\d{8}T\d{6}Z(-[0-9a-f]{6}|-rollover)?$/;
