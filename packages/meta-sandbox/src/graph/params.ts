/**
 * @module
 * Request parameters as Graph accepts them: query string, form body or JSON body, merged into
 * one map; list parameters as JSON arrays or comma lists; object parameters as JSON or
 * `name[key]=value` pairs.
 */

export type Params = Map<string, string>;

/** Parses `a=1&b=2` into `into` (later values win). */
export function parseQueryString(query: string, into: Params = new Map()): Params {
  if (query.length === 0) return into;
  for (const [key, value] of new URLSearchParams(query)) into.set(key, value);
  return into;
}

/** Merges a JSON object body: strings stay, other values are JSON-encoded as Graph clients send them. */
export function mergeJsonBody(body: unknown, into: Params): Params {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return into;
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    into.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return into;
}

/** `["a","b"]`, `a,b` or `a` -> ['a', 'b']; null if a JSON value is not an array of strings. */
export function parseList(value: string): string[] | null {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed)) return null;
      return parsed.map((item) => String(item).trim()).filter((item) => item.length > 0);
    } catch {
      return null;
    }
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Parses a JSON parameter, or undefined when it is not valid JSON. */
export function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Reads an object parameter given as JSON (`time_range={...}`) or as `time_range[since]=...` pairs. */
export function objectParam(params: Params, name: string): Record<string, unknown> | null | undefined {
  const raw = params.get(name);
  if (raw !== undefined) {
    const parsed = parseJson(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    return parsed as Record<string, unknown>;
  }
  const prefix = `${name}[`;
  let found: Record<string, unknown> | undefined;
  for (const [key, value] of params) {
    if (key.startsWith(prefix) && key.endsWith(']')) {
      found ??= {};
      found[key.slice(prefix.length, -1)] = value;
    }
  }
  return found;
}

/**
 * A `fields` entry with an optional Graph alias: `spend.as(cost)` -> { name: 'spend', alias: 'cost' };
 * a plain `spend` -> { name: 'spend', alias: 'spend' }. (Apps created since Marketing API v27
 * may not use aliases; the router refuses them before any handler sees one.)
 */
export function splitAlias(field: string): { name: string; alias: string } {
  const match = /^([A-Za-z0-9_]+)\.as\(([A-Za-z0-9_]+)\)$/.exec(field);
  return match ? { name: match[1] ?? field, alias: match[2] ?? field } : { name: field, alias: field };
}
