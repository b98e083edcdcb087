/**
 * Secret scrubbing. The shared system-user token must never reach an error message, a log line,
 * a thrown object's fields, its `cause`, its `stack` or its JSON.
 */

/** Query/form parameters that carry secrets in Graph API URLs (paging `next` URLs include `access_token`). */
export const SECRET_PARAMS = ['access_token', 'appsecret_proof', 'input_token', 'client_secret'] as const;

export const REDACTED = '[REDACTED]';

const SECRET_PARAM_PATTERN = new RegExp(`\\b(${SECRET_PARAMS.join('|')})=([^&\\s"'<>#]*)`, 'gi');
const BEARER_PATTERN = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;

/** Removes secret query parameters from an absolute or relative URL; never throws. */
export function scrubUrl(url: string): string {
  try {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    const parsed = new URL(url, 'http://scrub.invalid');
    for (const name of [...parsed.searchParams.keys()]) {
      if ((SECRET_PARAMS as readonly string[]).includes(name.toLowerCase())) parsed.searchParams.delete(name);
    }
    const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
    return absolute ? `${parsed.origin}${rest}` : rest;
  } catch {
    return scrubText(url);
  }
}

/** The path of a URL without query or fragment (what errors and events carry). */
export function pathOnly(url: string): string {
  try {
    return new URL(url, 'http://scrub.invalid').pathname;
  } catch {
    return scrubText(url.split(/[?#]/, 1)[0] ?? '');
  }
}

/** Replaces every known secret value, `<secret_param>=value` pair and `Bearer <token>` in free text. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(SECRET_PARAM_PATTERN, (_m, name: string) => `${name}=${REDACTED}`);
  return out.replace(BEARER_PATTERN, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

/** Deep-scrubs strings inside JSON-like data (for `error_data` and similar fields kept on errors). */
export function scrubValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = scrubValue(v, secrets, depth + 1);
  return out;
}

/**
 * A plain `Error` copy of a low-level cause (undici / node errors) with message, stack and nested
 * causes scrubbed. `name` and a string `code` (e.g. `UND_ERR_HEADERS_TIMEOUT`, `ECONNREFUSED`) are kept.
 */
export function sanitizeCause(cause: unknown, secrets: readonly string[] = [], depth = 0): Error | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) {
    return new Error(scrubText(typeof cause === 'string' ? cause : safeString(cause), secrets));
  }
  const nested = depth < 3 ? sanitizeCause(cause.cause, secrets, depth + 1) : undefined;
  const copy = new Error(scrubText(cause.message, secrets), nested ? { cause: nested } : undefined);
  copy.name = cause.name;
  const code: unknown = (cause as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  copy.stack = scrubText(cause.stack ?? `${cause.name}: ${cause.message}`, secrets);
  return copy;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
