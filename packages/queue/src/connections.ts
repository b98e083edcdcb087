/**
 * @module connections
 * ioredis factories for the two kinds of connection BullMQ needs, for a single Redis (a URL) or a Redis
 * Cluster (a list of `host:port` seed nodes), and a ping that fails with one clear line.
 *
 * - Worker connections (Worker, QueueEvents, the limiter inside a worker): `maxRetriesPerRequest: null`,
 *   which BullMQ requires for blocking commands; commands wait through reconnects.
 * - Producer connections (HTTP API, CLI, fan-out): fail fast when Redis is down (`enableOfflineQueue: false`,
 *   one retry per command, a connect timeout), so a request errors instead of hanging.
 *
 * Apps pass a {@link RedisTarget}: `{ url, clusterNodes }`. Without `clusterNodes` it is today's single
 * Redis at `url` (unchanged). With `clusterNodes` it is an ioredis `Cluster` seeded with those nodes, and
 * `url`, when given, only supplies the username, password and TLS (`rediss:`); its host is ignored. On a
 * cluster BullMQ additionally needs every key of a queue in one slot: the queue prefix must be a hash tag
 * such as `{meta}` (`createQueue` refuses another prefix on a cluster).
 *
 * Never set ioredis `keyPrefix` on a BullMQ connection (BullMQ throws); use the queue `prefix`.
 *
 * @example
 * const connection = createWorkerConnection({ url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES });
 * await pingRedis(connection); // throws RedisUnreachableError naming REDIS_URL or REDIS_CLUSTER_NODES
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { RedisUnreachableError } from './errors/redis-unreachable-error.ts';
import type { RedisClient } from './lua/loader.ts';

/**
 * Where Redis is, as apps pass it. `clusterNodes` (`host:port` strings) selects Redis Cluster; then `url`,
 * if present, only supplies username/password and TLS (`rediss:`).
 */
export interface RedisTarget {
  url: string | undefined;
  clusterNodes: string[] | undefined;
}

/** Options every worker connection gets (overrides cannot change them). */
export const WORKER_CONNECTION_OPTIONS = {
  maxRetriesPerRequest: null,
} as const satisfies RedisOptions;

/** Defaults of producer connections (overrides win). */
export const PRODUCER_CONNECTION_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
} as const satisfies RedisOptions;

/**
 * Cluster settings shared by both kinds (overrides win):
 * - `scaleReads: 'master'`: BullMQ reads what it just wrote; a replica may lag behind.
 * - `enableReadyCheck`: "ready" only once `CLUSTER INFO` says the cluster serves every slot.
 * - `retryDelayOnFailover` x `maxRedirections`: a command whose node went away is retried against the new
 *   slot map for about 5 s (MOVED, CLUSTERDOWN and "Connection is closed" each use one redirection); a
 *   failover that takes longer (a managed service's node timeout) surfaces as command errors, which
 *   BullMQ's loops, job retries and the producer's callers recover from.
 * - `clusterRetryStrategy`: when no node at all is reachable, reconnect every 0.1-2 s forever.
 * - `slotsRefreshTimeout`: a slot refresh during a failover may wait for a node that is down.
 */
export const CLUSTER_CONNECTION_OPTIONS = {
  scaleReads: 'master',
  enableReadyCheck: true,
  retryDelayOnFailover: 250,
  retryDelayOnClusterDown: 250,
  retryDelayOnTryAgain: 250,
  maxRedirections: 32,
  slotsRefreshTimeout: 2_000,
  clusterRetryStrategy: (times: number) => Math.min(100 * times, 2_000),
} as const satisfies ClusterOptions;

export const DEFAULT_PING_TIMEOUT_MS = 2_000;

/** Node options of a cluster: credentials and TLS from the target's URL (see {@link RedisTarget}). */
export interface ClusterTargetOptions {
  /** Seed nodes. */
  nodes: Array<{ host: string; port: number }>;
  /** For `redisOptions`: username, password, tls. */
  redisOptions: RedisOptions;
  /** Hostname passthrough when TLS is on (managed services verify certificates by name). */
  dnsLookup?: ClusterOptions['dnsLookup'];
}

/** True when the target selects Redis Cluster. */
export function isClusterTarget(target: RedisTarget): boolean {
  return target.clusterNodes !== undefined && target.clusterNodes.length > 0;
}

/** The configuration variable a target is named by in errors: `REDIS_CLUSTER_NODES` or `REDIS_URL`. */
export function redisTargetVariable(target: RedisTarget): string {
  return isClusterTarget(target) ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
}

/** The target for messages: the URL without its password, or the cluster nodes. */
export function describeRedisTarget(target: RedisTarget): string {
  if (isClusterTarget(target)) return (target.clusterNodes ?? []).join(',');
  return target.url ? redactRedisUrl(target.url) : '(not set)';
}

/**
 * `host:port` strings to ioredis nodes, with credentials and TLS from `url`. Throws an error naming
 * REDIS_CLUSTER_NODES (or REDIS_URL) for a malformed node, a URL that is not redis:// or rediss://, or a
 * database other than 0 (a cluster has only database 0).
 */
export function clusterTargetOptions(target: RedisTarget): ClusterTargetOptions {
  const nodes = (target.clusterNodes ?? []).map(parseClusterNode);
  if (nodes.length === 0) throw new Error('REDIS_CLUSTER_NODES: give at least one host:port');
  const redisOptions: RedisOptions = {};
  let tls = false;
  if (target.url) {
    let parsed: URL;
    try {
      parsed = new URL(target.url);
    } catch {
      throw new Error(
        'REDIS_URL: not a valid URL (with REDIS_CLUSTER_NODES it supplies credentials and TLS)',
      );
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new Error(`REDIS_URL: expected redis:// or rediss://, got ${parsed.protocol}//`);
    }
    const db = parsed.pathname.replace(/^\//, '');
    if (db !== '' && db !== '0') {
      throw new Error(`REDIS_URL: a Redis Cluster has only database 0, got /${db}`);
    }
    if (parsed.username) redisOptions.username = decodeURIComponent(parsed.username);
    if (parsed.password) redisOptions.password = decodeURIComponent(parsed.password);
    tls = parsed.protocol === 'rediss:';
  }
  if (!tls) return { nodes, redisOptions };
  return {
    nodes,
    redisOptions: { ...redisOptions, tls: {} },
    // Managed clusters (ElastiCache, MemoryDB, Redis Cloud) hand out node hostnames whose certificates
    // name them: connect by name instead of letting ioredis resolve them to IPs first.
    dnsLookup: (address, callback) => callback(null, address),
  };
}

function parseClusterNode(value: string): { host: string; port: number } {
  const text = value.trim();
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : 0;
  if (!match || port < 1 || port > 65_535) {
    throw new Error(
      `REDIS_CLUSTER_NODES: ${JSON.stringify(value)} is not host:port (e.g. 10.0.0.5:6379 or redis-1.internal:6379)`,
    );
  }
  return { host: (match[1] ?? match[2])!, port };
}

/** A connection for BullMQ workers and anything used inside a processor. */
export function createWorkerConnection(url: string, overrides?: RedisOptions): Redis;
export function createWorkerConnection(target: RedisTarget, overrides?: RedisOptions): RedisClient;
export function createWorkerConnection(
  target: string | RedisTarget,
  overrides: RedisOptions = {},
): RedisClient {
  const resolved = typeof target === 'string' ? { url: target, clusterNodes: undefined } : target;
  if (!isClusterTarget(resolved))
    return new Redis(requireUrl(resolved), { ...overrides, ...WORKER_CONNECTION_OPTIONS });
  return createCluster(
    resolved,
    { ...overrides, ...WORKER_CONNECTION_OPTIONS },
    { enableOfflineQueue: true },
  );
}

/** A connection that fails fast while Redis is unreachable (for queues used by the API and CLI). */
export function createProducerConnection(url: string, overrides?: RedisOptions): Redis;
export function createProducerConnection(target: RedisTarget, overrides?: RedisOptions): RedisClient;
export function createProducerConnection(
  target: string | RedisTarget,
  overrides: RedisOptions = {},
): RedisClient {
  const resolved = typeof target === 'string' ? { url: target, clusterNodes: undefined } : target;
  if (!isClusterTarget(resolved)) {
    return new Redis(requireUrl(resolved), { ...PRODUCER_CONNECTION_OPTIONS, ...overrides });
  }
  const { enableOfflineQueue, ...nodeOptions } = { ...PRODUCER_CONNECTION_OPTIONS, ...overrides };
  return createCluster(resolved, nodeOptions, { enableOfflineQueue });
}

function requireUrl(target: RedisTarget): string {
  if (!target.url) throw new Error('REDIS_URL is required unless REDIS_CLUSTER_NODES is set');
  return target.url;
}

/**
 * An ioredis Cluster: node options (`maxRetriesPerRequest`, `connectTimeout`, credentials, TLS) go to
 * `redisOptions`, where BullMQ also looks for `maxRetriesPerRequest: null`; `lazyConnect` and the offline
 * queue are cluster-level options.
 */
function createCluster(
  target: RedisTarget,
  nodeOptions: RedisOptions,
  clusterOptions: Pick<ClusterOptions, 'enableOfflineQueue'>,
): Cluster {
  const { nodes, redisOptions, dnsLookup } = clusterTargetOptions(target);
  const { lazyConnect, enableOfflineQueue: _ignored, retryStrategy: _node, ...rest } = nodeOptions;
  const cluster = new Cluster(nodes, {
    ...CLUSTER_CONNECTION_OPTIONS,
    ...clusterOptions,
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(dnsLookup ? { dnsLookup } : {}),
    redisOptions: { ...rest, ...redisOptions },
  });
  clusterDescriptions.set(cluster, describeRedisTarget(target));
  return cluster;
}

/** The seed nodes of each cluster this module created, for error messages (ioredis keeps them private). */
const clusterDescriptions = new WeakMap<Cluster, string>();

export interface PingOptions {
  /** Give up after this long (default 2 s). */
  timeoutMs?: number;
  /** The configuration variable named in the error (default `REDIS_URL`). */
  variable?: string;
  /** The URL to name in the error (password removed); default: built from the client's host, port and db. */
  url?: string;
}

/**
 * Waits until `client` is ready and answers PING, within `timeoutMs`. Connects a `lazyConnect` client.
 * Throws {@link RedisUnreachableError} ("Redis at REDIS_URL=redis://host:port/0 is unreachable: ...").
 * Does not close the client.
 */
export async function pingRedis(client: RedisClient, options: PingOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const cluster = client instanceof Cluster;
  const variable = options.variable ?? (cluster ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL');
  const url = options.url ? redactRedisUrl(options.url) : describeRedis(client);
  let lastError: Error | undefined;
  const onError = (error: Error) => {
    lastError = error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const detail = lastError ? ` (last error: ${lastError.message})` : '';
        reject(new Error(`no answer within ${timeoutMs} ms${detail}`));
      }, timeoutMs);
    });
    await Promise.race([readyThenPing(client), timeout]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RedisUnreachableError(variable, url, reason, { cause: error });
  } finally {
    if (timer) clearTimeout(timer);
    client.off('error', onError);
  }
}

/**
 * Creates a producer connection and pings it; on failure disconnects it and throws
 * {@link RedisUnreachableError}. For process start-up: `const redis = await openProducerConnection(env.REDIS_URL)`.
 */
export async function openProducerConnection(
  url: string,
  options?: PingOptions & { redis?: RedisOptions },
): Promise<Redis>;
export async function openProducerConnection(
  target: RedisTarget,
  options?: PingOptions & { redis?: RedisOptions },
): Promise<RedisClient>;
export async function openProducerConnection(
  target: string | RedisTarget,
  options: PingOptions & { redis?: RedisOptions } = {},
): Promise<RedisClient> {
  const resolved: RedisTarget =
    typeof target === 'string' ? { url: target, clusterNodes: undefined } : target;
  const client = createProducerConnection(resolved, { lazyConnect: true, ...options.redis });
  try {
    await pingRedis(client, {
      ...options,
      ...(isClusterTarget(resolved) || !resolved.url ? {} : { url: resolved.url }),
    });
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

/** `redis://user:secret@host:6379/0` -> `redis://user:***@host:6379/0`; unparsable input is not echoed. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparsable URL)';
  }
}

function describeRedis(client: RedisClient): string {
  if (client instanceof Cluster) return clusterDescriptions.get(client) ?? 'a Redis Cluster';
  const { host, port, db, tls, path } = client.options;
  if (path) return `unix://${path}`;
  return `${tls ? 'rediss' : 'redis'}://${host ?? 'localhost'}:${port ?? 6379}/${db ?? 0}`;
}

async function readyThenPing(client: RedisClient): Promise<void> {
  if (client.status === 'wait') {
    await client.connect();
  } else if (client.status === 'end' || client.status === 'close') {
    throw new Error('the connection is closed');
  } else if (client.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        client.off('ready', onReady);
        client.off('end', onEnd);
      };
      const onReady = () => {
        cleanup();
        resolve();
      };
      const onEnd = () => {
        cleanup();
        reject(new Error('the connection ended before it was ready'));
      };
      client.on('ready', onReady);
      client.on('end', onEnd);
    });
  }
  await client.ping();
}
