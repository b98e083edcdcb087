/**
 * @module routes/runs
 * `POST /api/runs`   start a run: `{ task, all: true }` or `{ task, clientIds: [...] }`, plus
 *                    `since`/`until` for collect-insights. 202 `{ runId, status, progressUrl }`.
 *                    400 for a malformed body, 422 naming unknown client ids or days Meta cannot have
 *                    (before its 37 months, after today); nothing is enqueued then.
 * `GET /api/runs`    the 20 most recent runs (`?limit=` up to 100).
 * `GET /api/runs/:id` the run with progress counts (done / failed / pending and per state).
 */
import { Hono } from 'hono';
import { RUN_ID_PATTERN } from '../../fanout/run-id.ts';
import {
  dateRangeProblems,
  normalizeRunRequest,
  type RunRequest,
  runRequestSchema,
  UnknownClientsError,
} from '../../fanout/run-request.ts';
import type { RunProgress, RunRecord } from '../../fanout/run-store.ts';
import { HttpError } from '../http-error.ts';
import { readJson } from '../read-json.ts';

export interface RunsApi {
  start(request: RunRequest): Promise<{ runId: string }>;
  progress(runId: string): Promise<RunProgress | null>;
  recent(limit: number): Promise<RunRecord[]>;
}

export function runsRoutes(runs: RunsApi): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const input = runRequestSchema.parse(await readJson(c), { reportInput: true });
    const outOfRange = dateRangeProblems(input);
    if (outOfRange.length > 0) {
      throw new HttpError(422, outOfRange.join('; '), {
        details: { since: input.since, until: input.until },
      });
    }
    try {
      const { runId } = await runs.start(normalizeRunRequest(input));
      return c.json({ runId, status: 'pending', progressUrl: `/api/runs/${runId}` }, 202);
    } catch (error) {
      if (error instanceof UnknownClientsError) {
        throw new HttpError(422, error.message, {
          details: { unknownClientIds: error.unknownIds.slice(0, 100) },
        });
      }
      throw error;
    }
  });
  app.get('/', async (c) => {
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 20) || 20));
    return c.json({ runs: await runs.recent(limit) });
  });
  app.get('/:id', async (c) => {
    const runId = c.req.param('id');
    if (!RUN_ID_PATTERN.test(runId)) throw new HttpError(400, `"${runId.slice(0, 80)}" is not a run id`);
    const progress = await runs.progress(runId);
    if (!progress) throw new HttpError(404, `no run ${runId} (unknown, or older than the retention)`);
    return c.json(progress);
  });
  return app;
}
