/**
 * @module console/console-routes
 * The operator console (`/console`, HTML) and its JSON twin (`/api/clients`), both behind the admin
 * app's basic auth and origin guard (app.ts): a POST from another site's page is refused before it gets
 * here, and the pages forbid framing and scripts (CSP).
 *
 * | Route                                   | What                                                           |
 * |-----------------------------------------|----------------------------------------------------------------|
 * | `GET  /console`                         | clients table (`?filter=&sort=&dir=&q=`), token panel          |
 * | `GET  /console/clients/:id`             | one client (`?notice=&run=` after an action)                   |
 * | `POST /console/clients/:id/:action`     | revalidate, refresh, collect, clear-blocks, pause, resume; 303 |
 * | `POST /console/app-block/clear`         | lift the app-wide block; 303                                   |
 * | `GET  /api/clients`, `/api/clients/:id` | the same data as JSON                                          |
 * | `POST /api/clients/:id/:action`         | the same actions as JSON (202 with the run id for runs)        |
 * | `POST /api/app-block/clear`             | lift the app-wide block (JSON)                                 |
 */
import { isDbError } from '@meta-engine/db';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { RUN_ID_PATTERN } from '../fanout/run-id.ts';
import { HttpError } from '../http/http-error.ts';
import { type ClientQuery, clientQuerySchema } from './client-view.ts';
import {
  type ActionResult,
  CLIENT_ACTIONS,
  type ClientAction,
  ClientNotFoundError,
  type ConsoleService,
} from './console-service.ts';
import { clientPage, NOTICES, type NoticeCode } from './views/client-page.ts';
import { clientsPage } from './views/clients-page.ts';
import { CONSOLE_PATH, CONTENT_SECURITY_POLICY, page } from './views/layout.ts';

export interface ConsoleRoutesOptions {
  bullBoardPath: string;
}

const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFRESH_SECONDS = 2;

function parseQuery(c: Context): ClientQuery {
  const parsed = clientQuerySchema.safeParse(c.req.query());
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown parameter(s): ${issue.keys.join(', ')}`
      : `${issue.path.join('.')}: ${issue.message}`,
  );
  throw new HttpError(400, `invalid query: ${problems.join('; ')}`);
}

function clientIdOf(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!CLIENT_ID.test(id)) throw new HttpError(400, `"${id.slice(0, 80)}" is not a client id (a uuid)`);
  return id.toLowerCase();
}

function actionOf(c: Context): ClientAction {
  const action = c.req.param('action') ?? '';
  if (!(CLIENT_ACTIONS as readonly string[]).includes(action)) {
    throw new HttpError(404, `no action "${action.slice(0, 40)}"; actions: ${CLIENT_ACTIONS.join(', ')}`);
  }
  return action as ClientAction;
}

const formSchema = z.object({
  reason: z.string().max(500, 'reason: at most 500 characters').optional(),
});

/** The optional `reason` of a pause, from a form or a JSON body. */
async function reasonOf(c: Context): Promise<string | null> {
  const type = c.req.header('content-type') ?? '';
  let body: unknown = {};
  if (/^application\/x-www-form-urlencoded|^multipart\/form-data/i.test(type)) body = await c.req.parseBody();
  else if (/json/i.test(type)) {
    const text = await c.req.text();
    try {
      body = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    } catch (error) {
      throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = formSchema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data.reason?.trim() || null;
}

async function act(service: ConsoleService, c: Context): Promise<{ clientId: string; result: ActionResult }> {
  const clientId = clientIdOf(c);
  const action = actionOf(c);
  const reason = action === 'pause' ? await reasonOf(c) : null;
  const result = await service.act(clientId, action, { reason, by: c.get('adminUser') ?? null });
  return { clientId, result };
}

/** A database without migration 0005 answers "no such function/table". */
const MISSING_SCHEMA = new Set(['PGRST202', 'PGRST205', '42883', '42P01']);

/** Errors the console can explain: an unknown client (404), a database not migrated for it (503). */
function explain(error: unknown): never {
  if (error instanceof ClientNotFoundError) throw new HttpError(404, error.message);
  if (isDbError(error) && MISSING_SCHEMA.has(error.code)) {
    throw new HttpError(
      503,
      `the database is not migrated for the console (${error.table}): run pnpm db:migrate`,
    );
  }
  throw error;
}

/** The service with its errors explained (handlers' errors go straight to the app's error handler). */
function explained(service: ConsoleService): ConsoleService {
  return {
    objectives: service.objectives,
    clients: (query) => service.clients(query).catch(explain),
    client: (clientId) => service.client(clientId).catch(explain),
    runProgress: (runId) => service.runProgress(runId),
    freshnessSummary: (maxAgeMs) => service.freshnessSummary(maxAgeMs),
    act: (clientId, action, input) => service.act(clientId, action, input).catch(explain),
    clearAppBlock: () => service.clearAppBlock(),
  };
}

function noticeFor(result: ActionResult): NoticeCode {
  if (result.status !== 'refused') return result.status;
  return result.reason.includes('paused') ? 'refused-paused' : 'refused-account';
}

function html(c: Context, body: Parameters<Context['html']>[0], status: 200 | 404 = 200) {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', 'no-store');
  return c.html(body, status);
}

export function consoleRoutes(consoleService: ConsoleService, options: ConsoleRoutesOptions): Hono {
  const service = explained(consoleService);
  const app = new Hono();
  const bullBoardPath = options.bullBoardPath;

  app.get('/', async (c) => {
    const view = await service.clients(parseQuery(c));
    return html(c, page({ title: 'Clients', body: clientsPage(view, bullBoardPath), bullBoardPath }));
  });

  app.get('/clients/:id', async (c) => {
    const clientId = clientIdOf(c);
    const notice = c.req.query('notice');
    const runId = c.req.query('run');
    // The run first: when it says finished, every write of its jobs is in the facts read after it.
    const run = runId && RUN_ID_PATTERN.test(runId) ? await service.runProgress(runId) : null;
    const detail = await service.client(clientId);
    if (!detail) throw new HttpError(404, `no client ${c.req.param('id')} with an ad account`);
    const body = clientPage(detail, {
      bullBoardPath,
      notice: notice && notice in NOTICES ? (notice as NoticeCode) : undefined,
      run,
    });
    return html(
      c,
      page({
        title: detail.client.name || detail.client.id,
        body,
        bullBoardPath,
        refreshSeconds: run && !run.finished ? REFRESH_SECONDS : undefined,
      }),
    );
  });

  app.post('/clients/:id/:action', async (c) => {
    const { clientId, result } = await act(service, c);
    const params = new URLSearchParams({ notice: noticeFor(result) });
    if (result.status === 'run-started') params.set('run', result.runId);
    return c.redirect(`${CONSOLE_PATH}/clients/${clientId}?${params}`, 303);
  });

  app.post('/app-block/clear', async (c) => {
    await service.clearAppBlock();
    return c.redirect(`${CONSOLE_PATH}?notice=app-block-cleared`, 303);
  });
  return app;
}

/** `/api/clients` and `/api/app-block`: the console's data and actions as JSON. */
export function clientsApiRoutes(consoleService: ConsoleService): Hono {
  const service = explained(consoleService);
  const app = new Hono();
  app.get('/clients', async (c) => c.json(await service.clients(parseQuery(c))));
  app.get('/clients/:id', async (c) => {
    const detail = await service.client(clientIdOf(c));
    if (!detail) throw new HttpError(404, `no client ${c.req.param('id')} with an ad account`);
    return c.json(detail);
  });
  app.post('/clients/:id/:action', async (c) => {
    const { result } = await act(service, c);
    if (result.status === 'refused') throw new HttpError(409, result.reason);
    if (result.status === 'run-started') {
      return c.json({ ...result, progressUrl: `/api/runs/${result.runId}` }, 202);
    }
    return c.json(result);
  });
  app.post('/app-block/clear', async (c) => {
    await service.clearAppBlock();
    return c.json({ status: 'app-block-cleared' });
  });
  return app;
}
