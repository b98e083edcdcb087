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
 * | meta_producer_freshness_clients               | objective, state |
 * | meta_producer_freshness_oldest_age_seconds    | objective       |
 * | meta_producer_freshness_objective_seconds     | objective       |
 *
 * Freshness (console/freshness.ts): per objective (validation, month_cache, week_cache, insights) the
 * clients meeting it (`state="met"`), not meeting it (`not_met`) and to which it does not apply
 * (`not_applicable`: paused, or not refreshed and collected), the age of the oldest data among the clients
 * it applies to, and the objective itself in seconds (insights: 24 h + the due hour, the age the
 * high-water date may reach before it is late). Computed from one batched read of every client, at most
 * every 30 s.
 */

import type { ClientTask, RunTrigger } from '@meta-engine/queue';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TOKEN_FATAL_REASON } from '../adapters/queue.ts';
import {
  DEFAULT_FRESHNESS,
  type FreshnessObjectives,
  OBJECTIVES,
  type ObjectiveName,
  type ObjectiveSummary,
} from '../console/freshness.ts';
import { JOB_STATES, type StatusSnapshot } from './collect-status.ts';

const TOKEN_STATES = ['ok', 'token_fatal', 'unknown', 'none', 'unavailable'] as const;

export interface ProducerMetrics {
  registry: Registry;
  contentType: string;
  countFanout(task: ClientTask, created: number, skipped: number, rejected: number, paused?: number): void;
  countRun(task: ClientTask, trigger: RunTrigger): void;
  /** Refreshes the gauges from `snapshot` (and the freshness summary, when given), then renders every metric. */
  render(
    snapshot: StatusSnapshot,
    freshness?: Record<ObjectiveName, ObjectiveSummary> | null,
  ): Promise<string>;
}

/** Each objective as a maximum age in seconds (insights: the high-water date may be 24 h + due hour old). */
export function objectiveSeconds(objectives: FreshnessObjectives): Record<ObjectiveName, number> {
  return {
    validation: objectives.validationMaxAgeMs / 1000,
    month_cache: objectives.monthCacheMaxAgeMs / 1000,
    week_cache: objectives.weekCacheMaxAgeMs / 1000,
    insights: (24 + objectives.insightsDueHour) * 3600,
  };
}

export function createProducerMetrics(
  options: { defaultMetrics?: boolean; objectives?: FreshnessObjectives } = {},
): ProducerMetrics {
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
    help: 'Clients handled by fan-out: created (new job), duplicate (a job was pending), rejected, paused (left out)',
    labelNames: ['task', 'outcome'] as const,
    registers: [registry],
  });
  const runs = new Counter({
    name: 'meta_producer_runs_total',
    help: 'Fan-out runs started',
    labelNames: ['task', 'trigger'] as const,
    registers: [registry],
  });

  const freshnessClients = new Gauge({
    name: 'meta_producer_freshness_clients',
    help: 'Clients per freshness objective and state: met, not_met, not_applicable (paused or not served)',
    labelNames: ['objective', 'state'] as const,
    registers: [registry],
  });
  const freshnessOldest = new Gauge({
    name: 'meta_producer_freshness_oldest_age_seconds',
    help: 'Age of the oldest data among the clients an objective applies to (cache row, check, collected day)',
    labelNames: ['objective'] as const,
    registers: [registry],
  });
  const freshnessObjective = new Gauge({
    name: 'meta_producer_freshness_objective_seconds',
    help: 'The freshness objective as a maximum age in seconds',
    labelNames: ['objective'] as const,
    registers: [registry],
  });
  const seconds = objectiveSeconds(options.objectives ?? DEFAULT_FRESHNESS);
  for (const objective of OBJECTIVES) freshnessObjective.set({ objective }, seconds[objective]);

  return {
    registry,
    contentType: registry.contentType,
    countFanout(task, created, skipped, rejected, paused = 0) {
      if (created > 0) fanoutJobs.inc({ task, outcome: 'created' }, created);
      if (skipped > 0) fanoutJobs.inc({ task, outcome: 'duplicate' }, skipped);
      if (rejected > 0) fanoutJobs.inc({ task, outcome: 'rejected' }, rejected);
      if (paused > 0) fanoutJobs.inc({ task, outcome: 'paused' }, paused);
    },
    countRun(task, trigger) {
      runs.inc({ task, trigger });
    },
    async render(snapshot, freshness) {
      if (freshness) {
        for (const objective of OBJECTIVES) {
          const entry = freshness[objective];
          freshnessClients.set({ objective, state: 'met' }, entry.met);
          freshnessClients.set({ objective, state: 'not_met' }, entry.notMet);
          freshnessClients.set({ objective, state: 'not_applicable' }, entry.notApplicable);
          if (entry.oldestAgeSeconds === null) freshnessOldest.remove({ objective });
          else freshnessOldest.set({ objective }, Math.round(entry.oldestAgeSeconds));
        }
      }
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
