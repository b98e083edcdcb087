import { startPostgres, startRedis } from '@meta-engine/local-stack';
import type { TestProject } from 'vitest/node';

/**
 * One Redis and one Postgres server for the whole vitest run, started from the local stack (env URL,
 * container or local binary) and exported as REDIS_URL / DATABASE_URL to every test worker. Suites stay
 * isolated: Redis users pick random prefixes, and startLocalStack() gives each caller its own database on
 * this server. PostgREST is per suite (it serves one database).
 */
export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`[local-stack] ${line}\n`);
  const [redis, postgres] = await Promise.all([startRedis({ log }), startPostgres({ log, isolate: false })]);
  process.env.REDIS_URL = redis.url;
  process.env.DATABASE_URL = postgres.url;
  return async () => {
    await Promise.all([redis.stop(), postgres.stop()]);
  };
}
