/**
 * @module run-store
 * Runs in Redis, next to the queues (same key prefix, so the same Redis Cluster hash tag):
 *
 * - `<prefix>:producer:run:<runId>`        hash: task, trigger, status, created, skipped, times, error
 * - `<prefix>:producer:run:<runId>:jobs`   sorted set of the job ids the run waits for (its own jobs, and
 *                                          the pending jobs of other runs its deduplication pointed at)
 * - `<prefix>:producer:run:<runId>:rejected` set of client ids left out (invalid payload)
 * - `<prefix>:producer:run:<runId>:paused`   set of client ids left out because an operator paused them
 * - `<prefix>:producer:runs`               sorted set runId -> start time, for listings
 *
 * Progress is computed, not counted: the worker is not asked to report anything. `progress()` walks the
 * run's job ids 1,000 at a time with a read-only script that looks each id up in the queue's completed,
 * failed, delayed and prioritized sets (O(1) each), the short active list and the job hash. 10,000 jobs
 * cost 10 script calls of about a millisecond each per poll, and the answer stays right when workers crash,
 * jobs are retried from Bull Board or QueueEvents' stream has been trimmed.
 */
import { type ClientTask, createScriptSet, type RedisClient, type RunTrigger } from '@meta-engine/queue';
import type { Queue } from 'bullmq';

/** `lua/<name>-<numkeys>.lua`, registered once per Redis client (EVALSHA) by the queue package's loader. */
const SCRIPTS = createScriptSet(`${import.meta.dirname}/lua`, ['record-chunk', 'run-progress'], 'run store');

const SLICE = 1000;

export const RUN_STATUSES = ['pending', 'fanning-out', 'enqueued', 'failed'] as const;
/** pending: accepted, fan-out not started; fanning-out; enqueued: every job added; failed: fan-out failed. */
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunRecord {
  runId: string;
  task: ClientTask;
  trigger: RunTrigger;
  status: RunStatus;
  /** True for "every eligible client"; false for an explicit client list. */
  all: boolean;
  /** Number of clients asked for (explicit lists), or null for all. */
  requested: number | null;
  since: string | null;
  until: string | null;
  /** Jobs this run added. */
  created: number;
  /** Clients whose job of this task was already pending (another run's job, tracked instead). */
  skipped: number;
  /** Clients left out because the queue package rejected their payload (e.g. no ad account id). */
  rejected: number;
  /** Up to 5 of them, `<clientId>: <reason>`. */
  rejectedSample: string[];
  /** Clients left out because an operator paused them (no jobs until resumed). */
  paused: number;
  /** Up to 5 of them, `<clientId>: paused`. */
  pausedSample: string[];
  createdAt: string;
  startedAt: string | null;
  enqueuedAt: string | null;
  error: string | null;
}

export interface StateCounts {
  completed: number;
  failed: number;
  active: number;
  waiting: number;
  prioritized: number;
  delayed: number;
  /** Jobs gone from Redis (auto-removed after finishing, or deleted by hand). */
  removed: number;
}

export interface RunProgress extends RunRecord {
  /** Jobs tracked by the run (created + skipped). */
  total: number;
  counts: StateCounts;
  /** completed + removed */
  done: number;
  failed: number;
  /** waiting + prioritized + delayed + active */
  pending: number;
  /** Fan-out finished and nothing pending (or the fan-out failed). */
  finished: boolean;
}

export interface NewRun {
  runId: string;
  task: ClientTask;
  trigger: RunTrigger;
  all: boolean;
  requested: number | null;
  since?: string | undefined;
  until?: string | undefined;
}

export interface RunStoreOptions {
  redis: RedisClient;
  prefix: string;
  /** The task queues, to classify a run's jobs by state. */
  queues: Record<ClientTask, Queue>;
  retentionSeconds: number;
  now?: () => Date;
}

export class RunStore {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly queues: Record<ClientTask, Queue>;
  private readonly ttl: number;
  private readonly now: () => Date;

  constructor(options: RunStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.queues = options.queues;
    this.ttl = options.retentionSeconds;
    this.now = options.now ?? (() => new Date());
  }

  private runKey(runId: string): string {
    return `${this.prefix}:producer:run:${runId}`;
  }

  private jobsKey(runId: string): string {
    return `${this.runKey(runId)}:jobs`;
  }

  /** Set of client ids left out of the run (a set, so a re-processed tick counts each once). */
  private rejectedKey(runId: string): string {
    return `${this.runKey(runId)}:rejected`;
  }

  /** Set of paused client ids left out of the run. */
  private pausedKey(runId: string): string {
    return `${this.runKey(runId)}:paused`;
  }

  private get indexKey(): string {
    return `${this.prefix}:producer:runs`;
  }

  /** Creates the run as `pending` unless it exists (a tick processed twice keeps its first record). */
  async create(run: NewRun): Promise<void> {
    const key = this.runKey(run.runId);
    const now = this.now();
    const fields: Record<string, string> = {
      runId: run.runId,
      task: run.task,
      trigger: run.trigger,
      status: 'pending',
      all: run.all ? '1' : '0',
      requested: run.requested === null ? '' : String(run.requested),
      since: run.since ?? '',
      until: run.until ?? '',
      created: '0',
      skipped: '0',
      createdAt: now.toISOString(),
    };
    const isNew = await this.redis.hsetnx(key, 'runId', run.runId);
    if (isNew === 1) {
      await this.redis
        .multi()
        .hset(key, fields)
        .expire(key, this.ttl)
        .zadd(this.indexKey, now.getTime(), run.runId)
        .zremrangebyscore(this.indexKey, '-inf', now.getTime() - this.ttl * 1000)
        .exec();
    }
  }

  /** (Again, for a retried fan-out: an earlier attempt's error is cleared.) */
  async markFanningOut(runId: string): Promise<void> {
    const key = this.runKey(runId);
    await this.redis
      .multi()
      .hset(key, { status: 'fanning-out', startedAt: this.now().toISOString() })
      .hdel(key, 'error')
      .exec();
  }

  async markEnqueued(runId: string): Promise<void> {
    await this.redis.hset(this.runKey(runId), { status: 'enqueued', enqueuedAt: this.now().toISOString() });
  }

  async markFailed(runId: string, error: string): Promise<void> {
    await this.redis.hset(this.runKey(runId), { status: 'failed', error: error.slice(0, 500) });
  }

  /** Counts clients left out of the run and keeps a few of them (id and reason) for operators. */
  async recordRejected(
    runId: string,
    rejected: readonly { clientId: string; problem: string }[],
  ): Promise<void> {
    if (rejected.length === 0) return;
    const key = this.runKey(runId);
    const sample = rejected.slice(0, 5).map((r) => `${r.clientId}: ${r.problem}`.slice(0, 300));
    await this.redis
      .multi()
      .sadd(this.rejectedKey(runId), ...rejected.map((r) => r.clientId))
      .expire(this.rejectedKey(runId), this.ttl)
      .hsetnx(key, 'rejectedSample', JSON.stringify(sample))
      .exec();
  }

  /** Counts paused clients left out of the run and names a few of them (`<clientId>: paused`). */
  async recordPaused(runId: string, clientIds: readonly string[]): Promise<void> {
    if (clientIds.length === 0) return;
    const sample = clientIds.slice(0, 5).map((id) => `${id}: paused`);
    await this.redis
      .multi()
      .sadd(this.pausedKey(runId), ...clientIds)
      .expire(this.pausedKey(runId), this.ttl)
      .hsetnx(this.runKey(runId), 'pausedSample', JSON.stringify(sample))
      .exec();
  }

  /** Records the ids a chunk produced; returns how many were new to the run as created / skipped. */
  async recordChunk(
    runId: string,
    ownIds: readonly string[],
    duplicateIds: readonly string[],
  ): Promise<{ created: number; skipped: number }> {
    const reply = (await SCRIPTS.run(
      this.redis,
      'record-chunk',
      [this.runKey(runId), this.jobsKey(runId)],
      [this.ttl, ownIds.length, ...ownIds, ...duplicateIds],
    )) as [number, number];
    return { created: Number(reply[0]), skipped: Number(reply[1]) };
  }

  async get(runId: string): Promise<RunRecord | null> {
    const [hash, rejected, paused] = await Promise.all([
      this.redis.hgetall(this.runKey(runId)),
      this.redis.scard(this.rejectedKey(runId)),
      this.redis.scard(this.pausedKey(runId)),
    ]);
    return hash.runId ? toRecord(hash, rejected, paused) : null;
  }

  /** Most recent runs first. */
  async recent(limit: number): Promise<RunRecord[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, Math.max(0, limit - 1));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is RunRecord => r !== null);
  }

  async progress(runId: string): Promise<RunProgress | null> {
    const record = await this.get(runId);
    if (!record) return null;
    const queue = this.queues[record.task];
    const keys = queue.keys;
    const counts: StateCounts = {
      completed: 0,
      failed: 0,
      active: 0,
      waiting: 0,
      prioritized: 0,
      delayed: 0,
      removed: 0,
    };
    let total = 0;
    for (let start = 0; ; start += SLICE) {
      const reply = (await SCRIPTS.run(
        this.redis,
        'run-progress',
        [this.jobsKey(runId), keys.completed!, keys.failed!, keys.delayed!, keys.prioritized!, keys.active!],
        [start, start + SLICE - 1, queue.toKey('')],
      )) as number[];
      const [seen = 0, c = 0, f = 0, d = 0, p = 0, a = 0, w = 0, r = 0] = reply.map(Number);
      total += seen;
      counts.completed += c;
      counts.failed += f;
      counts.delayed += d;
      counts.prioritized += p;
      counts.active += a;
      counts.waiting += w;
      counts.removed += r;
      if (seen < SLICE) break;
    }
    const pending = counts.waiting + counts.prioritized + counts.delayed + counts.active;
    const done = counts.completed + counts.removed;
    const finished = record.status === 'failed' || (record.status === 'enqueued' && pending === 0);
    return { ...record, total, counts, done, failed: counts.failed, pending, finished };
  }
}

function toRecord(hash: Record<string, string>, rejected: number, paused: number): RunRecord {
  const text = (value: string | undefined) => (value ? value : null);
  return {
    runId: hash.runId ?? '',
    task: hash.task as ClientTask,
    trigger: hash.trigger as RunTrigger,
    status: (hash.status ?? 'pending') as RunStatus,
    all: hash.all === '1',
    requested: hash.requested ? Number(hash.requested) : null,
    since: text(hash.since),
    until: text(hash.until),
    created: Number(hash.created ?? 0),
    skipped: Number(hash.skipped ?? 0),
    rejected,
    rejectedSample: parseSample(hash.rejectedSample),
    paused,
    pausedSample: parseSample(hash.pausedSample),
    createdAt: hash.createdAt ?? '',
    startedAt: text(hash.startedAt),
    enqueuedAt: text(hash.enqueuedAt),
    error: text(hash.error),
  };
}

function parseSample(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}
