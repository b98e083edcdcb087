/** A migration that could not be loaded or applied; `migration` names the file (`0002_engine_tables`). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError' as const;
  readonly migration: string | null;

  constructor(message: string, options: { migration?: string; cause?: unknown } = {}) {
    super(options.migration ? `migration ${options.migration}: ${message}` : message, {
      cause: options.cause,
    });
    this.migration = options.migration ?? null;
  }
}

export function isMigrationError(error: unknown): error is MigrationError {
  return (
    error instanceof MigrationError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'MigrationError')
  );
}
