/**
 * @module origin-guard
 * Basic auth is sent by browsers automatically, so a page on another site could make a logged-in
 * operator's browser POST to Bull Board or the API. This rejects state-changing requests whose `Origin`
 * (or, without one, `Referer`) names another host than the request's own. Requests without either
 * header (curl, the reporting app's server) pass: they are not made by a browser on someone's behalf.
 */
import type { MiddlewareHandler } from 'hono';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function originGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const source = c.req.header('origin') ?? c.req.header('referer');
    if (source === undefined) return next();
    if (source !== 'null' && sameHost(source, c.req.header('host'))) return next();
    return c.json({ error: 'cross-origin request refused' }, 403);
  };
}

function sameHost(source: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(source).host === host;
  } catch {
    return false;
  }
}
