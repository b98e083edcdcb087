/**
 * A row the repository refuses before sending anything: a missing or malformed field (an ad account id
 * that is not `act_<digits>`/`<digits>`, a period id in the wrong format, a non-finite metric, a token
 * inside cache_data). Nothing of the batch was written.
 */
export class InvalidRowError extends Error {
  override readonly name = 'InvalidRowError' as const;
  readonly table: string;
  readonly field: string;
  /** Position of the offending row in the input, when the call took several. */
  readonly index: number | null;
  /** The row holds a secret (a key named like a token, or a known secret's value): never stored. */
  readonly secret: boolean;

  constructor(
    table: string,
    field: string,
    problem: string,
    options: { index?: number; cause?: unknown; secret?: boolean } = {},
  ) {
    const where = options.index === undefined ? '' : ` (row ${options.index})`;
    super(`invalid ${table}.${field}${where}: ${problem}`, { cause: options.cause });
    this.table = table;
    this.field = field;
    this.index = options.index ?? null;
    this.secret = options.secret ?? false;
  }
}

export function isInvalidRowError(error: unknown): error is InvalidRowError {
  return (
    error instanceof InvalidRowError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'InvalidRowError')
  );
}
