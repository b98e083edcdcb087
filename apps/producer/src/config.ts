/**
 * @module config
 * The producer's configuration, read once from the environment in main.ts (`loadConfig(process.env)`) with
 * the shared field helpers of `@meta-engine/runtime`, so every variable the worker also reads means the
 * same thing here (same trimming, same messages). Nothing else reads process.env. A missing or malformed
 * value throws the runtime's ConfigError: one line per problem, `VARIABLE: problem`, never a secret.
 */
import {
  CLIENT_TASKS,
  type ClientTask,
  clusterPrefixRule,
  DEFAULT_QUEUE_PREFIX,
  resolveQueuePrefix,
} from '@meta-engine/queue';
import {
  type Env,
  type EnvRule,
  field,
  type LogLevel,
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
import type { FreshnessObjectives } from './console/freshness.ts';
import { cronPatternProblem } from './schedules/cron-pattern.ts';
import { taskEnvName } from './tasks.ts';

export interface Schedule {
  /** Cron pattern, 5 or 6 fields. */
  pattern: string;
  /** IANA time zone the pattern is read in. */
  tz: string;
}

/**
 * The local-midnight schedule (schedules/local-midnight.ts): one tick every `tickMinutes` runs each client's
 * `tasks` once per local day, as soon as its ad account's midnight plus `delayMinutes` has passed, without
 * a cron per client.
 */
export interface LocalSchedule {
  /** Tasks whose SCHEDULE_<TASK> is `local`. */
  tasks: ClientTask[];
  /** refresh-cache also right after each account's week (Monday) and month (1st) rollovers. */
  rolloverRefresh: boolean;
  /** LOCAL_MIDNIGHT_DELAY_MINUTES: how long after the account's midnight its day's work is enqueued. */
  delayMinutes: number;
  /** LOCAL_TICK_MINUTES: the tick's period (a divisor of 60): work lands within delay + tick. */
  tickMinutes: number;
  /** The zone of clients no validation has reported a zone for yet (SCHEDULE_TZ). */
  fallbackTimeZone: string;
}

export interface ProducerConfig {
  /** REDIS_URL / REDIS_CLUSTER_NODES. */
  redis: RedisServers;
  supabaseUrl: string;
  supabaseServiceRoleKey: string;
  /**
   * From META_ACCESS_TOKEN or read from META_ACCESS_TOKEN_FILE; undefined when neither is set. Only ever
   * fingerprinted, never logged or stored.
   */
  metaAccessToken: string | undefined;
  /** META_ACCESS_TOKEN_FILE when the token came from a file (`serve` re-reads it when it changes), else undefined. */
  metaAccessTokenFile: string | undefined;
  /** TOKEN_POLL_INTERVAL_MS: how often `serve` re-reads the token file and checks the announced token. */
  tokenPollIntervalMs: number;
  tokenFingerprintKey: string;
  /** True when TOKEN_FINGERPRINT_KEY was not set and the shared development default is in use. */
  tokenFingerprintKeyIsDefault: boolean;
  queuePrefix: string;
  admin: {
    host: string;
    port: number;
    user: string | undefined;
    password: string | undefined;
    readOnly: boolean;
  };
  /**
   * One entry per task: its cron scheduler, or `null` when the task's schedule is "off" or "local" (then no
   * cron scheduler: a removed one is removed at start).
   */
  schedules: Record<ClientTask, Schedule | null>;
  /** The local-midnight schedule (its tick exists when it has tasks or the rollover refresh). */
  local: LocalSchedule;
  fanout: { pageSize: number; chunkSize: number; concurrency: number };
  runRetentionSeconds: number;
  logLevel: LogLevel;
  /**
   * What logs and error messages must never contain (runtime's secretsFromEnv); a live list: a token read
   * later from META_ACCESS_TOKEN_FILE is added to it.
   */
  secrets: string[];
  /** The console's freshness objectives and the freshness gauges (FRESHNESS_*). */
  freshness: FreshnessObjectives;
}

/**
 * Defaults: validation daily, cache refresh every 2 hours (and at each account's week and month rollover),
 * insights and summaries after each account's own midnight, the drift check weekly.
 */
export const DEFAULT_SCHEDULES: Record<ClientTask, string> = {
  validate: '0 6 * * *',
  // Every 2 h around the clock (not only by day): the app drops a current-week row whose dateRange.end is not
  // today (UTC), so a refresh must land soon after 00:00 UTC; at :05 to stay clear of the hour's other jobs.
  'refresh-cache': '5 */2 * * *',
  // Yesterday ends at the account's midnight: Auckland's is 13 hours before Warsaw's, Los Angeles' 9 after.
  'collect-insights': 'local',
  // Daily per kind: the close of the period that just ended, backfill pieces, re-collections on their days.
  summaries: 'local',
  // The stored previous month against a fresh read (6 calls per client): weekly, not nightly as the app.
  'drift-check': '30 5 * * 3',
};

/** A tick period for the local-midnight schedule: divides an hour, so every :15/:30/:45 zone is met. */
export function tickMinutes(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 60 || 60 % value !== 0) {
    throw new Error(
      `expected a divisor of 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * Same development default as apps/worker, so both sides fingerprint a token identically out of the box.
 * Set TOKEN_FINGERPRINT_KEY in production: with a public key the fingerprint only hides the token from
 * someone who cannot guess it.
 */
export const DEFAULT_FINGERPRINT_KEY = 'meta-engine-fingerprint';

/** What a command needs beyond the base settings; main.ts passes the running command's needs. */
export interface ConfigNeeds {
  /** META_ACCESS_TOKEN or META_ACCESS_TOKEN_FILE must be set (serve, rotate). */
  token?: boolean;
  /** ADMIN_USER and ADMIN_PASSWORD must be set (serve). */
  admin?: boolean;
}

/** A cron pattern, `local` (after each account's midnight) or `off` (null: the task's scheduler is removed). */
const schedule = () =>
  field.checked((pattern): string | null => {
    if (pattern.toLowerCase() === 'off') return null;
    if (pattern.toLowerCase() === 'local') return 'local';
    const problem = cronPatternProblem(pattern);
    if (problem) {
      throw new Error(
        `is not a cron pattern (${problem}); use "local" (after each account's midnight) or "off"`,
      );
    }
    return pattern;
  });

const scheduleFields = Object.fromEntries(
  CLIENT_TASKS.flatMap((task) => [
    [`SCHEDULE_${taskEnvName(task)}`, schedule().default(DEFAULT_SCHEDULES[task])],
    [`SCHEDULE_${taskEnvName(task)}_TZ`, field.timeZone().optional()],
  ]),
) as Record<string, z.ZodType<string | null | undefined, string | undefined>>;

const schema = z.object({
  ...REDIS_FIELDS,
  ...SUPABASE_FIELDS,
  ...TOKEN_FIELDS,
  TOKEN_FINGERPRINT_KEY: field
    .secret({ minLength: 8, hint: 'the HMAC key of the token fingerprint' })
    .optional(),
  TOKEN_POLL_INTERVAL_MS: field.durationMs({ min: 100 }).default(10_000),
  QUEUE_PREFIX: field.checked(resolveQueuePrefix).default(DEFAULT_QUEUE_PREFIX),
  ADMIN_HOST: field.text().default('127.0.0.1'),
  ADMIN_PORT: field.port().default(3000),
  ADMIN_USER: field.text().optional(),
  ADMIN_PASSWORD: field.secret({ minLength: 8, hint: 'the admin password' }).optional(),
  BULL_BOARD_READ_ONLY: field.boolean().default(false),
  SCHEDULE_TZ: field.timeZone().default('Europe/Warsaw'),
  ...scheduleFields,
  LOCAL_MIDNIGHT_DELAY_MINUTES: field.integer({ min: 0, max: 720 }).default(30),
  LOCAL_TICK_MINUTES: field.checked(tickMinutes).default(15),
  LOCAL_ROLLOVER_REFRESH: field.boolean().default(true),
  FANOUT_PAGE_SIZE: field.integer({ min: 1, max: 1000 }).default(1000),
  FANOUT_CHUNK_SIZE: field.integer({ min: 1, max: 5000 }).default(500),
  FANOUT_CONCURRENCY: field.integer({ min: 1, max: 16 }).default(2),
  RUN_RETENTION_HOURS: field.integer({ min: 1, max: 24 * 90 }).default(168),
  LOG_LEVEL: field.logLevel().default('info'),
  // Freshness objectives (operator console, /api/clients, the meta_producer_freshness_* gauges). Defaults
  // are the reporting app's: caches fresh for 3 h, yesterday's insights by 06:00 in the account's zone,
  // a validation within 26 h (a daily run plus margin). See src/console/freshness.ts.
  FRESHNESS_MONTH_CACHE_MAX_AGE_MINUTES: field.integer({ min: 1, max: 7 * 24 * 60 }).default(180),
  FRESHNESS_WEEK_CACHE_MAX_AGE_MINUTES: field.integer({ min: 1, max: 7 * 24 * 60 }).default(180),
  FRESHNESS_INSIGHTS_DUE_HOUR: field.integer({ min: 0, max: 23 }).default(6),
  FRESHNESS_VALIDATION_MAX_AGE_HOURS: field.integer({ min: 1, max: 30 * 24 }).default(26),
});

function rulesFor(needs: ConfigNeeds): EnvRule[] {
  const rules: EnvRule[] = [
    REDIS_RULE,
    clusterPrefixRule,
    rule.atMostOne(['META_ACCESS_TOKEN', 'META_ACCESS_TOKEN_FILE']),
  ];
  if (needs.token) rules.push(rule.anyOf(['META_ACCESS_TOKEN', 'META_ACCESS_TOKEN_FILE']));
  if (needs.admin) {
    rules.push(rule.required('ADMIN_USER', 'to serve the admin HTTP API'));
    rules.push(rule.required('ADMIN_PASSWORD', 'to serve the admin HTTP API'));
  }
  return rules;
}

/**
 * Parses the environment. Throws ConfigError (one line per problem, every bad variable named) when
 * something is missing or malformed, including what `needs` makes required for the running command.
 */
export function loadConfig(env: Env, needs: ConfigNeeds = {}): ProducerConfig {
  const e = parseEnv(schema, env, rulesFor(needs));
  const raw = e as unknown as Record<string, string | null | undefined>;
  const localTasks = CLIENT_TASKS.filter((task) => raw[`SCHEDULE_${taskEnvName(task)}`] === 'local');
  const schedules = Object.fromEntries(
    CLIENT_TASKS.map((task) => {
      const pattern = raw[`SCHEDULE_${taskEnvName(task)}`];
      const tz = raw[`SCHEDULE_${taskEnvName(task)}_TZ`] ?? e.SCHEDULE_TZ;
      return [task, pattern && pattern !== 'local' ? { pattern, tz } : null];
    }),
  ) as Record<ClientTask, Schedule | null>;
  const metaAccessToken = e.META_ACCESS_TOKEN ?? e.META_ACCESS_TOKEN_FILE?.value;
  return {
    redis: redisServersFrom(e),
    supabaseUrl: e.SUPABASE_URL,
    supabaseServiceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
    metaAccessToken,
    metaAccessTokenFile: e.META_ACCESS_TOKEN_FILE?.path,
    tokenPollIntervalMs: e.TOKEN_POLL_INTERVAL_MS,
    tokenFingerprintKey: e.TOKEN_FINGERPRINT_KEY ?? DEFAULT_FINGERPRINT_KEY,
    tokenFingerprintKeyIsDefault: e.TOKEN_FINGERPRINT_KEY === undefined,
    queuePrefix: e.QUEUE_PREFIX,
    admin: {
      host: e.ADMIN_HOST,
      port: e.ADMIN_PORT,
      user: e.ADMIN_USER,
      password: e.ADMIN_PASSWORD,
      readOnly: e.BULL_BOARD_READ_ONLY,
    },
    schedules,
    local: {
      tasks: localTasks,
      rolloverRefresh: e.LOCAL_ROLLOVER_REFRESH,
      delayMinutes: e.LOCAL_MIDNIGHT_DELAY_MINUTES,
      tickMinutes: e.LOCAL_TICK_MINUTES,
      fallbackTimeZone: e.SCHEDULE_TZ,
    },
    fanout: {
      pageSize: e.FANOUT_PAGE_SIZE,
      chunkSize: e.FANOUT_CHUNK_SIZE,
      concurrency: e.FANOUT_CONCURRENCY,
    },
    runRetentionSeconds: e.RUN_RETENTION_HOURS * 3600,
    logLevel: e.LOG_LEVEL,
    secrets: secretsFromEnv(env, metaAccessToken ? { META_ACCESS_TOKEN: metaAccessToken } : {}),
    freshness: {
      monthCacheMaxAgeMs: e.FRESHNESS_MONTH_CACHE_MAX_AGE_MINUTES * 60_000,
      weekCacheMaxAgeMs: e.FRESHNESS_WEEK_CACHE_MAX_AGE_MINUTES * 60_000,
      insightsDueHour: e.FRESHNESS_INSIGHTS_DUE_HOUR,
      validationMaxAgeMs: e.FRESHNESS_VALIDATION_MAX_AGE_HOURS * 3_600_000,
    },
  };
}
