/**
 * @module
 * Meta sends every scalar metric as a string (`"100.50"`); the app's tables want numbers, and
 * its BIGINT columns want integers (a fractional value makes PostgREST reject the whole upsert,
 * which is why the app `Math.round`s them, `app-contract.md` §1.4).
 */

/**
 * A metric value → a finite number: meta-client's `metricNumber` (one parser for the whole system).
 * Missing, empty, non-numeric, `'NaN'` and ±Infinity become 0, because a missing metric in an insights row
 * means "nothing happened", and NaN must never reach a NUMERIC column or a JSON cache.
 */
import { metricNumber } from '@meta-engine/meta-client';

export const toMetricNumber: (value: unknown) => number = metricNumber;

/**
 * The value rounded to an integer, for BIGINT columns (`total_impressions`, `reservations`, ...).
 * Accepts raw strings too; anything unusable is 0.
 *
 * @example
 * toBigintValue('1234.6') // 1235
 */
export function toBigintValue(value: unknown): number {
  // `+ 0` turns the -0 that Math.round(-0.4) gives into 0, so JSON and equality stay simple.
  return Math.round(toMetricNumber(value)) + 0;
}

/**
 * Rounds to `decimals` places (half away from zero), for DECIMAL(p,2) columns: the row we build
 * then equals the row Postgres stores, so re-runs compare equal.
 *
 * @example
 * roundTo(2.675, 2) // 2.68
 */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const factor = 10 ** decimals;
  let scaled = Math.abs(value) * factor;
  // toPrecision(15) removes binary noise first (2.675 is stored as 2.67499999...). It moves the value by
  // less than scaled x 1e-14, so it can change the rounding only near a half: elsewhere it is skipped.
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) <= Math.max(scaled, 1) * 1e-13) {
    scaled = Number(scaled.toPrecision(15));
  }
  return (Math.sign(value) * Math.round(scaled)) / factor + 0;
}

/** `numerator / denominator`, or 0 when the denominator is 0 (ROAS with no spend, cost per reservation with none). */
export function safeRatio(numerator: number, denominator: number): number {
  if (denominator === 0 || !Number.isFinite(denominator) || !Number.isFinite(numerator)) return 0;
  return numerator / denominator;
}
