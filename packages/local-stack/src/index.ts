/**
 * @module local-stack
 * Redis, Postgres and the Supabase REST API for tests and the demo. For each service: the URL from the
 * environment when set and reachable; else a testcontainers container when a Docker engine runs; else the
 * local binary on a free loopback port in a temporary directory, stopped and deleted by stop().
 * `startRedisCluster()` (separately) starts a six-node Redis Cluster on loopback for the cluster suites.
 *
 * @example
 * const stack = await startLocalStack();
 * const supabase = createClient(stack.supabaseUrl, stack.serviceRoleKey);
 * await stack.stop();
 */
import { type PostgresService, startPostgres } from './postgres.ts';
import { type SupabaseApi, startPostgrest } from './postgrest.ts';
import { startRedis } from './redis.ts';
import type { ServiceSource, StackOptions } from './types.ts';

export { MissingBinaryError, ServiceUnreachableError } from './errors.ts';
export { signSupabaseKey } from './jwt.ts';

export { type PostgresServerControl, startPostgres } from './postgres.ts';
export { startPostgrest } from './postgrest.ts';
export { type RedisServerControl, type RedisService, startRedis } from './redis.ts';
export { type KilledMaster, type RedisCluster, startRedisCluster } from './redis-cluster.ts';
export type { ServiceSource, StackOptions } from './types.ts';

export interface LocalStack {
  redisUrl: string;
  /** Superuser URL of the database (empty when only SUPABASE_URL was given). */
  databaseUrl: string;
  supabaseUrl: string;
  serviceRoleKey: string;
  anonKey: string;
  sources: { redis?: ServiceSource; postgres?: ServiceSource; postgrest?: ServiceSource };
  /** Temporary directories of the binaries this stack started; all removed by stop(). */
  directories: string[];
  stop(): Promise<void>;
}

export interface LocalStackOptions extends StackOptions {
  redis?: boolean;
  postgres?: boolean;
  postgrest?: boolean;
  isolateDatabase?: boolean;
  /**
   * Runs on the fresh database before PostgREST starts (e.g. `migrate`), so PostgREST's first schema load
   * already sees the tables. Migrating after PostgREST is up relies on its reload (NOTIFY pgrst), which can
   * race with the first load and briefly serve a cache without the new tables.
   */
  prepareDatabase?: (databaseUrl: string) => Promise<void>;
}

/** Starts the requested services (all three by default); stop() stops them in reverse order. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { redis = true, postgres = true, postgrest = true } = options;
  const closers: Array<() => Promise<void>> = [];
  const stop = async () => {
    let first: unknown;
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        first ??= error;
      }
    }
    closers.length = 0;
    if (first) throw first;
  };
  try {
    const [redisService, pgService] = await Promise.all([
      redis ? startRedis(options) : undefined,
      postgres || postgrest ? startPostgresUnlessSupabaseGiven(options, postgres) : undefined,
    ]);
    if (redisService) closers.push(redisService.stop);
    if (pgService) closers.push(pgService.stop);
    if (pgService && options.prepareDatabase) await options.prepareDatabase(pgService.url);
    let api: SupabaseApi | undefined;
    if (postgrest) {
      api = await startPostgrest(pgService?.authenticatorUrl, options);
      closers.push(api.stop);
    }
    return {
      redisUrl: redisService?.url ?? '',
      databaseUrl: pgService?.url ?? '',
      supabaseUrl: api?.supabaseUrl ?? '',
      serviceRoleKey: api?.serviceRoleKey ?? '',
      anonKey: api?.anonKey ?? '',
      sources: { redis: redisService?.source, postgres: pgService?.source, postgrest: api?.source },
      directories: [redisService?.directory, pgService?.directory].filter((d): d is string => Boolean(d)),
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** With SUPABASE_URL given and no database asked for, PostgREST needs no local Postgres. */
async function startPostgresUnlessSupabaseGiven(
  options: LocalStackOptions,
  postgresWanted: boolean,
): Promise<PostgresService | undefined> {
  const env = options.env ?? process.env;
  if (!postgresWanted && env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY) return undefined;
  return startPostgres({ ...options, isolate: options.isolateDatabase ?? true });
}
