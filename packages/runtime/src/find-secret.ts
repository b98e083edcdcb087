/**
 * @module find-secret
 * The one rule for "does this JSON hold a secret?", used before anything browser-readable is stored (the
 * app once copied whole `clients` rows, tokens included, into `cache_data`): the worker checks the caches it
 * builds (against its token and app secret too), the db repository checks every cache row it writes.
 */

/** Key names that must never appear in stored JSON, whatever their value. */
export const SECRET_KEY_PATTERN = /token|secret|password/i;

/** Where a secret was found: a key named like one, or a string (key or value) containing a known secret. */
export interface SecretFinding {
  /** JSON path, e.g. `$.client.meta_access_token`; `<key>` stands for a key that contains a secret. */
  path: string;
  reason: 'key' | 'value';
}

/**
 * The first secret in `value`: a key matching {@link SECRET_KEY_PATTERN}, or a string containing one of
 * `secrets` (empty secrets are ignored: every string contains `''`). `undefined` when there is none. The
 * finding names the path, never the secret.
 *
 * @example
 * findSecret({ client: { meta_access_token: 'x' } }) // { path: '$.client.meta_access_token', reason: 'key' }
 */
export function findSecret(
  value: unknown,
  secrets: readonly string[] = [],
  root = '$',
): SecretFinding | undefined {
  const needles = secrets.filter((secret) => secret.length > 0);
  const seen = new WeakSet<object>();
  const containsSecret = (text: string): boolean => needles.some((needle) => text.includes(needle));

  const visit = (node: unknown, path: string): SecretFinding | undefined => {
    if (typeof node === 'string') return containsSecret(node) ? { path, reason: 'value' } : undefined;
    if (typeof node !== 'object' || node === null || seen.has(node)) return undefined;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) {
        const found = visit(item, `${path}[${index}]`);
        if (found) return found;
      }
      return undefined;
    }
    for (const [key, child] of Object.entries(node)) {
      const childPath = `${path}.${key}`;
      if (SECRET_KEY_PATTERN.test(key)) return { path: childPath, reason: 'key' };
      if (containsSecret(key)) return { path: `${path}.<key>`, reason: 'key' };
      const found = visit(child, childPath);
      if (found) return found;
    }
    return undefined;
  };

  return visit(value, root);
}
