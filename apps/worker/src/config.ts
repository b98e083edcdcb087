/**
 * @module config
 * The worker's configuration, read once from the environment in main.ts (`loadConfig(process.env)`) with
 * the shared field helpers of `@meta-engine/runtime`, so every variable the producer also reads means the
 * same thing here (same trimming, same messages). Nothing else reads process.env. A missing or malformed
 * value throws the runtime's ConfigError: one line per problem, `VARIABLE: problem`.
 */
import { clusterPrefixRule, DEFAULT_QUEUE_PREFIX, resolveQueuePrefix } from '@meta-engine/queue';
import {
  type Env,
  field,
  parseEnv,
  REDIS_FIELDS,
  REDIS_RULE,
  type RedisServers,
  redisServersFrom,
  rule,
  SUPABASE_FIELDS,
  secretsFromEnv,
  TOKEN_FIELDS,
} from '@meta-engine/runtime';
import { z } from 'zod';

/**
 * Same development default as apps/producer, so both sides fingerprint a token identically out of the box;
 * set TOKEN_FINGERPRINT_KEY in production.
 */
export const DEFAULT_FINGERPRINT_KEY = 'meta-engine-fingerprint';

/** `5,8,11,15,28`: distinct whole numbers from `min` to `max`, sorted (for field.checked). */
export function integerList(min: number, max: number): (raw: string) => number[] {
  return (raw) => {
    const values = raw.split(',').map((part) => part.trim());
    if (values.some((value) => !/^\d+$/.test(value))) {
      throw new Error(
        `expected comma-separated whole numbers from ${min} to ${max}, got ${JSON.stringify(raw)}`,
      );
    }
    const numbers = [...new Set(values.map(Number))].sort((a, b) => a - b);
    const outside = numbers.find((n) => n < min || n > max);
    if (outside !== undefined) throw new Error(`${outside} is outside ${min}-${max}`);
    return numbers;
  };
}

const schema = z.object({
  ...REDIS_FIELDS,
  ...SUPABASE_FIELDS,
  ...TOKEN_FIELDS,
  META_APP_SECRET: field.secret({ hint: 'the Meta app secret' }).optional(),
  META_GRAPH_URL: field.url({ protocols: ['http:', 'https:'] }).default('https://graph.facebook.com'),
  META_API_VERSION: field.matching(/^v\d+\.\d+$/, 'a Graph API version such as v26.0').default('v26.0'),
  META_ACCESS_TIER: field.oneOf(['development', 'standard']).default('development'),
  META_REQUEST_TIMEOUT_MS: field.durationMs().default(30_000),
  META_RETRY_LIMIT: field.integer({ min: 0, max: 10 }).default(2),
  /** Keep-alive connections to the Graph API; below the sum of the queue concurrencies it caps throughput. */
  META_MAX_CONNECTIONS: field.integer({ min: 1, max: 1000 }).default(64),
  /** Sandbox only: Meta time runs this many times faster than real time (divides Meta's hour and its wait times). */
  META_TIME_SCALE: field.number({ above: 0, max: 1e7 }).default(1),
  TOKEN_FINGERPRINT_KEY: field
    .secret({ minLength: 8, hint: 'the HMAC key of the token fingerprint' })
    .optional(),
  /** How often META_ACCESS_TOKEN_FILE is re-read and the announced token checked, besides the events. */
  TOKEN_POLL_INTERVAL_MS: field.durationMs({ min: 100 }).default(10_000),
  QUEUE_PREFIX: field.checked(resolveQueuePrefix).default(DEFAULT_QUEUE_PREFIX),
  CONCURRENCY_VALIDATE: field.integer({ min: 1 }).default(20),
  CONCURRENCY_REFRESH_CACHE: field.integer({ min: 1 }).default(10),
  CONCURRENCY_COLLECT_INSIGHTS: field.integer({ min: 1 }).default(10),
  CONCURRENCY_SUMMARIES: field.integer({ min: 1 }).default(10),
  CONCURRENCY_DRIFT_CHECK: field.integer({ min: 1 }).default(5),
  ACCOUNT_CONCURRENCY: field.integer({ min: 0 }).default(2),
  /** Share of each learned Meta quota the limiter books (the rest is margin for the app and other tools). */
  LIMITER_SAFETY_FACTOR: field.ratio().default(0.9),
  /** A Meta call that must wait up to this long waits inside its job; a longer wait parks the job. */
  META_INLINE_WAIT_MS: field.durationMs().default(2_000),
  /** A job parked this many times for Meta's limits without getting further ends (gave_up_waiting). */
  JOB_MAX_PARKS: field.integer({ min: 1 }).default(50),
  /** ... or parked this long without getting further (default: one day of Meta time). */
  JOB_MAX_WAIT_MS: field.durationMs().optional(),
  ACCOUNT_LEASE_TTL_MS: field.durationMs().default(600_000),
  WORKER_LOCK_DURATION_MS: field.durationMs().default(60_000),
  WORKER_STALLED_INTERVAL_MS: field.durationMs().default(30_000),
  WORKER_MAX_STALLED_COUNT: field.integer({ min: 1 }).default(2),
  INSIGHTS_LOOKBACK_DAYS: field.integer({ min: 0, max: 28 }).default(28),
  INSIGHTS_BACKFILL_DAYS: field.integer({ min: 1, max: 1123 }).default(90),
  INSIGHTS_ASYNC_THRESHOLD_DAYS: field.integer({ min: 1 }).default(62),
  ASYNC_POLL_INTERVAL_MS: field.durationMs().default(5_000),
  ASYNC_MAX_POLL_INTERVAL_MS: field.durationMs().default(60_000),
  ASYNC_MAX_WAIT_MS: field.durationMs().default(3_600_000),
  REFRESH_AD_RELEVANCE: field.boolean().default(true),
  // campaign_summaries: horizon (within Meta's 37 months), pieces, re-collection of what Meta may restate.
  SUMMARIES_BACKFILL_MONTHS: field.integer({ min: 1, max: 36 }).default(12),
  SUMMARIES_BACKFILL_WEEKS: field.integer({ min: 1, max: 160 }).default(54),
  SUMMARIES_PIECE_MONTHS: field.integer({ min: 1, max: 36 }).default(6),
  SUMMARIES_PIECE_WEEKS: field.integer({ min: 1, max: 160 }).default(27),
  SUMMARIES_RESTATEMENT_DAYS: field.integer({ min: 0, max: 400 }).default(28),
  SUMMARIES_RECOLLECT_DAYS: field.checked(integerList(1, 31)).default([5, 8, 11, 15, 28]),
  SUMMARIES_RECOLLECT_WEEKDAYS: field.checked(integerList(1, 7)).default([1]),
  POLICY_PARK_MS: field.durationMs().default(3_600_000),
  WORKER_HTTP_HOST: field.text().default('127.0.0.1'),
  WORKER_HTTP_PORT: field.port().default(9464),
  SHUTDOWN_TIMEOUT_MS: field.durationMs().default(25_000),
  LOG_LEVEL: field.logLevel().default('info'),
});

const RULES = [
  REDIS_RULE,
  clusterPrefixRule,
  rule.anyOf(['META_ACCESS_TOKEN', 'META_ACCESS_TOKEN_FILE']),
  rule.atMostOne(['META_ACCESS_TOKEN', 'META_ACCESS_TOKEN_FILE']),
];

type Parsed = z.output<typeof schema>;

export type WorkerConfig = Omit<
  Parsed,
  | 'REDIS_URL'
  | 'REDIS_CLUSTER_NODES'
  | 'META_ACCESS_TOKEN'
  | 'META_ACCESS_TOKEN_FILE'
  | 'TOKEN_FINGERPRINT_KEY'
> & {
  /** From META_ACCESS_TOKEN, or read from the file META_ACCESS_TOKEN_FILE names. */
  META_ACCESS_TOKEN: string;
  /** META_ACCESS_TOKEN_FILE when the token came from a file (re-read when it changes), else undefined. */
  metaAccessTokenFile: string | undefined;
  TOKEN_FINGERPRINT_KEY: string;
  /** REDIS_URL / REDIS_CLUSTER_NODES. */
  redis: RedisServers;
  /**
   * What logs and stored error messages must never contain (runtime's secretsFromEnv). A live list: a
   * token read later from META_ACCESS_TOKEN_FILE is added to it.
   */
  secrets: string[];
};

/** Parses the environment; throws ConfigError (one line per problem) when something is missing or malformed. */
export function loadConfig(env: Env): WorkerConfig {
  const values = parseEnv(schema, env, RULES);
  const { REDIS_URL, REDIS_CLUSTER_NODES, META_ACCESS_TOKEN_FILE, TOKEN_FINGERPRINT_KEY, ...rest } = values;
  // RULES guarantee exactly one of META_ACCESS_TOKEN / META_ACCESS_TOKEN_FILE.
  const token = (values.META_ACCESS_TOKEN ?? META_ACCESS_TOKEN_FILE?.value) as string;
  return {
    ...rest,
    META_ACCESS_TOKEN: token,
    metaAccessTokenFile: META_ACCESS_TOKEN_FILE?.path,
    TOKEN_FINGERPRINT_KEY: TOKEN_FINGERPRINT_KEY ?? DEFAULT_FINGERPRINT_KEY,
    redis: redisServersFrom({ REDIS_URL, REDIS_CLUSTER_NODES }),
    secrets: secretsFromEnv(env, { META_ACCESS_TOKEN: token }),
  };
}
