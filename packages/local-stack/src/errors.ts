/**
 * Raised when a service named by an environment variable cannot be reached in time.
 * The message names the variable first, so an operator knows which setting to fix.
 */
export class ServiceUnreachableError extends Error {
  override readonly name = 'ServiceUnreachableError';
  readonly variable: string;

  constructor(variable: string, target: string, reason: string, options?: { cause?: unknown }) {
    super(`${variable}: cannot reach ${target} (${reason})`, options);
    this.variable = variable;
  }
}

/** Raised when a local binary the stack needs is not installed. */
export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';

  constructor(binary: string, hint: string) {
    super(`${binary} not found: ${hint}`);
  }
}
