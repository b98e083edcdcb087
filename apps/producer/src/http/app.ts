/**
 * @module app
 * The admin HTTP app (Hono): the operator console, Bull Board, the run and rotation API, health and metrics.
 *
 * | Path                   | Auth  | What                                                  |
 * |------------------------|-------|-------------------------------------------------------|
 * | `/console[/*]`         | basic | operator console: clients, freshness, actions (HTML)  |
 * | `/api/clients[/:id]`   | basic | the console's data and actions as JSON                |
 * | `/admin/queues`        | basic | Bull Board for every queue (job data redacted)        |
 * | `POST /api/runs`       | basic | start a run, 202 `{ runId }`                          |
 * | `GET /api/runs[/:id]`  | basic | recent runs / one run's progress                      |
 * | `POST /api/rotation`   | basic | rotate: re-validate all, resume token-fatal pauses    |
 * | `GET /healthz`         | none  | process up                                            |
 * | `GET /readyz`          | none  | Redis and database reachable, else 503 naming which   |
 * | `GET /metrics`         | none  | Prometheus                                            |
 *
 * Built from injected dependencies only, so tests drive it with `app.request()`.
 *
 * @example
 * const app = createAdminApp(deps);
 * const res = await app.request('/healthz');
 */
import type { Queue } from 'bullmq';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { clientsApiRoutes, consoleRoutes } from '../console/console-routes.ts';
import type { ConsoleService } from '../console/console-service.ts';
import { CONSOLE_PATH } from '../console/views/layout.ts';
import { adminBasicAuth, type Credentials } from './basic-auth.ts';
import { mountBullBoard } from './bull-board.ts';
import { errorHandler } from './error-handler.ts';
import { HttpError } from './http-error.ts';
import { originGuard } from './origin-guard.ts';
import { healthRoutes, type ReadinessChecks } from './routes/health.ts';
import { type MetricsSource, metricsRoutes } from './routes/metrics.ts';
import { type RotationApi, rotationRoutes } from './routes/rotation.ts';
import { type RunsApi, runsRoutes } from './routes/runs.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export interface AdminAppDeps {
  credentials: Credentials;
  /** Every queue Bull Board shows. */
  queues: readonly Queue[];
  bullBoardReadOnly: boolean;
  /** Literal secrets to hide wherever the app shows data (token, keys). */
  secrets: readonly string[];
  runs: RunsApi;
  rotation: RotationApi;
  readiness: ReadinessChecks;
  metrics: MetricsSource;
  /** The operator console and `/api/clients`; not mounted when absent. */
  console?: ConsoleService | undefined;
  logger?: Logger | undefined;
}

export function createAdminApp(deps: AdminAppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.logger));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));

  const auth = adminBasicAuth(deps.credentials);
  const guarded = [
    BULL_BOARD_PATH,
    `${BULL_BOARD_PATH}/*`,
    '/api',
    '/api/*',
    CONSOLE_PATH,
    `${CONSOLE_PATH}/*`,
  ];
  for (const path of guarded) app.use(path, auth, originGuard());
  const limit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new HttpError(413, 'request body is larger than 1 MiB');
    },
  });
  // Every route, Bull Board's included (issue 12.8): after the credentials check, so an anonymous body is
  // never read. Declared Content-Length over the limit is refused at once, a chunked body while it streams.
  app.use('*', limit);

  app.route('/', healthRoutes(deps.readiness, { secrets: deps.secrets }));
  app.route('/', metricsRoutes(deps.metrics));
  app.route('/api/runs', runsRoutes(deps.runs));
  app.route('/api/rotation', rotationRoutes(deps.rotation));
  if (deps.console) {
    app.route(CONSOLE_PATH, consoleRoutes(deps.console, { bullBoardPath: BULL_BOARD_PATH }));
    app.route('/api', clientsApiRoutes(deps.console));
  }
  app.get('/', (c) => c.redirect(deps.console ? CONSOLE_PATH : BULL_BOARD_PATH));
  mountBullBoard(app, BULL_BOARD_PATH, {
    queues: deps.queues,
    readOnly: deps.bullBoardReadOnly,
    secrets: deps.secrets,
  });
  return app;
}
