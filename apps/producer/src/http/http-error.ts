/**
 * @module http-error
 * The one error type routes throw to answer with a client error; the error handler turns it into JSON.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;
  readonly details: unknown;
  constructor(
    status: HttpError['status'],
    message: string,
    options: { details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.details = options.details;
  }
}
