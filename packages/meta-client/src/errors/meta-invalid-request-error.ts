import { isNamed, MetaError } from './meta-error.ts';

/** A request rejected before sending (bad insights params, a malformed ad account or report run id, ...). Category `request_bug`. */
export class MetaInvalidRequestError extends MetaError {
  override readonly name = 'MetaInvalidRequestError' as const;
  /** Which input was wrong, e.g. `time_range.since`. */
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string; method?: string; path?: string } = {}) {
    super(message, { category: 'request_bug', method: options.method, path: options.path });
    this.field = options.field;
  }
}

export function isMetaInvalidRequestError(error: unknown): error is MetaInvalidRequestError {
  return error instanceof MetaInvalidRequestError || isNamed(error, 'MetaInvalidRequestError');
}
