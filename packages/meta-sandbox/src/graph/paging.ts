/**
 * @module
 * Cursor paging as Graph does it (reference §3.1): `{data, paging: {cursors: {before, after},
 * previous?, next?}}`, no `next` on the last page. Cursors are opaque strings; they encode an
 * item position plus a check value and are rejected if tampered with.
 */
import { hashParts } from '../util/hash.ts';
import type { Params } from './params.ts';

/**
 * Encodes item position `index` (may be -1 for "before the first item"). `variant` > 0 gives
 * another, different-looking cursor for the same position (the shared-cursor empty page uses it).
 */
export function encodeCursor(index: number, seed: string, variant = 0): string {
  if (variant === 0) {
    const check = (hashParts(seed, 'cursor', index) % 1_000_000).toString(36);
    return Buffer.from(`${index}:${check}`).toString('base64');
  }
  const check = (hashParts(seed, 'cursor', index, variant) % 1_000_000).toString(36);
  return Buffer.from(`${index}:${check}:${variant}`).toString('base64');
}

/** Decodes a cursor into its position and variant, or null when it is not one of ours. */
export function readCursor(cursor: string, seed: string): { index: number; variant: number } | null {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^(-?\d+):([0-9a-z]+)(?::(\d+))?$/.exec(text);
  if (!match) return null;
  const index = Number(match[1]);
  const variant = match[3] === undefined ? 0 : Number(match[3]);
  return encodeCursor(index, seed, variant) === cursor ? { index, variant } : null;
}

/** Decodes a cursor's position, or null when it is not one of ours. */
export function decodeCursor(cursor: string, seed: string): number | null {
  return readCursor(cursor, seed)?.index ?? null;
}

export interface PageRequest {
  /** Index of the first item of the page. */
  offset: number;
  limit: number;
  /** The request came through the `next` link of a shared-cursor empty page (no quirk twice in a row). */
  resumed?: boolean;
}

/** Reads `limit`, `after` and `before`; returns an error message for a bad cursor. */
export function pageRequest(
  params: Params,
  defaultLimit: number,
  maxLimit: number,
  seed: string,
): PageRequest | string {
  const limitParam = params.get('limit');
  let limit = defaultLimit;
  if (limitParam !== undefined) {
    const parsed = Number(limitParam);
    if (!Number.isInteger(parsed) || parsed < 1) return 'limit must be a positive integer';
    limit = Math.min(parsed, maxLimit);
  }
  const after = params.get('after');
  if (after !== undefined) {
    const cursor = readCursor(after, seed);
    if (cursor === null) return 'The after cursor is invalid';
    return cursor.variant > 0
      ? { offset: cursor.index + 1, limit, resumed: true }
      : { offset: cursor.index + 1, limit };
  }
  const before = params.get('before');
  if (before !== undefined) {
    const index = decodeCursor(before, seed);
    if (index === null) return 'The before cursor is invalid';
    return { offset: Math.max(0, index - limit), limit };
  }
  return { offset: 0, limit };
}

export interface LinkContext {
  /** 'http://127.0.0.1:1234/v26.0/act_1/insights' */
  base: string;
  params: Params;
  /** Whether access_token stays in links (it does when the request carried it in the query). */
  keepToken: boolean;
}

function link(context: LinkContext, limit: number, cursorName: 'after' | 'before', cursor: string): string {
  const query = new URLSearchParams();
  for (const [key, value] of context.params) {
    if (key === 'after' || key === 'before' || key === 'limit' || key === 'batch') continue;
    if (key === 'access_token' && !context.keepToken) continue;
    query.set(key, value);
  }
  query.set('limit', String(limit));
  query.set(cursorName, cursor);
  return `${context.base}?${query.toString()}`;
}

export interface Page<T> {
  data: T[];
  paging?: {
    cursors?: { before: string; after: string };
    previous?: string;
    next?: string;
  };
}

/** Cuts one page out of `items` and builds the paging envelope. */
export function buildPage<T>(
  items: readonly T[],
  request: PageRequest,
  context: LinkContext,
  seed: string,
): Page<T> {
  const start = Math.min(request.offset, items.length);
  const end = Math.min(start + request.limit, items.length);
  const data = items.slice(start, end);
  if (data.length === 0) {
    if (start > 0) {
      return {
        data,
        paging: { previous: link(context, request.limit, 'before', encodeCursor(start, seed)) },
      };
    }
    return { data };
  }
  const page: Page<T> = {
    data,
    paging: { cursors: { before: encodeCursor(start, seed), after: encodeCursor(end - 1, seed) } },
  };
  if (page.paging && start > 0)
    page.paging.previous = link(context, request.limit, 'before', encodeCursor(start, seed));
  if (page.paging && end < items.length)
    page.paging.next = link(context, request.limit, 'after', encodeCursor(end - 1, seed));
  return page;
}

/**
 * The shared-cursor empty page (issue 12.3, the way Meta answers): `data: []`, `paging.cursors`
 * equal to those of the page the request would have answered (so the same `after` cursor appears
 * on two pages in a row), and a `next` link back to the requested position under another cursor
 * (so every `next` URL is new and paging progresses). Call only when that page has rows.
 */
export function emptyPageSharedCursor<T>(
  total: number,
  request: PageRequest,
  context: LinkContext,
  seed: string,
): Page<T> {
  const end = Math.min(request.offset + request.limit, total);
  return {
    data: [],
    paging: {
      cursors: { before: encodeCursor(request.offset, seed), after: encodeCursor(end - 1, seed) },
      next: link(context, request.limit, 'after', encodeCursor(request.offset - 1, seed, 1)),
    },
  };
}

/** An empty page that still carries `next` (to the same position): the "empty page" fault. */
export function emptyPageWithNext<T>(request: PageRequest, context: LinkContext, seed: string): Page<T> {
  return {
    data: [],
    paging: { next: link(context, request.limit, 'after', encodeCursor(request.offset - 1, seed)) },
  };
}
