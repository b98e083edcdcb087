/**
 * @module routes/health
 * `GET /healthz`: the process is up (no dependencies checked, no auth).
 * `GET /readyz`: Redis and the database both answer within the timeout; 503 naming the one that did not.
 */
import { Hono } from 'hono';
import { redactString } from '../redact.ts';

export type ReadinessChecks = Record<'redis' | 'database', () => Promise<void>>;

export function healthRoutes(
  checks: ReadinessChecks,
  options: { timeoutMs?: number; secrets?: readonly string[] } = {},
): Hono {
  const timeoutMs = options.timeoutMs ?? 2000;
  const started = Date.now();
  const app = new Hono();
  app.get('/healthz', (c) =>
    c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }),
  );
  app.get('/readyz', async (c) => {
    const names = Object.keys(checks) as (keyof ReadinessChecks)[];
    const results = await Promise.all(names.map((name) => withTimeout(checks[name](), timeoutMs)));
    const body: Record<string, string> = {};
    const failed: string[] = [];
    results.forEach((error, i) => {
      const name = names[i]!;
      if (error === undefined) body[name] = 'ok';
      else {
        failed.push(name);
        body[name] = `failed: ${redactString(error, options.secrets ?? []).slice(0, 200)}`;
      }
    });
    if (failed.length === 0) return c.json({ status: 'ready', checks: body });
    return c.json({ status: 'not ready', failed, checks: body }, 503);
  });
  return app;
}

/** Resolves to undefined when `check` succeeds in time, else to the reason it did not. */
async function withTimeout(check: Promise<void>, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([check.then(() => undefined), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
