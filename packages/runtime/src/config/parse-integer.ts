/**
 * @module parse-integer
 * The one rule for whole numbers, in environment variables and command-line flags alike: trim, then
 * decimal digits with an optional leading `-` (and nothing else: `1e3`, `0x10`, `5.0`, `+5` and `1_000`
 * are refused), then the range. Pure; the field helpers and the CLIs build on it.
 */
import { echo } from './echo.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface IntegerRange {
  min?: number;
  max?: number;
}

/**
 * @example
 * parseInteger(' 5 ', { min: 1 });  // { ok: true, value: 5 }
 * parseInteger('1e3');              // { ok: false, problem: "expected an integer, got '1e3'" }
 * parseInteger('0', { min: 1 });    // { ok: false, problem: "must be at least 1, got '0'" }
 */
export function parseInteger(raw: string, range: IntegerRange = {}): Parsed<number> {
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) return { ok: false, problem: `expected an integer, got ${echo(text)}` };
  const value = Number(text);
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (value < min) return { ok: false, problem: `must be at least ${min}, got ${echo(text)}` };
  if (value > max) return { ok: false, problem: `must be at most ${max}, got ${echo(text)}` };
  // -0 is 0.
  return { ok: true, value: value === 0 ? 0 : value };
}
