/**
 * @module connections
 * ioredis factories for the two kinds of connection BullMQ needs, and a ping that fails with one clear line.
 *
 * - Worker connections (Worker, QueueEvents, the limiter inside a worker): `maxRetriesPerRequest: null`,
 *   which BullMQ requires for blocking commands; commands wait through reconnects.
 * - Producer connections (HTTP API, CLI, fan-out): fail fast when Redis is down (`enableOfflineQueue: false`,
 *   one retry per command, a connect timeout), so a request errors instead of hanging.
 *
 * Never set ioredis `keyPrefix` on a BullMQ connection (BullMQ throws); use the queue `prefix`.
 *
 * @example
 * const connection = createWorkerConnection(process.env.REDIS_URL!);
 * await pingRedis(connection); // throws RedisUnreachableError naming REDIS_URL
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnreachableError } from './errors/redis-unreachable-error.ts';

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

export const DEFAULT_PING_TIMEOUT_MS = 2_000;

/** A connection for BullMQ workers and anything used inside a processor. */
export function createWorkerConnection(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, { ...overrides, ...WORKER_CONNECTION_OPTIONS });
}

/** A connection that fails fast while Redis is unreachable (for queues used by the API and CLI). */
export function createProducerConnection(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, { ...PRODUCER_CONNECTION_OPTIONS, ...overrides });
}

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
export async function pingRedis(client: Redis, options: PingOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const variable = options.variable ?? 'REDIS_URL';
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
  options: PingOptions & { redis?: RedisOptions } = {},
): Promise<Redis> {
  const client = createProducerConnection(url, { lazyConnect: true, ...options.redis });
  try {
    await pingRedis(client, { ...options, url });
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

function describeRedis(client: Redis): string {
  const { host, port, db, tls, path } = client.options;
  if (path) return `unix://${path}`;
  return `${tls ? 'rediss' : 'redis'}://${host ?? 'localhost'}:${port ?? 6379}/${db ?? 0}`;
}

async function readyThenPing(client: Redis): Promise<void> {
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
