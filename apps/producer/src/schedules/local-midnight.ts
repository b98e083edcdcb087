/**
 * @module local-midnight
 * "Soon after each account's own midnight", for every client, without a cron per client.
 *
 * Accounts live from Auckland to Los Angeles: yesterday ends 22 hours apart for them, so one nightly cron at
 * 02:30 Warsaw collects Auckland's yesterday hours late and Los Angeles' before it has ended. Instead ONE
 * scheduler ticks every LOCAL_TICK_MINUTES (a divisor of 60, so zones at :30 and :45 offsets are met too),
 * and each tick, per task scheduled `local`:
 *
 * 1. pages through the task's eligible clients with their ad account's time zone (the newest validation
 *    that reported one; SCHEDULE_TZ until a validation did), one request per page for the zones;
 * 2. computes each client's due day: the local date at (tick time − LOCAL_MIDNIGHT_DELAY_MINUTES), which is
 *    the day whose midnight plus the delay has passed (DST-safe: instant arithmetic, then the zone);
 * 3. compares it with the last day it ran for that client (a Redis hash per task under the control prefix):
 *    a later day → the client is due; the tick fans out one run of the task for the due clients and then
 *    records their day. A client the schedule has never seen is recorded without a run (its first run is at
 *    its next local midnight; `enqueue` runs it at once), so turning the schedule on does not start every
 *    client at once.
 *
 * So every client's day lands within [midnight + delay, midnight + delay + tick), exactly once per local day,
 * and a tick missed while no producer ran is caught up by the next one. Cache rollovers: with
 * LOCAL_ROLLOVER_REFRESH, refresh-cache also runs on the due day when it starts an ISO week (Monday) or a
 * month (the 1st), so a new period's cache row exists soon after the account's rollover, not up to two hours
 * later. The summaries task is `local` by default too: the worker closes the period that just ended and
 * re-collects on its days.
 *
 * The due-day rule and the plan are pure (`dueLocalDate`, `planLocalRuns`); `runLocalTick` does the I/O.
 */
import { randomBytes } from 'node:crypto';
import type { ClientTask, RedisClient } from '@meta-engine/queue';
import type { Logger } from 'pino';
import type { LocalSchedule } from '../config.ts';
import { localNow } from '../console/local-time.ts';
import { type FanoutDeps, fanOut } from '../fanout/fan-out.ts';
import { compactUtc } from '../fanout/run-id.ts';

/** The job name of the tick on the fanout queue. */
export const LOCAL_TICK_JOB = 'local-tick';
/** The tick's scheduler id. */
export const LOCAL_SCHEDULER_ID = 'schedule-local-midnight';

/** One thing the tick runs: a task, every local day or only on rollover days. */
export interface LocalLane {
  /** State key suffix (the task, or `refresh-cache-rollover`). */
  key: string;
  task: ClientTask;
  /** Rollover lanes run only when the due day starts an ISO week or a month. */
  rolloverOnly: boolean;
}

/** The lanes of a schedule: each `local` task, and the rollover refresh unless refresh-cache is daily. */
export function localLanes(schedule: Pick<LocalSchedule, 'tasks' | 'rolloverRefresh'>): LocalLane[] {
  const lanes: LocalLane[] = schedule.tasks.map((task) => ({ key: task, task, rolloverOnly: false }));
  if (schedule.rolloverRefresh && !schedule.tasks.includes('refresh-cache')) {
    lanes.push({ key: 'refresh-cache-rollover', task: 'refresh-cache', rolloverOnly: true });
  }
  return lanes;
}

/**
 * The account-local date whose midnight plus `delayMinutes` has passed at `now`.
 *
 * @example
 * // Auckland (UTC+13) at 2026-12-02 00:20 local: midnight + 30 min has not passed yet.
 * dueLocalDate(new Date('2026-12-01T11:20:00Z'), 'Pacific/Auckland', 30) // '2026-12-01'
 * dueLocalDate(new Date('2026-12-01T11:30:00Z'), 'Pacific/Auckland', 30) // '2026-12-02'
 */
export function dueLocalDate(now: Date, timeZone: string, delayMinutes: number): string {
  return localNow(new Date(now.getTime() - delayMinutes * 60_000), timeZone).date;
}

/** Monday (a new ISO week) or the 1st (a new month): the caches' rollovers. */
export function isRolloverDay(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`);
  return day.getUTCDay() === 1 || day.getUTCDate() === 1;
}

export interface LocalClient {
  id: string;
  timeZone: string | null;
}

export interface LocalPlan {
  /** Clients whose day is due: run the task for them, then record `day`. */
  due: Array<{ id: string; day: string }>;
  /** Days to record without a run (first sighting, or a day that is not a rollover for a rollover lane). */
  record: Array<{ id: string; day: string }>;
}

/**
 * What one page of clients needs this tick (pure): `last` is the last day recorded per client id.
 *
 * @example
 * planLocalRuns(lane, clients, new Map([[id, '2026-11-30']]), { now, delayMinutes: 30, fallbackTimeZone: 'Europe/Warsaw' })
 */
export function planLocalRuns(
  lane: LocalLane,
  clients: readonly LocalClient[],
  last: ReadonlyMap<string, string | null>,
  options: { now: Date; delayMinutes: number; fallbackTimeZone: string },
): LocalPlan {
  const plan: LocalPlan = { due: [], record: [] };
  for (const client of clients) {
    let day: string;
    try {
      day = dueLocalDate(options.now, client.timeZone ?? options.fallbackTimeZone, options.delayMinutes);
    } catch {
      // A zone Intl does not know: the fallback zone rather than no schedule at all.
      day = dueLocalDate(options.now, options.fallbackTimeZone, options.delayMinutes);
    }
    const previous = last.get(client.id) ?? null;
    if (previous === null) plan.record.push({ id: client.id, day });
    else if (previous < day) {
      if (lane.rolloverOnly && !isRolloverDay(day)) plan.record.push({ id: client.id, day });
      else plan.due.push({ id: client.id, day });
    }
  }
  return plan;
}

/** The run id of a lane's tick: `local-<task>-<UTC time>` (`-rollover` for the rollover lane). */
export function localRunId(lane: LocalLane, plannedFor: Date): string {
  return `local-${lane.task}-${compactUtc(plannedFor)}${lane.rolloverOnly ? '-rollover' : ''}`;
}

export interface LocalTickDeps {
  fanout: FanoutDeps;
  redis: RedisClient;
  /** The control key prefix (`meta:control`): state hashes `<prefix>:local-day:<lane>`. */
  keyPrefix: string;
  schedule: LocalSchedule;
  logger?: Logger | undefined;
}

export interface LocalTickResult {
  plannedFor: string;
  lanes: Array<{ lane: string; runId: string | null; due: number; recorded: number; skipped?: string }>;
}

const LOCK_TTL_MS = 5 * 60_000;

/** One tick (see the module comment). `plannedFor` is the time the scheduler planned the tick for. */
export async function runLocalTick(deps: LocalTickDeps, plannedFor: Date): Promise<LocalTickResult> {
  const { directory } = deps.fanout;
  if (!directory.timeZones) throw new Error('the client directory cannot read time zones');
  const result: LocalTickResult = { plannedFor: plannedFor.toISOString(), lanes: [] };
  for (const lane of localLanes(deps.schedule)) {
    const stateKey = `${deps.keyPrefix}:local-day:${lane.key}`;
    const lockKey = `${stateKey}:lock`;
    const owner = randomBytes(8).toString('hex');
    // One producer per lane at a time (two producers may process two ticks at once).
    if ((await deps.redis.set(lockKey, owner, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
      result.lanes.push({ lane: lane.key, runId: null, due: 0, recorded: 0, skipped: 'locked' });
      continue;
    }
    try {
      const due: Array<{ id: string; day: string }> = [];
      let recorded = 0;
      let after: string | null = null;
      for (;;) {
        const page = await directory.pageEligibleClients(lane.task, after, deps.fanout.pageSize);
        if (page.lastId === null) break;
        const ids = page.clients.map((c) => c.id);
        if (ids.length > 0) {
          const zones = await directory.timeZones(ids);
          const stored = await deps.redis.hmget(stateKey, ...ids);
          const last = new Map(ids.map((id, i) => [id, stored[i] ?? null]));
          const plan = planLocalRuns(
            lane,
            ids.map((id) => ({ id, timeZone: zones.get(id) ?? null })),
            last,
            {
              now: plannedFor,
              delayMinutes: deps.schedule.delayMinutes,
              fallbackTimeZone: deps.schedule.fallbackTimeZone,
            },
          );
          if (plan.record.length > 0) {
            await deps.redis.hset(stateKey, Object.fromEntries(plan.record.map((r) => [r.id, r.day])));
            recorded += plan.record.length;
          }
          due.push(...plan.due);
        }
        after = page.lastId;
        if (page.rows < deps.fanout.pageSize) break;
      }
      let runId: string | null = null;
      if (due.length > 0) {
        runId = localRunId(lane, plannedFor);
        await fanOut(deps.fanout, {
          runId,
          task: lane.task,
          trigger: 'schedule',
          clientIds: due.map((d) => d.id),
        });
        // Recorded only once the jobs are added: a failed fan-out is tried again by the next tick.
        await deps.redis.hset(stateKey, Object.fromEntries(due.map((d) => [d.id, d.day])));
      }
      result.lanes.push({ lane: lane.key, runId, due: due.length, recorded });
      if (due.length > 0) {
        deps.logger?.info(
          { lane: lane.key, runId, due: due.length, plannedFor: result.plannedFor },
          'local-midnight runs enqueued',
        );
      }
    } finally {
      if ((await deps.redis.get(lockKey)) === owner) await deps.redis.del(lockKey);
    }
  }
  return result;
}
