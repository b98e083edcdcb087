/**
 * Return codes of the limiter's Lua scripts. Non-negative codes are outcomes; negative codes are errors,
 * turned into a {@link LimiterError} by {@link scriptError} (the one place that does it).
 */
import { LimiterError } from '../errors/limiter-error.ts';

export const SCRIPT_CODES = {
  /** acquire/book: go now. */
  GRANTED: 0,
  /** acquire/book: park until the booked slot. */
  PACED: 1,
  /** acquire/book: the account or BUC is throttled; the booked slot is after the block. */
  BLOCKED: 2,
  /** acquire: every lease of the account is taken. */
  CONCURRENCY: 3,
  /** app-admit: an app-wide block is in force. */
  APP_BLOCKED: 4,
  /** Any script: an argument is missing or out of range; the next reply element is its ARGV index. */
  INVALID_ARGUMENT: -1,
  /** extend-lease: the lease expired and was reclaimed (or was never taken). */
  LEASE_LOST: -2,
} as const;

export type ScriptCode = (typeof SCRIPT_CODES)[keyof typeof SCRIPT_CODES];

/** Turns a negative script code into the error callers see. */
export function scriptError(script: string, code: number, detail?: number): LimiterError {
  switch (code) {
    case SCRIPT_CODES.INVALID_ARGUMENT:
      return new LimiterError(
        'invalid_argument',
        `limiter script ${script}: ARGV[${detail ?? '?'}] is missing or out of range`,
        { script },
      );
    case SCRIPT_CODES.LEASE_LOST:
      return new LimiterError('lease_lost', `limiter script ${script}: the lease expired and was reclaimed`, {
        script,
      });
    default:
      return new LimiterError('unknown_code', `limiter script ${script}: unknown return code ${code}`, {
        script,
      });
  }
}

/**
 * Checks a script reply `[code, ...]`: returns it as numbers-and-strings, or throws {@link scriptError}
 * for a negative code and a LimiterError for a malformed reply.
 */
export function checkReply(script: string, reply: unknown): Array<number | string> {
  if (!Array.isArray(reply) || reply.length === 0) {
    throw new LimiterError(
      'unexpected_reply',
      `limiter script ${script}: unexpected reply ${JSON.stringify(reply)}`,
      {
        script,
      },
    );
  }
  const values = reply.map((value: unknown) => (typeof value === 'number' ? value : String(value)));
  const code = Number(values[0]);
  if (code < 0) throw scriptError(script, code, values[1] === undefined ? undefined : Number(values[1]));
  return values;
}
