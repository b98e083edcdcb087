/**
 * @module error-handler
 * The admin app's single error handler: HttpError -> its status and message; a body that is not JSON or
 * fails its schema -> 400 naming what is wrong; a Hono HTTPException -> its response (basic auth's 401)
 * or its status; Redis or the database not answering -> 503 naming which, with `Retry-After` (issue
 * 12.8: the request may work in a moment, nothing about it was wrong); anything else -> 500 with a
 * request id and no internals (the details go to the log, never to the client).
 */
import { randomUUID } from 'node:crypto';
import { isDbUnavailableError } from '@meta-engine/db';
import { isRedisConnectionError, wrongTypeMessage } from '@meta-engine/queue';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { z } from 'zod';
import { HttpError } from './http-error.ts';

/** What a 503 suggests (seconds). */
const RETRY_AFTER_SECONDS = 5;

export function errorHandler(logger?: Logger): ErrorHandler {
  return (error: Error, c: Context) => {
    if (error instanceof HttpError) {
      const body: Record<string, unknown> = { error: error.message };
      if (error.details !== undefined) body.details = error.details;
      return c.json(body, error.status);
    }
    if (error instanceof z.ZodError) {
      return c.json({ error: 'invalid request body', details: describeZodIssues(error) }, 400);
    }
    if (error instanceof HTTPException) {
      // A middleware's own response (basic auth's 401 with its challenge) goes out as built.
      if (error.res) return error.getResponse();
      return c.json({ error: error.message || 'request refused' }, error.status);
    }
    const down = isRedisConnectionError(error)
      ? 'Redis'
      : isDbUnavailableError(error)
        ? 'the database'
        : null;
    if (down !== null) {
      logger?.warn({ method: c.req.method, path: c.req.path, err: error }, `${down} is unavailable`);
      c.header('retry-after', String(RETRY_AFTER_SECONDS));
      return c.json(
        { error: `${down} is unavailable: nothing was done; try again once it is back (GET /readyz)` },
        503,
      );
    }
    const requestId = randomUUID();
    logger?.error({ requestId, method: c.req.method, path: c.req.path, err: error }, 'admin request failed');
    return c.json({ error: 'internal error', requestId }, 500);
  };
}

/**
 * One line per issue: `path: problem`. A value of the wrong type says what was expected and what came
 * (`expected a JSON object, got an array`; parse with `{ reportInput: true }`), a missing one `is required`.
 */
export function describeZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') return `unexpected field(s): ${issue.keys.join(', ')}`;
    const message =
      issue.code === 'invalid_type'
        ? (wrongTypeMessage(issue, path ? 'an object' : 'a JSON object') ?? 'is required')
        : issue.message;
    return path ? `${path}: ${message}` : message;
  });
}
