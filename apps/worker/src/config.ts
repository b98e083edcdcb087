import { resolveQueuePrefix } from '@meta-engine/queue';
import { z } from 'zod';

function isQueuePrefix(value: string): boolean {
  try {
    resolveQueuePrefix(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Worker configuration, read once from the environment in main.ts. A missing or malformed value stops the
 * process with one line naming the variable (see formatConfigError); nothing else reads process.env.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

export const configSchema = z.object({
  REDIS_URL: url(['redis:', 'rediss:']),
  SUPABASE_URL: url(['http:', 'https:']),
  SUPABASE_SERVICE_ROLE_KEY: z
    .string()
    .trim()
    .min(20, 'must be the service-role JWT of the Supabase project'),
  META_ACCESS_TOKEN: z.string().trim().min(8, 'must be the system-user access token'),
  META_APP_SECRET: z.string().trim().min(1).optional(),
  META_GRAPH_URL: url(['http:', 'https:']).default('https://graph.facebook.com'),
  META_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v26.0')
    .default('v26.0'),
  META_ACCESS_TIER: z.enum(['development', 'standard']).default('development'),
  META_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  META_RETRY_LIMIT: z.coerce.number().int().min(0).max(10).default(2),
  /** Keep-alive connections to the Graph API; below the sum of the queue concurrencies it caps throughput. */
  META_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(64),
  /** Sandbox only: Meta time runs this many times faster than real time (divides Meta's wait times, multiplies quotas). */
  META_TIME_SCALE: z.coerce.number().positive().max(1e7).default(1),
  TOKEN_FINGERPRINT_KEY: z
    .string()
    .min(8, 'must be at least 8 characters')
    .default('meta-engine-fingerprint'),
  QUEUE_PREFIX: z
    .string()
    .trim()
    .refine(isQueuePrefix, 'must be letters, digits and "_.-:" with at most one hash tag, such as {meta}')
    .default('{meta}'),
  CONCURRENCY_VALIDATE: positiveInt(20),
  CONCURRENCY_REFRESH_CACHE: positiveInt(10),
  CONCURRENCY_COLLECT_INSIGHTS: positiveInt(10),
  ACCOUNT_CONCURRENCY: nonNegativeInt(2),
  /** Share of each Meta quota the limiter books (the rest is margin for the app and other tools). */
  LIMITER_SAFETY_FACTOR: z.coerce.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(0.8),
  ACCOUNT_LEASE_TTL_MS: positiveInt(600_000),
  WORKER_LOCK_DURATION_MS: positiveInt(60_000),
  WORKER_STALLED_INTERVAL_MS: positiveInt(30_000),
  WORKER_MAX_STALLED_COUNT: positiveInt(2),
  INSIGHTS_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(28).default(28),
  INSIGHTS_BACKFILL_DAYS: z.coerce.number().int().min(1).max(1123).default(90),
  INSIGHTS_ASYNC_THRESHOLD_DAYS: positiveInt(62),
  ASYNC_POLL_INTERVAL_MS: positiveInt(5_000),
  ASYNC_MAX_POLL_INTERVAL_MS: positiveInt(60_000),
  ASYNC_MAX_WAIT_MS: positiveInt(3_600_000),
  REFRESH_AD_RELEVANCE: bool(true),
  POLICY_PARK_MS: positiveInt(3_600_000),
  WORKER_HTTP_HOST: z.string().default('127.0.0.1'),
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type WorkerConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws ConfigError whose message is one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(formatConfigError(result.error));
}

export function formatConfigError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const variable = issue.path.join('.') || 'environment';
      const message =
        issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return `${variable}: ${message}`;
    })
    .join('\n');
}
