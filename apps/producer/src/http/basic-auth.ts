/**
 * @module basic-auth
 * HTTP basic auth for Bull Board and `/api/*`. Credentials are compared in constant time: both sides
 * are hashed with SHA-256 first so `timingSafeEqual` gets equal lengths and the comparison time does not
 * depend on where (or whether the lengths) differ; user and password are both always compared.
 *
 * @example
 * app.use('/api/*', basicAuth({ user: 'admin', password: config.admin.password }));
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

export interface Credentials {
  user: string;
  password: string;
}

export const REALM = 'meta-engine admin';

/** `Authorization: Basic <base64(user:password)>` -> credentials, or undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined | null): Credentials | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function credentialsMatch(given: Credentials | undefined, expected: Credentials): boolean {
  const user = timingSafeEqual(digest(given?.user ?? ''), digest(expected.user));
  const password = timingSafeEqual(digest(given?.password ?? ''), digest(expected.password));
  // An empty configured password never matches (the configuration requires one anyway).
  return given !== undefined && expected.password.length > 0 && user && password;
}

export function basicAuth(expected: Credentials): MiddlewareHandler {
  return async (c, next) => {
    if (credentialsMatch(parseBasicAuth(c.req.header('authorization')), expected)) {
      await next();
      return;
    }
    return c.json({ error: 'authentication required' }, 401, {
      'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"`,
    });
  };
}
