/**
 * @module basic-auth
 * HTTP basic auth for Bull Board, the console and `/api/*`: Hono's `hono/basic-auth` middleware with our
 * realm and JSON 401 body. Hono parses the header and compares user and password in constant time (both
 * hashed with SHA-256 first, both always compared), so neither the comparison time nor the lengths tell
 * where a guess differs. What stays ours: an empty configured password is refused when the middleware is
 * built (it would otherwise match an empty one), and the signed-in user is kept on the context for the
 * console's "changed by".
 *
 * @example
 * app.use('/api/*', adminBasicAuth({ user: 'admin', password: config.admin.password }));
 */
import type { MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';

export interface Credentials {
  user: string;
  password: string;
}

export const REALM = 'meta-engine admin';

declare module 'hono' {
  interface ContextVariableMap {
    /** The admin user who signed in (for the console's "changed by"). */
    adminUser: string;
  }
}

export function adminBasicAuth(expected: Credentials): MiddlewareHandler {
  if (!expected.user || !expected.password) {
    throw new Error('basic auth needs a user and a non-empty password (ADMIN_USER, ADMIN_PASSWORD)');
  }
  return basicAuth({
    username: expected.user,
    password: expected.password,
    realm: REALM,
    invalidUserMessage: { error: 'authentication required' },
    onAuthSuccess: (c, user) => {
      c.set('adminUser', user);
    },
  });
}
