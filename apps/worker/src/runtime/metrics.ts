import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Worker metrics. Labels are closed sets (queue name, outcome, error category, limiter reason), never an ad
 * account or client id, so cardinality stays bounded with 10,000 accounts.
 */
export interface WorkerMetrics {
  registry: Registry;
  jobs: Counter<'queue' | 'outcome'>;
  metaCalls: Counter<'category'>;
  throttles: Counter<'scope'>;
  limiterWaits: Counter<'reason'>;
  limiterWaitSeconds: Histogram<'reason'>;
  jobSeconds: Histogram<'queue'>;
  /** 1 while this worker holds its queues because its token is behind the announced one. */
  tokenBehind: Gauge;
  /** Times this worker switched to a new token without a restart. */
  tokenSwitches: Counter;
  /** 1 while the dependency answers, 0 during an outage the worker is waiting out. */
  dependencyUp: Gauge<'dependency'>;
}

export function createWorkerMetrics(options: { defaultMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'meta_worker_' });
  return {
    registry,
    jobs: new Counter({
      name: 'meta_worker_jobs_total',
      help: 'Jobs finished by this worker, by queue and outcome (completed, superseded, failed, retried, parked, paused).',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    metaCalls: new Counter({
      name: 'meta_worker_meta_calls_total',
      help: 'Meta Graph API responses, by error category ("ok" for success).',
      labelNames: ['category'],
      registers: [registry],
    }),
    throttles: new Counter({
      name: 'meta_worker_throttle_events_total',
      help: 'Throttle signals acted upon: account (per ad account and use case) or app-wide.',
      labelNames: ['scope'],
      registers: [registry],
    }),
    limiterWaits: new Counter({
      name: 'meta_worker_limiter_waits_total',
      help: 'Jobs parked (handed back to the queue without using an attempt), by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    limiterWaitSeconds: new Histogram({
      name: 'meta_worker_limiter_wait_seconds',
      help: 'How far in the future parked jobs were scheduled.',
      labelNames: ['reason'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: 'meta_worker_job_seconds',
      help: 'Processing time of one job attempt (excluding time parked).',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    tokenBehind: new Gauge({
      name: 'meta_worker_token_behind',
      help: 'Whether this worker holds its queues because its Meta token is behind the announced one (1) or not (0).',
      registers: [registry],
    }),
    tokenSwitches: new Counter({
      name: 'meta_worker_token_switches_total',
      help: 'Times this worker switched to a new Meta token (file re-read) without a restart.',
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'meta_worker_dependency_up',
      help: '1 while the dependency answers; 0 while this worker waits out its outage (not taking jobs).',
      labelNames: ['dependency'],
      registers: [registry],
    }),
  };
}
