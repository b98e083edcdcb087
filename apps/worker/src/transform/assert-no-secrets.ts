/**
 * @module
 * Last line of defence before a `cache_data` JSON is written: the app once copied the whole
 * `clients` row, tokens included, into `current_week_cache.cache_data.client` (§6, "Smaller").
 * The builders never do that, but they take caller data; this guard makes a leak a failed job
 * instead of a token readable by every browser that loads the report.
 */

import { findSecret } from '@meta-engine/runtime';

/** Thrown by {@link assertNoSecrets}; the message names the path, never the secret. */
export class SecretLeakError extends Error {
  override name = 'SecretLeakError' as const;
  /** JSON path of the offending key or value, e.g. `$.client.meta_access_token`. */
  readonly path: string;

  constructor(path: string, reason: 'key' | 'value') {
    super(
      reason === 'key'
        ? `Refusing to store a secret-like key at ${path}`
        : `Refusing to store a value containing a secret at ${path}`,
    );
    this.path = path;
  }
}

/** True for a {@link SecretLeakError}, also across duplicate module copies (matched by name). */
export function isSecretLeakError(error: unknown): error is SecretLeakError {
  return error instanceof Error && error.name === 'SecretLeakError';
}

/**
 * Throws {@link SecretLeakError} if any key inside `value` is named like a token, secret or
 * password, or any string (key or value) contains one of `secrets` (e.g. the Meta token and the
 * app secret): the runtime package's one rule, `findSecret`.
 *
 * @example
 * assertNoSecrets(cacheData, [config.metaAccessToken, config.metaAppSecret ?? '']);
 */
export function assertNoSecrets(value: unknown, secrets: readonly string[]): void {
  const found = findSecret(value, secrets);
  if (found) throw new SecretLeakError(found.path, found.reason);
}
