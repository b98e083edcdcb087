/**
 * @module config
 * The producer's configuration, read once from the environment in main.ts (`loadConfig(process.env)`).
 * Nothing else reads process.env. A missing or malformed value throws ConfigError whose message is ONE
 * line naming every bad variable, and never echoes a value (URLs and keys may hold secrets).
 */
import { z } from 'zod';
import type { FreshnessObjectives } from './console/freshness.ts';
import { cronPatternProblem, isKnownTimeZone } from './schedules/cron-pattern.ts';
import { TASKS, type Task, taskEnvName } from './tasks.ts';

export interface Schedule {
  /** Cron pattern, 5 or 6 fields. */
  pattern: string;
  /** IANA time zone the pattern is read in. */
  tz: string;
}

export interface ProducerConfig {
  redisUrl: string;
  supabaseUrl: string;
  supabaseServiceRoleKey: string;
  /** Present when META_ACCESS_TOKEN is set; only ever fingerprinted, never logged or stored. */
  metaAccessToken: string | undefined;
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
  /** One entry per task; `null` when the task's schedule is "off" (its scheduler is removed at start). */
  schedules: Record<Task, Schedule | null>;
  fanout: { pageSize: number; chunkSize: number; concurrency: number };
  runRetentionSeconds: number;
  logLevel: LogLevel;
  /** The console's freshness objectives and the freshness gauges (FRESHNESS_*). */
  freshness: FreshnessObjectives;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Defaults: validation daily, cache refresh every 2 hours during the day, insights nightly. */
export const DEFAULT_SCHEDULES: Record<Task, string> = {
  validate: '0 6 * * *',
  // Every 2 h around the clock (not only by day): the app drops a current-week row whose dateRange.end is not
  // today (UTC), so a refresh must land soon after 00:00 UTC; at :05 to stay clear of the hour's other jobs.
  'refresh-cache': '5 */2 * * *',
  'collect-insights': '30 2 * * *',
};

/**
 * Same development default as apps/worker, so both sides fingerprint a token identically out of the box.
 * Set TOKEN_FINGERPRINT_KEY in production: with a public key the fingerprint only hides the token from
 * someone who cannot guess it.
 */
export const DEFAULT_FINGERPRINT_KEY = 'meta-engine-fingerprint';

/** What a command needs beyond the base settings; main.ts passes the running command's needs. */
export interface ConfigNeeds {
  /** META_ACCESS_TOKEN must be set (serve, rotate). */
  token?: boolean;
  /** ADMIN_USER and ADMIN_PASSWORD must be set (serve). */
  admin?: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const url = (protocols: readonly string[], hint: string) =>
  z
    .string()
    .trim()
    .min(1, 'is empty')
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be ${hint}`);

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((value) => value ?? fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const timeZone = z
  .string()
  .trim()
  .refine(isKnownTimeZone, 'must be an IANA time zone such as Europe/Warsaw or UTC');

const schedule = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      const pattern = value === undefined || value === '' ? fallback : value;
      if (pattern.toLowerCase() === 'off') return null;
      const problem = cronPatternProblem(pattern);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `is not a cron pattern (${problem}); use "off" to disable` });
        return z.NEVER;
      }
      return pattern;
    });

const scheduleFields = Object.fromEntries(
  TASKS.flatMap((task) => [
    [`SCHEDULE_${taskEnvName(task)}`, schedule(DEFAULT_SCHEDULES[task])],
    [`SCHEDULE_${taskEnvName(task)}_TZ`, timeZone.optional()],
  ]),
) as Record<string, z.ZodType<string | null | undefined>>;

const schema = z.object({
  REDIS_URL: url(['redis:', 'rediss:'], 'a redis:// or rediss:// URL'),
  SUPABASE_URL: url(['http:', 'https:'], 'the http(s):// URL of the Supabase project'),
  SUPABASE_SERVICE_ROLE_KEY: z
    .string()
    .trim()
    .min(20, 'must be the service-role key of the Supabase project'),
  META_ACCESS_TOKEN: z.string().trim().min(8, 'must be the system-user access token').optional(),
  TOKEN_FINGERPRINT_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
  QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[^\s:]+$/, 'must be non-empty, without spaces or ":"')
    .default('{meta}'),
  ADMIN_HOST: z.string().trim().min(1, 'is empty').default('127.0.0.1'),
  ADMIN_PORT: wholeNumber(3000, 0, 65535),
  ADMIN_USER: z.string().trim().min(1, 'is empty').optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  BULL_BOARD_READ_ONLY: bool(false),
  SCHEDULE_TZ: timeZone.default('Europe/Warsaw'),
  ...scheduleFields,
  FANOUT_PAGE_SIZE: wholeNumber(1000, 1, 1000),
  FANOUT_CHUNK_SIZE: wholeNumber(500, 1, 5000),
  FANOUT_CONCURRENCY: wholeNumber(2, 1, 16),
  RUN_RETENTION_HOURS: wholeNumber(168, 1, 24 * 90),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  // Freshness objectives (operator console, /api/clients, the meta_producer_freshness_* gauges). Defaults
  // are the reporting app's: caches fresh for 3 h, yesterday's insights by 06:00 in the account's zone,
  // a validation within 26 h (a daily run plus margin). See src/console/freshness.ts.
  FRESHNESS_MONTH_CACHE_MAX_AGE_MINUTES: wholeNumber(180, 1, 7 * 24 * 60),
  FRESHNESS_WEEK_CACHE_MAX_AGE_MINUTES: wholeNumber(180, 1, 7 * 24 * 60),
  FRESHNESS_INSIGHTS_DUE_HOUR: wholeNumber(6, 0, 23),
  FRESHNESS_VALIDATION_MAX_AGE_HOURS: wholeNumber(26, 1, 30 * 24),
});

/**
 * Parses the environment. Throws ConfigError (one line, every bad variable named) when something is
 * missing or malformed, including what `needs` makes required for the running command.
 */
export function loadConfig(env: NodeJS.ProcessEnv, needs: ConfigNeeds = {}): ProducerConfig {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  if (needs.token && !env.META_ACCESS_TOKEN?.trim()) problems.push('META_ACCESS_TOKEN is required');
  if (needs.admin && !env.ADMIN_USER?.trim())
    problems.push('ADMIN_USER is required to serve the admin HTTP API');
  if (needs.admin && !env.ADMIN_PASSWORD) {
    problems.push('ADMIN_PASSWORD is required to serve the admin HTTP API');
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration: ${[...new Set(problems)].join('; ')}`);
  }
  const e = parsed.data;
  const raw = e as unknown as Record<string, string | null | undefined>;
  const schedules = Object.fromEntries(
    TASKS.map((task) => {
      const pattern = raw[`SCHEDULE_${taskEnvName(task)}`];
      const tz = raw[`SCHEDULE_${taskEnvName(task)}_TZ`] ?? e.SCHEDULE_TZ;
      return [task, pattern ? { pattern, tz } : null];
    }),
  ) as Record<Task, Schedule | null>;
  return {
    redisUrl: e.REDIS_URL,
    supabaseUrl: e.SUPABASE_URL,
    supabaseServiceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
    metaAccessToken: e.META_ACCESS_TOKEN,
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
    fanout: {
      pageSize: e.FANOUT_PAGE_SIZE,
      chunkSize: e.FANOUT_CHUNK_SIZE,
      concurrency: e.FANOUT_CONCURRENCY,
    },
    runRetentionSeconds: e.RUN_RETENTION_HOURS * 3600,
    logLevel: e.LOG_LEVEL,
    freshness: {
      monthCacheMaxAgeMs: e.FRESHNESS_MONTH_CACHE_MAX_AGE_MINUTES * 60_000,
      weekCacheMaxAgeMs: e.FRESHNESS_WEEK_CACHE_MAX_AGE_MINUTES * 60_000,
      insightsDueHour: e.FRESHNESS_INSIGHTS_DUE_HOUR,
      validationMaxAgeMs: e.FRESHNESS_VALIDATION_MAX_AGE_HOURS * 3_600_000,
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const variable = issue.path.join('.') || 'environment';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${variable} is required`;
  return `${variable} ${issue.message}`;
}

/** The secrets a logger must scrub from every line. */
export function secretsOf(config: ProducerConfig): string[] {
  return [
    config.metaAccessToken,
    config.supabaseServiceRoleKey,
    config.admin.password,
    config.tokenFingerprintKey,
  ]
    .filter((s): s is string => typeof s === 'string' && s.length >= 6)
    .filter((s) => s !== DEFAULT_FINGERPRINT_KEY);
}
