/**
 * @module repo/json-rpc
 * A PostgREST RPC whose JSON body the repository has already serialised, for the largest writes: a guarded
 * write carries a refresh's two `cache_data` objects (about 57 KB) or a collect job's rows. postgrest-js
 * serialises every body with a replacer function (for bigints), which turns off V8's fast JSON path: for a
 * refresh that took twice as long as a plain `JSON.stringify`, and the cache rows' secret check serialised
 * them once more (issue 17). Here the body is one plain `JSON.stringify`, and the secret check reads that same
 * text.
 *
 * The request is the one `client.rpc(fn, args)` sends (POST `/rest/v1/rpc/<fn>` with the service-role key,
 * through the repository's fetch and its deadline), and the answer has postgrest-js's shape
 * (`{ data, error, status }`, status 0 when there was no answer), so callers handle errors and outages exactly
 * as for `client.rpc`.
 */
import type { DbResponse } from './context.ts';

/** POSTs `body` (JSON text) to the RPC `fn`; never throws (see the module comment). */
export type JsonRpc = (fn: string, body: string) => Promise<DbResponse>;

export function createJsonRpc(options: {
  supabaseUrl: string;
  serviceRoleKey: string;
  fetch: typeof fetch;
}): JsonRpc {
  const base = options.supabaseUrl.endsWith('/') ? options.supabaseUrl : `${options.supabaseUrl}/`;
  const rpcUrl = (fn: string) => new URL(`rest/v1/rpc/${encodeURIComponent(fn)}`, base).toString();
  const headers = {
    apikey: options.serviceRoleKey,
    authorization: `Bearer ${options.serviceRoleKey}`,
    'content-type': 'application/json',
    'content-profile': 'public',
  };
  return async (fn, body) => {
    let status = 0;
    let text: string;
    try {
      const response = await options.fetch(rpcUrl(fn), { method: 'POST', headers, body });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      // No answer (refused, reset, timed out): what postgrest-js reports for a rejected fetch.
      const error = cause instanceof Error ? cause : new Error(String(cause));
      const reason = error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return {
        data: null,
        error: { message: `${error.name}: ${error.message}${reason}`, details: '', hint: '', code: '' },
        status: 0,
      };
    }
    if (status >= 200 && status < 300) {
      if (text === '') return { data: null, error: null, status };
      try {
        return { data: JSON.parse(text) as unknown, error: null, status };
      } catch {
        return { data: null, error: { message: text }, status };
      }
    }
    // PostgREST's error object ({code, message, details, hint}); a proxy's page is kept as the message.
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return { data: null, error: parsed as DbResponse['error'], status };
      }
    } catch {
      // not JSON: below
    }
    return { data: null, error: { message: text }, status };
  };
}
