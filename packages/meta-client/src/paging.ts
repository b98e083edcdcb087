/**
 * Cursor paging over an injected page fetcher (`reference/meta-graph-api.md` §3.1, [D11]):
 * follow `paging.next` until it is absent. An empty page that carries `next` continues; a short
 * page never ends the read. A failing page throws out of the iterator: collect with
 * `collectPages` to get all rows or an error, never a silent partial list.
 *
 * @example
 * for await (const page of paginate((next) => fetchPage(next))) rows.push(...page.data);
 */
import { MetaPagingError } from './errors/meta-paging-error.ts';
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
  /** For error messages only (scrubbed). */
  method?: string;
  path?: string;
  adAccountId?: string;
}

export const DEFAULT_MAX_PAGES = 10_000;

export async function* paginate<T>(
  fetchPage: PageFetcher<T>,
  options: PaginateOptions = {},
): AsyncGenerator<GraphPage<T>, void, undefined> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const seenNext = new Set<string>();
  const seenAfter = new Set<string>();
  let next: string | undefined;
  let pages = 0;
  for (;;) {
    if (pages >= maxPages) throw pagingError('max_pages', maxPages, options);
    const page = await fetchPage(next);
    pages += 1;
    yield page;
    const following = page.paging?.next;
    if (typeof following !== 'string' || following === '') return;
    const key = scrubUrl(following);
    const after = page.paging?.cursors?.after;
    if (seenNext.has(key) || (typeof after === 'string' && after !== '' && seenAfter.has(after))) {
      throw pagingError('repeated_cursor', pages, options);
    }
    seenNext.add(key);
    if (typeof after === 'string' && after !== '') seenAfter.add(after);
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

function pagingError(reason: 'max_pages' | 'repeated_cursor', pages: number, options: PaginateOptions) {
  return new MetaPagingError({
    reason,
    pages,
    method: options.method,
    path: options.path,
    adAccountId: options.adAccountId,
  });
}
