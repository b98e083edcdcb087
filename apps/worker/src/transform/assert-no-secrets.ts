/**
 * @module
 * Last line of defence before a `cache_data` JSON is written: the app once copied the whole
 * `clients` row, tokens included, into `current_week_cache.cache_data.client` (§6, "Smaller").
 * The builders never do that, but they take caller data; this guard makes a leak a failed job
 * instead of a token readable by every browser that loads the report.
 */

/** Key names that must never appear in stored JSON, whatever their value. */
const SECRET_KEY = /token|secret|password/i;

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
 * app secret). Empty secrets are ignored: every string contains `''`.
 *
 * @example
 * assertNoSecrets(cacheData, [config.metaAccessToken, config.metaAppSecret ?? '']);
 */
export function assertNoSecrets(value: unknown, secrets: readonly string[]): void {
  const needles = secrets.filter((s) => s.length > 0);
  const seen = new WeakSet<object>();
  // The path is built only for the error: a cache_data object has thousands of nodes and walking it must
  // not cost a string per node.
  const trail: Array<string | number> = [];
  const pathOf = (last?: string) => {
    let path = '$';
    for (const step of trail) path += typeof step === 'number' ? `[${step}]` : `.${step}`;
    return last === undefined ? path : `${path}.${last}`;
  };

  const containsSecret = (text: string): boolean => {
    for (const needle of needles) if (text.includes(needle)) return true;
    return false;
  };

  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      if (needles.length > 0 && containsSecret(node)) throw new SecretLeakError(pathOf(), 'value');
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        trail.push(index);
        visit(node[index]);
        trail.pop();
      }
      return;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (SECRET_KEY.test(key)) throw new SecretLeakError(pathOf(key), 'key');
      if (needles.length > 0 && containsSecret(key)) throw new SecretLeakError(`${pathOf()}.<key>`, 'key');
      trail.push(key);
      visit((node as Record<string, unknown>)[key]);
      trail.pop();
    }
  };

  visit(value);
}
