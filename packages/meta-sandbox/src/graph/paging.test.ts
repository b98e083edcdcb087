import { describe, expect, it } from 'vitest';
import {
  buildPage,
  decodeCursor,
  emptyPageSharedCursor,
  encodeCursor,
  pageRequest,
  readCursor,
} from './paging.ts';

const links = {
  base: 'https://graph.test/v26.0/act_1/insights',
  params: new Map([['level', 'ad']]),
  keepToken: false,
};

describe('cursors', () => {
  it('round-trip, differ by seed, and reject tampering', () => {
    for (const index of [-1, 0, 7, 12_345]) expect(decodeCursor(encodeCursor(index, 's'), 's')).toBe(index);
    expect(encodeCursor(3, 'a')).not.toBe(encodeCursor(3, 'b'));
    expect(decodeCursor(encodeCursor(3, 'a'), 'b')).toBeNull();
    expect(decodeCursor(Buffer.from('3:zzzz').toString('base64'), 's')).toBeNull();
    expect(decodeCursor('%%%', 's')).toBeNull();
  });

  it('a variant cursor names the same position with another value', () => {
    const variant = encodeCursor(4, 's', 1);
    expect(variant).not.toBe(encodeCursor(4, 's'));
    expect(readCursor(variant, 's')).toEqual({ index: 4, variant: 1 });
    expect(readCursor(encodeCursor(4, 's'), 's')).toEqual({ index: 4, variant: 0 });
    expect(pageRequest(new Map([['after', variant]]), 25, 100, 's')).toEqual({
      offset: 5,
      limit: 25,
      resumed: true,
    });
  });
});

describe('emptyPageSharedCursor', () => {
  it('has no rows, the cursors of the page it stands for, and next back to the same position', () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const request = { offset: 2, limit: 3 };
    const empty = emptyPageSharedCursor<number>(items.length, request, links, 's');
    const real = buildPage(items, request, links, 's');
    expect(empty.data).toEqual([]);
    expect(empty.paging?.cursors).toEqual(real.paging?.cursors);
    const next = new URL(empty.paging?.next ?? '');
    expect(empty.paging?.next).not.toBe(real.paging?.next);
    expect(pageRequest(new Map(next.searchParams), 25, 100, 's')).toEqual({ ...request, resumed: true });
  });
});

describe('buildPage', () => {
  const items = Array.from({ length: 5 }, (_, i) => i);

  it('has next until the last page, and previous after the first', () => {
    const first = buildPage(items, { offset: 0, limit: 2 }, links, 's');
    expect(first.data).toEqual([0, 1]);
    expect(first.paging?.previous).toBeUndefined();
    const next = new URL(first.paging?.next ?? '');
    expect(next.searchParams.get('level')).toBe('ad');
    expect(next.searchParams.get('limit')).toBe('2');
    const request = pageRequest(new Map(next.searchParams), 25, 100, 's');
    expect(request).toEqual({ offset: 2, limit: 2 });
    const last = buildPage(items, { offset: 4, limit: 2 }, links, 's');
    expect(last.data).toEqual([4]);
    expect(last.paging?.next).toBeUndefined();
    expect(last.paging?.previous).toBeDefined();
  });

  it('drops access_token from links unless it came in the query', () => {
    const params = new Map([['access_token', 'EAAsecret']]);
    const without = buildPage(items, { offset: 0, limit: 1 }, { ...links, params }, 's');
    expect(without.paging?.next).not.toContain('EAAsecret');
    const withToken = buildPage(items, { offset: 0, limit: 1 }, { ...links, params, keepToken: true }, 's');
    expect(withToken.paging?.next).toContain('access_token=EAAsecret');
  });

  it('an empty result has no paging', () => {
    expect(buildPage([], { offset: 0, limit: 2 }, links, 's')).toEqual({ data: [] });
  });
});
