/**
 * @module is-redis-connection-error
 * Tells "Redis is not there right now" apart from every other Redis error (a script error, a wrong type,
 * a full memory): the producer answers the first with 503 and the worker waits for Redis instead of
 * counting it against a job (issue 12.8). Pure; matches ioredis' own errors by name, code and message
 * (they carry no stable type), following the cause chain.
 *
 * @example
 * if (isRedisConnectionError(error)) return c.json({ error: 'Redis is unavailable' }, 503);
 */

const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
  'NR_CLOSED',
]);

const CONNECTION_NAMES: ReadonlySet<string> = new Set([
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'RedisUnreachableError',
]);

/** ioredis' messages when no connection can carry the command (offline queue off, closed, cluster down). */
const CONNECTION_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /enableOfflineQueue options is false/,
  /^None of startup nodes is available/,
  /^Failed to refresh slots cache/,
  /^CLUSTERDOWN/,
  /^LOADING /,
];

export function isRedisConnectionError(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (CONNECTION_NAMES.has(error.name)) return true;
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  return isRedisConnectionError(error.cause, depth + 1);
}
