/**
 * @module repo/postgrest-fetch
 * The `fetch` supabase-js sends the repository's PostgREST requests through: undici's `request` on one
 * keep-alive pool, its answer handed back as a standard `Response`. Node's global `fetch` is the same undici
 * underneath with the whole Fetch standard on top (a `Request` object, web streams for every body, header
 * validation per field); in the worker that was most of the CPU a PostgREST request cost, and a refresh-cache
 * job makes five of them (issue 17, bench/README.md). What supabase-js sees is unchanged: a `Response`
 * (status, headers, text), and a rejected promise when there is no answer (refused, reset, timed out,
 * aborted), which the repository reports as status 0, an outage.
 */
import { Agent } from 'undici';

export interface PostgrestFetchOptions {
  /** Sockets per origin (default 16). */
  connections?: number;
  /** Idle keep-alive sockets are closed after this (ms, default 10 s). */
  keepAliveTimeoutMs?: number;
}

/** Statuses whose answer has no body (`new Response` refuses one for them). */
const NO_BODY: ReadonlySet<number> = new Set([101, 204, 205, 304]);

type RequestHeaders = Record<string, string>;
type HeadersInput = RequestInit['headers'];
type BodyInput = RequestInit['body'];
type FetchInput = Parameters<typeof fetch>[0];

function headersOf(init: HeadersInput): RequestHeaders {
  const headers: RequestHeaders = {};
  if (init === undefined || init === null) return headers;
  if (init instanceof Headers || Array.isArray(init)) {
    for (const [name, value] of init as Iterable<[string, string]>) headers[name.toLowerCase()] = value;
    return headers;
  }
  for (const [name, value] of Object.entries(init as Record<string, string>))
    headers[name.toLowerCase()] = value;
  return headers;
}

function bodyOf(body: BodyInput): string | Uint8Array | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // supabase-js sends JSON text; anything else is a caller's mistake, said plainly.
  throw new TypeError(`postgrest fetch: unsupported request body (${Object.prototype.toString.call(body)})`);
}

/** A `fetch` for PostgREST (see the module comment). `close()` ends its sockets. */
export function createPostgrestFetch(
  options: PostgrestFetchOptions = {},
): typeof fetch & { close(): Promise<void> } {
  const agent = new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
  });
  const postgrestFetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      // A Request object (never from supabase-js): the standard fetch takes it as it is.
      return fetch(input, init);
    }
    const url = typeof input === 'string' ? new URL(input) : input;
    const answer = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (init?.method ?? 'GET') as 'GET',
      headers: headersOf(init?.headers),
      body: bodyOf(init?.body),
      signal: init?.signal ?? null,
    });
    const text = await answer.body.text();
    const headers: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.push([name, item]);
      else if (value !== undefined) headers.push([name, value]);
    }
    return new Response(NO_BODY.has(answer.statusCode) ? null : text, {
      status: answer.statusCode,
      headers,
    });
  };
  return Object.assign(postgrestFetch as typeof fetch, { close: () => agent.close() });
}
