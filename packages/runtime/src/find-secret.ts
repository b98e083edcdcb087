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
 * finding names the path, never the secret. `value` is judged as it would be stored, i.e. as its JSON: a
 * member JSON leaves out (an `undefined` value, a function) is not looked at.
 *
 * `jsonText`: a JSON text the caller already has that contains `value`'s JSON (its own, or a request body
 * it is part of). The common case, nothing found, is then answered from that text instead of serialising
 * `value` again; anything found there is looked for in `value` itself.
 *
 * @example
 * findSecret({ client: { meta_access_token: 'x' } }) // { path: '$.client.meta_access_token', reason: 'key' }
 */
export function findSecret(
  value: unknown,
  secrets: readonly string[] = [],
  root = '$',
  jsonText?: string,
): SecretFinding | undefined {
  const needles = secrets.filter((secret) => secret.length > 0);
  if (clearlyClean(value, needles, jsonText)) return undefined;
  const seen = new WeakSet<object>();
  const containsSecret = (text: string): boolean => {
    for (const needle of needles) if (text.includes(needle)) return true;
    return false;
  };
  // The path is built only for a finding: a cache_data object has thousands of nodes, and walking it must
  // not cost a string per node (issue 17).
  const trail: Array<string | number> = [];
  const pathOf = (last?: string): string => {
    let path = root;
    for (const step of trail) path += typeof step === 'number' ? `[${step}]` : `.${step}`;
    return last === undefined ? path : `${path}.${last}`;
  };

  const visit = (node: unknown): SecretFinding | undefined => {
    if (typeof node === 'string')
      return containsSecret(node) ? { path: pathOf(), reason: 'value' } : undefined;
    if (typeof node !== 'object' || node === null || seen.has(node)) return undefined;
    seen.add(node);
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        trail.push(index);
        const found = visit(node[index]);
        trail.pop();
        if (found) return found;
      }
      return undefined;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      const member = (node as Record<string, unknown>)[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      if (SECRET_KEY_PATTERN.test(key)) return { path: pathOf(key), reason: 'key' };
      if (containsSecret(key)) return { path: pathOf('<key>'), reason: 'key' };
      trail.push(key);
      const found = visit(member);
      trail.pop();
      if (found) return found;
    }
    return undefined;
  };

  return visit(value);
}

/**
 * The common case, answered from the value's JSON text in one native pass (issue 17: the walk was 5 % of a
 * refresh job's CPU): no secret-like key word anywhere in the text, and no secret in it either. JSON escapes
 * each character on its own, so a string holding a secret holds the secret's escaped form in the text.
 * Anything else (a match, which may only be a campaign named "Token sale"; a value JSON.stringify refuses)
 * goes to the walk, which finds the path.
 */
function clearlyClean(value: unknown, needles: readonly string[], jsonText?: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  let text = jsonText;
  try {
    text ??= JSON.stringify(value);
  } catch {
    return false;
  }
  if (text === undefined || SECRET_KEY_PATTERN.test(text)) return false;
  for (const needle of needles) if (text.includes(JSON.stringify(needle).slice(1, -1))) return false;
  return true;
}
