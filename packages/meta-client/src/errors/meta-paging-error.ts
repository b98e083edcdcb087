import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

/**
 * `repeated_next`: the same `next` URL came back (a loop); `max_pages`: more pages than the budget;
 * `empty_pages`: too many empty pages in a row. A repeated cursor alone is never a failure.
 */
export type PagingFailure = 'repeated_next' | 'max_pages' | 'empty_pages';

export interface MetaPagingErrorOptions extends Omit<MetaErrorOptions, 'category'> {
  reason: PagingFailure;
  pages: number;
}

/**
 * The paging guard stopped a read: the same `next` URL came back, or the page budget ran out (pages
 * in all, or empty pages in a row). Nothing read so far is returned. Category `request_bug` (retrying the
 * same read would loop again).
 */
export class MetaPagingError extends MetaError {
  override readonly name = 'MetaPagingError' as const;
  readonly reason: PagingFailure;
  readonly pages: number;

  constructor(options: MetaPagingErrorOptions) {
    const what =
      options.reason === 'repeated_next'
        ? `the same next URL came back after ${options.pages} pages (a loop)`
        : options.reason === 'empty_pages'
          ? `${options.pages} empty pages in a row`
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
