/**
 * @module metrics
 * Prometheus metrics of the producer (its own prom-client registry). Gauges are refreshed from a status
 * snapshot at scrape time; counters count fan-out as it happens. Every label has a fixed, small set of
 * values (queue, state, task, trigger, outcome, dependency), never a client or ad account id, so the
 * series count stays the same with 10 or 10,000 clients.
 *
 * | metric                                        | labels          |
 * |-----------------------------------------------|-----------------|
 * | meta_producer_queue_jobs                      | queue, state    |
 * | meta_producer_queue_paused                    | queue           |
 * | meta_producer_queue_paused_token_fatal        | queue           |
 * | meta_producer_job_schedulers                  | -               |
 * | meta_producer_job_scheduler_next_tick_seconds | task            |
 * | meta_producer_token_state                     | state           |
 * | meta_producer_token_rotation_pending          | -               |
 * | meta_producer_throttled_accounts              | -               |
 * | meta_producer_app_throttled                   | -               |
 * | meta_producer_dependency_up                   | dependency      |
 * | meta_producer_fanout_jobs_total               | task, outcome   |
 * | meta_producer_runs_total                      | task, trigger   |
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TOKEN_FATAL_REASON } from '../adapters/queue.ts';
import type { Task, Trigger } from '../tasks.ts';
import { JOB_STATES, type StatusSnapshot } from './collect-status.ts';

const TOKEN_STATES = ['ok', 'token_fatal', 'unknown', 'none', 'unavailable'] as const;

export interface ProducerMetrics {
  registry: Registry;
  contentType: string;
  countFanout(task: Task, created: number, skipped: number, rejected: number): void;
  countRun(task: Task, trigger: Trigger): void;
  /** Refreshes the gauges from `snapshot`, then renders every metric. */
  render(snapshot: StatusSnapshot): Promise<string>;
}

export function createProducerMetrics(options: { defaultMetrics?: boolean } = {}): ProducerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'meta_producer_' });
  const queueJobs = new Gauge({
    name: 'meta_producer_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  });
  const queuePaused = new Gauge({
    name: 'meta_producer_queue_paused',
    help: '1 when the queue is paused',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const queuePausedTokenFatal = new Gauge({
    name: 'meta_producer_queue_paused_token_fatal',
    help: '1 when the queue is paused because the shared token failed (waits for a rotation)',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const schedulers = new Gauge({
    name: 'meta_producer_job_schedulers',
    help: 'Job schedulers on the fanout queue',
    registers: [registry],
  });
  const nextTick = new Gauge({
    name: 'meta_producer_job_scheduler_next_tick_seconds',
    help: 'Next planned tick per task (unix seconds)',
    labelNames: ['task'] as const,
    registers: [registry],
  });
  const tokenState = new Gauge({
    name: 'meta_producer_token_state',
    help: 'Current token state (1 for the current state): ok, token_fatal, unknown, none, unavailable',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  const rotationPending = new Gauge({
    name: 'meta_producer_token_rotation_pending',
    help: '1 when the configured token differs from the one last rotated to (rotate to apply it)',
    registers: [registry],
  });
  const throttled = new Gauge({
    name: 'meta_producer_throttled_accounts',
    help: 'Blocked (ad account, business use case) pairs',
    registers: [registry],
  });
  const appThrottled = new Gauge({
    name: 'meta_producer_app_throttled',
    help: '1 while an app-wide throttle blocks every account',
    registers: [registry],
  });
  const up = new Gauge({
    name: 'meta_producer_dependency_up',
    help: '1 when the last scrape could read the dependency',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const fanoutJobs = new Counter({
    name: 'meta_producer_fanout_jobs_total',
    help: 'Clients handled by fan-out: created (new job), duplicate (a job was pending), rejected',
    labelNames: ['task', 'outcome'] as const,
    registers: [registry],
  });
  const runs = new Counter({
    name: 'meta_producer_runs_total',
    help: 'Fan-out runs started',
    labelNames: ['task', 'trigger'] as const,
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    countFanout(task, created, skipped, rejected) {
      if (created > 0) fanoutJobs.inc({ task, outcome: 'created' }, created);
      if (skipped > 0) fanoutJobs.inc({ task, outcome: 'duplicate' }, skipped);
      if (rejected > 0) fanoutJobs.inc({ task, outcome: 'rejected' }, rejected);
    },
    countRun(task, trigger) {
      runs.inc({ task, trigger });
    },
    async render(snapshot) {
      up.set({ dependency: 'redis' }, snapshot.queues.ok ? 1 : 0);
      up.set({ dependency: 'database' }, snapshot.token.ok ? 1 : 0);
      if (snapshot.queues.ok) {
        for (const queue of snapshot.queues.value) {
          for (const state of JOB_STATES) queueJobs.set({ queue: queue.name, state }, queue.counts[state]);
          queuePaused.set({ queue: queue.name }, queue.pause.paused ? 1 : 0);
          queuePausedTokenFatal.set(
            { queue: queue.name },
            queue.pause.paused && queue.pause.reason === TOKEN_FATAL_REASON ? 1 : 0,
          );
        }
      }
      if (snapshot.schedulers.ok) {
        schedulers.set(snapshot.schedulers.value.length);
        nextTick.reset();
        for (const s of snapshot.schedulers.value) {
          if (s.task && s.next) nextTick.set({ task: s.task }, Math.round(s.next / 1000));
        }
      }
      const state = snapshot.token.ok ? (snapshot.token.value.stored?.status ?? 'none') : 'unavailable';
      for (const s of TOKEN_STATES) {
        tokenState.set(
          { state: s },
          s === state || (s === 'unknown' && !TOKEN_STATES.includes(state as never)) ? 1 : 0,
        );
      }
      if (snapshot.token.ok) {
        const { rotatedTo, stored, configured } = snapshot.token.value;
        const current = rotatedTo ?? stored?.fingerprint ?? null;
        rotationPending.set(configured !== null && configured !== current ? 1 : 0);
      }
      if (snapshot.throttled.ok) {
        throttled.set(snapshot.throttled.value.total);
        appThrottled.set(snapshot.throttled.value.app ? 1 : 0);
      }
      return registry.metrics();
    },
  };
}
