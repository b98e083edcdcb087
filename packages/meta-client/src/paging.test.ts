import { describe, expect, it } from 'vitest';
import { isMetaPagingError, MetaPagingError } from './errors/meta-paging-error.ts';
import type { GraphPage } from './paging.ts';
import { collectPages, paginate } from './paging.ts';

const NEXT = (after: string) =>
  `https://graph.facebook.com/v26.0/act_1/insights?access_token=SECRET&limit=2&after=${after}`;

/** A fake fetcher serving scripted pages keyed by `after` cursor (undefined = first page). */
function fakeFetcher<T>(pages: Record<string, GraphPage<T> | Error>) {
  const calls: Array<string | undefined> = [];
  const fetch = async (next: string | undefined): Promise<GraphPage<T>> => {
    calls.push(next);
    const key = next === undefined ? 'first' : (new URL(next).searchParams.get('after') ?? 'first');
    const page = pages[key];
    if (page === undefined) throw new Error(`no page ${key}`);
    if (page instanceof Error) throw page;
    return page;
  };
  return { fetch, calls };
}

describe('paginate', () => {
  it('follows paging.next until it is absent and yields every page', async () => {
    const { fetch, calls } = fakeFetcher<number>({
      first: { data: [1, 2], paging: { next: NEXT('a'), cursors: { after: 'a' } } },
      a: { data: [3, 4], paging: { next: NEXT('b'), cursors: { after: 'b', before: 'x' } } },
      b: { data: [5], paging: { cursors: { after: 'c' } } },
    });
    const result = await collectPages(paginate(fetch));
    expect(result.data).toEqual([1, 2, 3, 4, 5]);
    expect(result.pages).toBe(3);
    expect(calls).toEqual([undefined, NEXT('a'), NEXT('b')]);
  });

  it('continues past an empty page that carries next', async () => {
    const { fetch } = fakeFetcher<number>({
      first: { data: [], paging: { next: NEXT('a') } },
      a: { data: [], paging: { next: NEXT('b') } },
      b: { data: [7] },
    });
    expect((await collectPages(paginate(fetch))).data).toEqual([7]);
  });

  it('never stops on a short page while next is present', async () => {
    const { fetch } = fakeFetcher<number>({
      first: { data: [1], paging: { next: NEXT('a') } },
      a: { data: [2], paging: { next: NEXT('b') } },
      b: { data: [3, 4] },
    });
    expect((await collectPages(paginate(fetch))).data).toEqual([1, 2, 3, 4]);
  });

  it('a single page with cursors but no next is the last page', async () => {
    const { fetch, calls } = fakeFetcher<number>({
      first: { data: [1], paging: { cursors: { after: 'MTAx', before: 'NDMy' } } },
    });
    expect((await collectPages(paginate(fetch))).data).toEqual([1]);
    expect(calls).toHaveLength(1);
  });

  it('an error on a later page rejects the whole read: no partial result', async () => {
    const failure = new Error('page 3 failed');
    const { fetch } = fakeFetcher<number>({
      first: { data: [1], paging: { next: NEXT('a') } },
      a: { data: [2], paging: { next: NEXT('b') } },
      b: failure,
    });
    await expect(collectPages(paginate(fetch))).rejects.toBe(failure);
  });

  it('stops a repeated next URL with a clear error', async () => {
    const { fetch } = fakeFetcher<number>({
      first: { data: [1], paging: { next: NEXT('a') } },
      a: { data: [2], paging: { next: NEXT('a') } },
    });
    const error = await collectPages(paginate(fetch, { method: 'GET', path: '/v26.0/act_1/insights' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MetaPagingError);
    expect(isMetaPagingError(error)).toBe(true);
    expect((error as MetaPagingError).reason).toBe('repeated_next');
    expect((error as MetaPagingError).message).toBe(
      'Paging stopped: the same next URL came back after 2 pages (a loop) on GET /v26.0/act_1/insights',
    );
    expect((error as MetaPagingError).message).not.toContain('SECRET');
  });

  it("Meta's empty page whose cursors equal the next page's is followed, not taken for a loop (issue 12.3)", async () => {
    // An empty page carries the cursors of the page its next link leads to, so `after` repeats on two
    // pages in a row while every next URL is new: the read must go on and return every row once.
    const { fetch, calls } = fakeFetcher<number>({
      first: { data: [], paging: { cursors: { before: 'c0', after: 'c1' }, next: NEXT('x0') } },
      x0: { data: [1, 2], paging: { cursors: { before: 'c0', after: 'c1' }, next: NEXT('c1') } },
      c1: { data: [], paging: { cursors: { before: 'c2', after: 'c3' }, next: NEXT('x2') } },
      x2: { data: [3, 4], paging: { cursors: { before: 'c2', after: 'c3' }, next: NEXT('c3') } },
      c3: { data: [5], paging: { cursors: { before: 'c4', after: 'c4' } } },
    });
    const result = await collectPages(paginate(fetch));
    expect(result.data).toEqual([1, 2, 3, 4, 5]);
    expect(result.pages).toBe(5);
    expect(calls).toHaveLength(5);
  });

  it('a repeated after cursor with new next URLs is not a loop; the page budget still ends an endless read', async () => {
    let n = 0;
    const fetch = async (): Promise<GraphPage<number>> => {
      n += 1;
      return {
        data: [n],
        paging: { next: `https://graph.facebook.com/x?after=same&ts=${n}`, cursors: { after: 'same' } },
      };
    };
    const error = await collectPages(paginate(fetch, { maxPages: 20 })).catch((e: unknown) => e);
    expect((error as MetaPagingError).reason).toBe('max_pages');
    expect(n).toBe(20);
  });

  it('too many empty pages in a row end the read (a loop that changes its URLs)', async () => {
    let n = 0;
    const fetch = async (): Promise<GraphPage<number>> => {
      n += 1;
      return { data: [], paging: { next: `https://graph.facebook.com/x?after=e${n}` } };
    };
    const error = await collectPages(paginate(fetch, { maxEmptyPages: 5 })).catch((e: unknown) => e);
    expect((error as MetaPagingError).reason).toBe('empty_pages');
    expect((error as MetaPagingError).message).toContain('5 empty pages in a row');
    expect(n).toBe(5);
  });

  it('enforces maxPages', async () => {
    let n = 0;
    const fetch = async (): Promise<GraphPage<number>> => {
      n += 1;
      return { data: [n], paging: { next: `https://graph.facebook.com/x?after=${n}` } };
    };
    const error = await collectPages(paginate(fetch, { maxPages: 5 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaPagingError);
    expect((error as MetaPagingError).reason).toBe('max_pages');
    expect((error as MetaPagingError).category).toBe('request_bug');
    expect(n).toBe(5);
  });

  it('reports the last usage snapshot and the first summary', async () => {
    const usageA = { businessUseCase: [], app: { callCount: 1, totalTime: 1, totalCputime: 1 } };
    const usageB = { businessUseCase: [], app: { callCount: 2, totalTime: 2, totalCputime: 2 } };
    const { fetch } = fakeFetcher<number>({
      first: { data: [1], paging: { next: NEXT('a') }, usage: usageA, summary: { total: 2 } },
      a: { data: [2], usage: usageB },
    });
    const result = await collectPages(paginate(fetch));
    expect(result.usage).toBe(usageB);
    expect(result.summary).toEqual({ total: 2 });
  });
});
