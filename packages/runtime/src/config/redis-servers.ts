/**
 * @module redis-servers
 * How a process is told where Redis is, the same way in every app: `REDIS_URL` for one server, or
 * `REDIS_CLUSTER_NODES` (comma-separated `host:port`) for a Redis Cluster, where `REDIS_URL`, if also given,
 * only supplies the user name, password and TLS (`rediss://`). At least one of them must be set.
 * Yields a plain shape; turning it into an ioredis client is the queue package's job.
 *
 * @example
 * const schema = z.object({ ...REDIS_FIELDS, OTHER: field.text() });
 * const values = parseEnv(schema, process.env, [REDIS_RULE]);
 * const redis = redisServersFrom(values); // { url: 'redis://…', clusterNodes: undefined }
 */
import { rule } from './env-rule.ts';
import { field } from './field.ts';

export interface RedisServers {
  /** REDIS_URL: the server, or with clusterNodes only the credentials and TLS. */
  url: string | undefined;
  /** REDIS_CLUSTER_NODES: `host:port` of the cluster's seed nodes. */
  clusterNodes: string[] | undefined;
}

export const REDIS_FIELDS = {
  REDIS_URL: field.url({ protocols: ['redis:', 'rediss:'] }).optional(),
  REDIS_CLUSTER_NODES: field.hostPortList().optional(),
};

/** One of REDIS_URL / REDIS_CLUSTER_NODES must say where the servers are. */
export const REDIS_RULE = rule.anyOf(['REDIS_URL', 'REDIS_CLUSTER_NODES']);

export function redisServersFrom(values: {
  REDIS_URL?: string;
  REDIS_CLUSTER_NODES?: string[];
}): RedisServers {
  return { url: values.REDIS_URL, clusterNodes: values.REDIS_CLUSTER_NODES };
}
