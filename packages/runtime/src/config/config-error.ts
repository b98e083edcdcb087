/**
 * @module config-error
 * The one error every app and CLI throws for a missing or malformed configuration value, so that one
 * function ({@link exitOnConfigError}) can print it and exit 78 everywhere. The message is one line per
 * problem, `VARIABLE: problem`; problems never carry a secret (see the field helpers for what they echo).
 */

/** One problem with one variable (or, for a `.env` file, with the file). */
export interface ConfigIssue {
  /** The environment variable to fix (`CONCURRENCY_VALIDATE`), or the file (`.env`). */
  variable: string;
  /** What is wrong, e.g. `expected an integer, got 'abc'` or `is required`. */
  problem: string;
}

/**
 * @example
 * throw new ConfigError([{ variable: 'REDIS_URL', problem: 'is required' }]);
 * // message: "REDIS_URL: is required"
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(({ variable, problem }) => `${variable}: ${problem}`).join('\n'));
    this.issues = issues;
  }
}

/** True for a {@link ConfigError}, also across duplicate module copies (matched by name and shape). */
export function isConfigError(error: unknown): error is ConfigError {
  return (
    error instanceof Error &&
    error.name === 'ConfigError' &&
    Array.isArray((error as { issues?: unknown }).issues)
  );
}
