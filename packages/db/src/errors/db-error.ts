/** What the repository was doing when PostgREST (or the network) failed. */
export type DbOperation = 'select' | 'insert' | 'upsert' | 'update' | 'delete';

/** The error object supabase-js returns (`PostgrestError`), or anything shaped like it. */
export interface PostgrestErrorLike {
  message: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

export interface DbErrorOptions {
  table: string;
  operation: DbOperation;
  /** Postgres SQLSTATE (`23505`), PostgREST code (`PGRST116`), `NOT_FOUND`, or `''` for network failures. */
  code?: string;
  details?: string | null;
  hint?: string | null;
  /** HTTP status of the PostgREST response; 0 when no response arrived. */
  status?: number;
  cause?: unknown;
}

const MAX_DETAILS = 2000;

/**
 * A failed read or write, naming the table and the operation: every PostgREST error the repository
 * meets becomes one of these. `code` is the Postgres SQLSTATE when the database refused the statement
 * (`23503` foreign key, `23505` unique, `23514` check, `42P10` no unique key for the conflict target).
 *
 * @example
 * try { await repo.upsertDailyKpi(rows) } catch (e) { if (isDbError(e) && e.code === '23503') ... }
 */
export class DbError extends Error {
  override readonly name = 'DbError' as const;
  readonly table: string;
  readonly operation: DbOperation;
  readonly code: string;
  readonly details: string | null;
  readonly hint: string | null;
  readonly status: number;

  constructor(message: string, options: DbErrorOptions) {
    const code = options.code ?? '';
    super(`${options.operation} on ${options.table} failed${code ? ` (${code})` : ''}: ${message}`, {
      cause: options.cause,
    });
    this.table = options.table;
    this.operation = options.operation;
    this.code = code;
    this.details = truncate(options.details ?? null);
    this.hint = options.hint ?? null;
    this.status = options.status ?? 0;
  }
}

/** Matches by `name` too, so the check survives duplicate copies of this module. */
export function isDbError(error: unknown): error is DbError {
  return (
    error instanceof DbError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DbError')
  );
}

/** Wraps a supabase-js error (`{ message, code, details, hint }`) with the table and operation. */
export function toDbError(
  table: string,
  operation: DbOperation,
  error: PostgrestErrorLike,
  status?: number,
): DbError {
  return new DbError(error.message || describeStatus(status), {
    table,
    operation,
    code: error.code ?? '',
    details: error.details ?? null,
    hint: error.hint ?? null,
    status,
    cause: error,
  });
}

/** A message for an answer without one (a HEAD request, an empty body): what its status means. */
function describeStatus(status: number | undefined): string {
  if (status === undefined || status === 0) return 'no answer';
  const meaning: Record<number, string> = {
    401: 'unauthorized: the API key was refused',
    403: 'forbidden: the API key may not do this',
    404: 'not found',
    503: 'service unavailable',
  };
  return `HTTP ${status}${meaning[status] ? ` (${meaning[status]})` : ''}`;
}

/**
 * True when PostgREST refused the API key itself (a wrong or foreign service-role key, an expired JWT):
 * HTTP 401, or PostgREST's JWT errors (`PGRST300`-`PGRST303`).
 */
export function isDbAuthError(error: unknown): error is DbError {
  return isDbError(error) && (error.status === 401 || /^PGRST30[0-3]$/.test(error.code));
}

function truncate(value: string | null): string | null {
  if (value === null || value.length <= MAX_DETAILS) return value;
  return `${value.slice(0, MAX_DETAILS)}…`;
}
