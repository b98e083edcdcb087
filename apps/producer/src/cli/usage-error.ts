/**
 * @module usage-error
 * A bad command line: unknown flag, missing or contradictory flags, malformed value, unknown client id.
 * main.ts prints the message and exits with EXIT.usage; nothing has been enqueued when it is thrown.
 */
import { EXIT_CONFIG } from '@meta-engine/runtime';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Process exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  /** A job of the awaited run failed, the fan-out failed, or a runtime error. */
  failure: 1,
  /** Bad flags or arguments (nothing was done). */
  usage: 2,
  /** Missing or malformed configuration (nothing was done): the runtime's exitOnConfigError. */
  config: EXIT_CONFIG,
} as const;
