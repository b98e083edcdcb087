export const LIMITER_ERROR_NAME = 'LimiterError';

/** Why the limiter refused a call: a bad argument, or a lease that expired and was reclaimed. */
export type LimiterErrorCode = 'invalid_argument' | 'lease_lost' | 'unexpected_reply' | 'unknown_code';

/** Raised by the limiter, from TypeScript checks or from a script's negative return code (see `lua/codes.ts`). */
export class LimiterError extends Error {
  override readonly name = LIMITER_ERROR_NAME;
  readonly code: LimiterErrorCode;
  /** The Lua script that returned the code, when it came from one. */
  readonly script: string | undefined;

  constructor(code: LimiterErrorCode, message: string, options?: ErrorOptions & { script?: string }) {
    super(message, options);
    this.code = code;
    this.script = options?.script;
  }
}

export function isLimiterError(error: unknown): error is LimiterError {
  return error instanceof Error && error.name === LIMITER_ERROR_NAME;
}
