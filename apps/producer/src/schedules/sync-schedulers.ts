/**
 * @module sync-schedulers
 * BullMQ job schedulers on the `fanout` queue, one per task, with deterministic ids (`schedule-<task>`).
 * `syncSchedulers` makes Redis match the configuration: upserts configured tasks (a changed pattern or
 * time zone replaces the scheduler and its next tick), removes tasks that are "off" and any leftover
 * `schedule-*` scheduler. `upsertJobScheduler` is one atomic script keyed by the id, so producers
 * starting together still leave exactly one scheduler per task.
 *
 * The local-midnight tick (`schedule-local-midnight`, every LOCAL_TICK_MINUTES in UTC) is one more scheduler
 * on the same queue, present while some task is scheduled `local` or the rollover refresh is on.
 */

import { CLIENT_TASKS, type ClientTask, defaultJobOptionsFor } from '@meta-engine/queue';
import type { Queue } from 'bullmq';
import type { LocalSchedule, Schedule } from '../config.ts';
import { TICK_JOB, tickTemplateData } from '../fanout/fanout-jobs.ts';
import { LOCAL_SCHEDULER_ID, LOCAL_TICK_JOB, localLanes } from './local-midnight.ts';

const ID_PREFIX = 'schedule-';

export function schedulerIdFor(task: ClientTask): string {
  return `${ID_PREFIX}${task}`;
}

export interface SchedulerView {
  id: string;
  task: ClientTask | null;
  pattern: string | null;
  tz: string | null;
  /** Next tick (ms since epoch), when BullMQ has planned one. */
  next: number | null;
}

export interface SyncReport {
  upserted: ClientTask[];
  removed: string[];
}

/** The tick's cron pattern: every `minutes` minutes from the top of the hour, in UTC. */
export function localTickPattern(minutes: number): string {
  return minutes >= 60 ? '0 * * * *' : `*/${minutes} * * * *`;
}

export async function syncSchedulers(
  fanoutQueue: Queue,
  schedules: Record<ClientTask, Schedule | null>,
  local?: LocalSchedule,
): Promise<SyncReport & { local: boolean }> {
  const report: SyncReport & { local: boolean } = { upserted: [], removed: [], local: false };
  const wantsLocal = local !== undefined && localLanes(local).length > 0;
  if (wantsLocal) {
    await fanoutQueue.upsertJobScheduler(
      LOCAL_SCHEDULER_ID,
      { pattern: localTickPattern(local.tickMinutes), tz: 'UTC' },
      { name: LOCAL_TICK_JOB, data: {}, opts: defaultJobOptionsFor('fanout') },
    );
    report.local = true;
  }
  for (const task of CLIENT_TASKS) {
    const schedule = schedules[task];
    const id = schedulerIdFor(task);
    if (schedule) {
      await fanoutQueue.upsertJobScheduler(
        id,
        { pattern: schedule.pattern, tz: schedule.tz },
        { name: TICK_JOB, data: tickTemplateData(task), opts: defaultJobOptionsFor('fanout') },
      );
      report.upserted.push(task);
    } else if (await fanoutQueue.removeJobScheduler(id)) {
      report.removed.push(id);
    }
  }
  const wanted = new Set(CLIENT_TASKS.filter((t) => schedules[t]).map(schedulerIdFor));
  if (wantsLocal) wanted.add(LOCAL_SCHEDULER_ID);
  for (const scheduler of await listSchedulers(fanoutQueue)) {
    if (
      scheduler.id.startsWith(ID_PREFIX) &&
      !wanted.has(scheduler.id) &&
      !report.removed.includes(scheduler.id)
    ) {
      if (await fanoutQueue.removeJobScheduler(scheduler.id)) report.removed.push(scheduler.id);
    }
  }
  return report;
}

export async function listSchedulers(fanoutQueue: Queue): Promise<SchedulerView[]> {
  const schedulers = await fanoutQueue.getJobSchedulers(0, -1, true);
  return schedulers.map((s) => {
    const id = s.id ?? s.key;
    const task = CLIENT_TASKS.find((t) => schedulerIdFor(t) === id) ?? null;
    return { id, task, pattern: s.pattern ?? null, tz: s.tz ?? null, next: s.next ?? null };
  });
}
