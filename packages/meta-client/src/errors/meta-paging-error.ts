import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

export type PagingFailure = 'repeated_cursor' | 'max_pages';

export interface MetaPagingErrorOptions extends Omit<MetaErrorOptions, 'category'> {
  reason: PagingFailure;
  pages: number;
}

/**
 * The paging guard stopped a read: the same `next` URL / `after` cursor came back twice, or the
 * page budget ran out. Nothing read so far is returned. Category `request_bug` (retrying the
 * same read would loop again).
 */
export class MetaPagingError extends MetaError {
  override readonly name = 'MetaPagingError' as const;
  readonly reason: PagingFailure;
  readonly pages: number;

  constructor(options: MetaPagingErrorOptions) {
    const what =
      options.reason === 'repeated_cursor'
        ? `paging cursor repeated after ${options.pages} pages`
        : `more than ${options.pages} pages`;
    super(`Paging stopped: ${what}${describeCall(options.method, options.path)}`, {
      ...options,
      category: 'request_bug',
    });
    this.reason = options.reason;
    this.pages = options.pages;
  }
}

export function isMetaPagingError(error: unknown): error is MetaPagingError {
  return error instanceof MetaPagingError || isNamed(error, 'MetaPagingError');
}
