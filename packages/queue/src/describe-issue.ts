/**
 * @module describe-issue
 * One wording for a value of the wrong type, shared by the job payload errors (here) and the producer's
 * request-body errors: `expected a string, got a number`, never "required" for a value that is there
 * (issue 12.7). Parse with `{ reportInput: true }` so zod keeps the input on the issue; only the input's
 * type is described, never the value (it may be anything a caller sent).
 *
 * @example
 * schema.safeParse(data, { reportInput: true }).error?.issues.map(wrongTypeMessage)
 * // ['expected a string, got a number']
 */
import type { z } from 'zod';

/** `a string`, `a number`, `an array`, `null`, ... (pure). */
export function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'an array',
  int: 'an integer',
  nan: 'a number',
};

/**
 * For an `invalid_type` issue whose value is present: `expected <type>, got <type>`; `undefined` for any
 * other issue, and for a missing value (the caller says "required" its own way).
 */
export function wrongTypeMessage(issue: z.core.$ZodIssue, expectedObject = 'an object'): string | undefined {
  if (issue.code !== 'invalid_type' || !('input' in issue) || issue.input === undefined) return undefined;
  const expected =
    issue.expected === 'object'
      ? expectedObject
      : (EXPECTED[issue.expected] ?? `a ${String(issue.expected)}`);
  return `expected ${expected}, got ${describeValueType(issue.input)}`;
}
