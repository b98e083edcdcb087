/**
 * @module support/cluster
 * One local Redis Cluster per cluster suite (`tests/cluster-*.test.ts`), started at import so the suite
 * can `describe.skipIf(!cluster)`. Cluster mode unavailable on this machine (no redis-server or
 * redis-cli, or `--cluster create` fails) is the only reason a suite skips, and it says so on stderr;
 * any other start-up failure throws and fails the suite.
 */
import { type RedisCluster, startRedisCluster } from '@meta-engine/local-stack';

export async function startSuiteCluster(suite: string): Promise<RedisCluster | undefined> {
  const started = await startRedisCluster();
  if (started.available) return started.cluster;
  process.stderr.write(
    `[${suite}] skipped: Redis Cluster cannot run here (${started.reason}): ${started.detail}\n`,
  );
  return undefined;
}
