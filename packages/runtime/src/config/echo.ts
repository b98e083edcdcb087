/**
 * @module echo
 * How a problem message shows a bad value: in single quotes, cut at 40 characters. Only the helpers for
 * values that are never secret (numbers, booleans, levels, zones, host lists) call it; URL, key and token
 * helpers never echo what they were given.
 */
const MAX_ECHO = 40;

/** `abc` -> `'abc'`; a long value is cut (`'aaaa…'`). */
export function echo(value: string): string {
  return `'${value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value}'`;
}
