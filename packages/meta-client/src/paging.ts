/**
 * Cursor paging over an injected page fetcher (`reference/meta-graph-api.md` §3.1, [D11]):
 * follow `paging.next` until it is absent. An empty page that carries `next` continues; a short
 * page never ends the read. A failing page throws out of the iterator: collect with
 * `collectPages` to get all rows or an error, never a silent partial list.
 *
 * A loop is detected only by what really loops: the same `next` URL coming back, or the page budget
 * (`maxPages` in all, `maxEmptyPages` empty pages in a row). Never by a repeated cursor: Meta answers
 * some pages with `data: []` and the `paging.cursors` of the page that follows (issue 12.3), so one
 * `after` value legitimately appears on two pages in a row while the read still progresses.
 *
 * @example
 * for await (const page of paginate((next) => fetchPage(next))) rows.push(...page.data);
 */
import { MetaPagingError, type PagingFailure } from './errors/meta-paging-error.ts';
import type { UsageSnapshot } from './parse-usage-headers.ts';
import { scrubUrl } from './scrub.ts';

export interface GraphPaging {
  next?: string | undefined;
  previous?: string | undefined;
  cursors?: { after?: string | undefined; before?: string | undefined } | undefined;
}

export interface GraphPage<T> {
  data: T[];
  paging?: GraphPaging | undefined;
  summary?: unknown;
  /** Usage snapshot of the response that delivered this page. */
  usage?: UsageSnapshot | undefined;
}

/** Fetches the first page when `next` is `undefined`, else the page behind the `next` URL. */
export type PageFetcher<T> = (next: string | undefined) => Promise<GraphPage<T>>;

export interface PaginateOptions {
  /** Hard cap on pages for one read (default 10 000). */
  maxPages?: number;
  /** Cap on empty pages in a row, a loop whose URLs keep changing (default 100). */
  maxEmptyPages?: number;
  /** For error messages only (scrubbed). */
  method?: string;
  path?: string;
  adAccountId?: string;
}

export const DEFAULT_MAX_PAGES = 10_000;
export const DEFAULT_MAX_EMPTY_PAGES = 100;

export async function* paginate<T>(
  fetchPage: PageFetcher<T>,
  options: PaginateOptions = {},
): AsyncGenerator<GraphPage<T>, void, undefined> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const maxEmptyPages = options.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES;
  const seenNext = new Set<string>();
  let next: string | undefined;
  let pages = 0;
  let emptyInARow = 0;
  for (;;) {
    if (pages >= maxPages) throw pagingError('max_pages', maxPages, options);
    const page = await fetchPage(next);
    pages += 1;
    yield page;
    const following = page.paging?.next;
    if (typeof following !== 'string' || following === '') return;
    emptyInARow = page.data.length === 0 ? emptyInARow + 1 : 0;
    if (emptyInARow >= maxEmptyPages) throw pagingError('empty_pages', emptyInARow, options);
    // The URL without its token (Meta echoes `access_token` into next links).
    const key = scrubUrl(following);
    if (seenNext.has(key)) throw pagingError('repeated_next', pages, options);
    seenNext.add(key);
    next = following;
  }
}

export interface CollectedPages<T> {
  data: T[];
  pages: number;
  /** Usage snapshot of the last page's response. */
  usage: UsageSnapshot;
  /** `summary` of the first page that had one. */
  summary?: unknown;
}

/** Drains a page iterator into one list; any page error rejects the whole read. */
export async function collectPages<T>(pages: AsyncIterable<GraphPage<T>>): Promise<CollectedPages<T>> {
  const data: T[] = [];
  let count = 0;
  let usage: UsageSnapshot = { businessUseCase: [] };
  let summary: unknown;
  for await (const page of pages) {
    count += 1;
    for (const row of page.data) data.push(row);
    if (page.usage) usage = page.usage;
    if (summary === undefined && page.summary !== undefined) summary = page.summary;
  }
  return summary === undefined ? { data, pages: count, usage } : { data, pages: count, usage, summary };
}

function pagingError(reason: PagingFailure, pages: number, options: PaginateOptions) {
  return new MetaPagingError({
    reason,
    pages,
    method: options.method,
    path: options.path,
    adAccountId: options.adAccountId,
  });
}
