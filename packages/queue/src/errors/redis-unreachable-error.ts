export const REDIS_UNREACHABLE_ERROR_NAME = 'RedisUnreachableError';

/**
 * Redis did not answer a ping in time. The message names the configuration variable (default `REDIS_URL`)
 * and the URL without its password, so a misconfigured deployment says what to fix in one line.
 */
export class RedisUnreachableError extends Error {
  override readonly name = REDIS_UNREACHABLE_ERROR_NAME;
  readonly variable: string;
  readonly url: string;

  constructor(variable: string, url: string, reason: string, options?: ErrorOptions) {
    super(`Redis at ${variable}=${url} is unreachable: ${reason}`, options);
    this.variable = variable;
    this.url = url;
  }
}

export function isRedisUnreachableError(error: unknown): error is RedisUnreachableError {
  return error instanceof Error && error.name === REDIS_UNREACHABLE_ERROR_NAME;
}
