import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

/** Which limit fired: TCP/TLS connect, waiting for response headers, a gap in the body, or the whole call. */
export type MetaTimeoutPhase = 'connect' | 'headers' | 'body' | 'total';

export interface MetaTimeoutErrorOptions extends Omit<MetaErrorOptions, 'category'> {
  phase: MetaTimeoutPhase;
  timeoutMs?: number;
}

/** A configured timeout fired. Transient (the request may still have been processed by Meta). */
export class MetaTimeoutError extends MetaError {
  override readonly name = 'MetaTimeoutError' as const;
  readonly phase: MetaTimeoutPhase;
  readonly timeoutMs: number | undefined;

  constructor(options: MetaTimeoutErrorOptions) {
    const after = options.timeoutMs === undefined ? '' : ` after ${options.timeoutMs} ms`;
    super(`Timeout (${options.phase})${after}${describeCall(options.method, options.path)}`, {
      ...options,
      category: 'transient',
    });
    this.phase = options.phase;
    this.timeoutMs = options.timeoutMs;
  }
}

export function isMetaTimeoutError(error: unknown): error is MetaTimeoutError {
  return error instanceof MetaTimeoutError || isNamed(error, 'MetaTimeoutError');
}
