/**
 * @module read-json
 * Reads a request body as JSON, turning every way it can be wrong into an HttpError(400) that says so.
 */
import type { Context } from 'hono';
import { HttpError } from './http-error.ts';

export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type !== undefined && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(
      400,
      `request body must be JSON (Content-Type: application/json), got ${type.slice(0, 60)}`,
    );
  }
  const text = await c.req.text();
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}
