/**
 * @module is-db-unavailable-error
 * Tells "the database is not answering right now" apart from every other database error (a constraint,
 * a missing table, bad input): an outage is waited out (the worker parks its jobs without using an
 * attempt, the admin API answers 503), the others are real failures (issue 12.2). Pure.
 *
 * Unavailable means: no HTTP answer at all (PostgREST down, a timeout: status 0), a gateway's 502/503/504,
 * PostgREST's connection errors (`PGRST000` could not connect, `PGRST001` connection lost, `PGRST002` no
 * schema cache yet, `PGRST003` no pool connection in time), or Postgres' connection and shutdown states
 * (SQLSTATE class `08`, `57P01`-`57P03`).
 *
 * @example
 * if (isDbUnavailableError(error)) return park(...); // not a failure of the job
 */
import { isDbError } from './db-error.ts';

const POSTGREST_CONNECTION_CODES: ReadonlySet<string> = new Set([
  'PGRST000',
  'PGRST001',
  'PGRST002',
  'PGRST003',
]);

export function isDbUnavailableError(error: unknown): boolean {
  if (!isDbError(error)) return false;
  if (POSTGREST_CONNECTION_CODES.has(error.code)) return true;
  if (/^08/.test(error.code) || /^57P0[123]$/.test(error.code)) return true;
  if (error.code === 'NOT_FOUND' || /^(2[2-3]|42)/.test(error.code)) return false;
  return error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504;
}
