/**
 * @module collect-status
 * One snapshot of what operators ask about: queue counts and pauses, schedulers, token state, throttled
 * accounts, recent runs. Used by `producer status` and by `/metrics`. Each section is read on its own,
 * so an unreachable database still leaves the queue sections (and says what failed).
 */
import type { Queue } from 'bullmq';
import type { RunRecord, RunStore } from '../fanout/run-store.ts';
import type {
  PauseControl,
  QueuePauseState,
  ThrottleList,
  ThrottleReader,
  TokenStateStore,
  TokenStateView,
} from '../ports.ts';
import { listSchedulers, type SchedulerView } from '../schedules/sync-schedulers.ts';

/** BullMQ 6 job states (getJobCounts keys); there is no `paused` state any more. */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
  'waiting-children',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueStatus {
  name: string;
  counts: Record<JobState, number>;
  pause: QueuePauseState;
}

export type Section<T> = { ok: true; value: T } | { ok: false; error: string };

export interface StatusSnapshot {
  queues: Section<QueueStatus[]>;
  schedulers: Section<SchedulerView[]>;
  token: Section<{ stored: TokenStateView | null; rotatedTo: string | null; configured: string | null }>;
  throttled: Section<ThrottleList>;
  runs: Section<RunRecord[]>;
}

export interface StatusDeps {
  queues: readonly Queue[];
  fanoutQueue: Queue;
  pauses: PauseControl;
  tokenState: TokenStateStore;
  throttles: ThrottleReader;
  runs: RunStore;
  /** Fingerprint of the configured token, when one is configured. */
  configuredFingerprint: string | null;
}

export interface StatusOptions {
  throttledLimit?: number;
  recentRuns?: number;
}

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function collectStatus(deps: StatusDeps, options: StatusOptions = {}): Promise<StatusSnapshot> {
  const [queues, schedulers, token, throttled, runs] = await Promise.all([
    section(async () => {
      const [counts, pauses] = await Promise.all([
        Promise.all(deps.queues.map((q) => q.getJobCounts(...JOB_STATES))),
        deps.pauses.states(),
      ]);
      return deps.queues.map((queue, i) => ({
        name: queue.name,
        counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[i]?.[s] ?? 0])) as Record<
          JobState,
          number
        >,
        pause: pauses.find((p) => p.queue === queue.name) ?? {
          queue: queue.name,
          paused: false,
          reason: null,
          detail: null,
          since: null,
        },
      }));
    }),
    section(() => listSchedulers(deps.fanoutQueue)),
    section(async () => {
      const [stored, rotatedTo] = await Promise.all([
        deps.tokenState.latest(),
        deps.tokenState.lastRotatedFingerprint(),
      ]);
      return { stored, rotatedTo, configured: deps.configuredFingerprint };
    }),
    section(() => deps.throttles.listThrottled(options.throttledLimit ?? 20)),
    section(async () => ((options.recentRuns ?? 5) > 0 ? deps.runs.recent(options.recentRuns ?? 5) : [])),
  ]);
  return { queues, schedulers, token, throttled, runs };
}
