/**
 * @module
 * `POST /` with `batch=[...]` (reference §5.4): at most 50 items, each dispatched as its own
 * Graph call (so each counts against rate limits), answered in order as
 * `{code, headers:[{name,value}], body:"<json>"}`; `include_headers=false` drops `headers`.
 */
import { batchTooLargeError, type GraphError, invalidParameterError } from '../graph/errors.ts';
import { type Params, parseJson, parseQueryString } from '../graph/params.ts';
import { CANONICAL_HEADER_NAMES } from '../graph/usage-headers.ts';
import type { SandboxState } from '../state.ts';
import type { GraphRequest, GraphResponse } from './types.ts';

export const MAX_BATCH_SIZE = 50;

export interface BatchItemResult {
  code: number;
  headers?: Array<{ name: string; value: string }>;
  body: string;
}

/** Splits a relative URL ('v26.0/act_1/insights?x=1', '/me') into version, path and params. */
export function parseRelativeUrl(
  relative: string,
  defaultVersion: string,
): { version: string; path: string; params: Params } {
  const trimmed = relative.trim().replace(/^\/+/, '');
  const question = trimmed.indexOf('?');
  const rawPath = question === -1 ? trimmed : trimmed.slice(0, question);
  const params = parseQueryString(question === -1 ? '' : trimmed.slice(question + 1));
  const { version, path } = splitVersion(`/${rawPath}`, defaultVersion);
  return { version, path, params };
}

/** '/v25.0/act_1' -> { version: 'v25.0', path: '/act_1' }; no prefix -> the default version. */
export function splitVersion(rawPath: string, defaultVersion: string): { version: string; path: string } {
  const match = /^\/(v\d+\.\d+)(\/.*)?$/.exec(rawPath);
  let version = defaultVersion;
  let path = rawPath;
  if (match) {
    version = match[1] ?? defaultVersion;
    path = match[2] ?? '/';
  }
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  return { version, path: path.length === 0 ? '/' : path };
}

export type Dispatch = (state: SandboxState, req: GraphRequest) => GraphResponse;

const PERMISSION_CODES = new Set([10, 200]);

/** Batch sub-items with permission errors carry code 403 (reference §8). */
function itemStatus(response: GraphResponse): number {
  if (response.status !== 400) return response.status;
  const error = (
    parseJson(response.body) as { error?: { code?: number; error_subcode?: number } } | undefined
  )?.error;
  if (!error) return response.status;
  if ((error.code === 100 && error.error_subcode === 33) || PERMISSION_CODES.has(error.code ?? -1))
    return 403;
  return response.status;
}

/** Runs a batch; returns the items or the error for the whole request. */
export function runBatch(
  state: SandboxState,
  parent: GraphRequest,
  dispatch: Dispatch,
): { items: Array<BatchItemResult | null> } | GraphError {
  const raw = parent.params.get('batch');
  if (raw === undefined) return invalidParameterError('The parameter batch is required');
  const parsed = parseJson(raw);
  if (!Array.isArray(parsed)) return invalidParameterError('batch parameter must be a JSON array');
  if (parsed.length > MAX_BATCH_SIZE) return batchTooLargeError();
  const includeHeaders = parent.params.get('include_headers') !== 'false';
  state.counters.app.batchRequests++;
  const items: Array<BatchItemResult | null> = [];
  for (const entry of parsed) {
    state.counters.app.batchItems++;
    if (
      entry === null ||
      typeof entry !== 'object' ||
      typeof (entry as { relative_url?: unknown }).relative_url !== 'string'
    ) {
      const error = invalidParameterError('Each batch item needs a relative_url');
      items.push({
        code: 400,
        ...(includeHeaders
          ? { headers: [{ name: 'Content-Type', value: 'application/json; charset=UTF-8' }] }
          : {}),
        body: JSON.stringify({ error: { ...error.error, fbtrace_id: state.nextTraceId() } }),
      });
      continue;
    }
    const item = entry as { method?: unknown; relative_url: string; body?: unknown; access_token?: unknown };
    const method = typeof item.method === 'string' ? item.method.toUpperCase() : 'GET';
    const { version, path, params } = parseRelativeUrl(item.relative_url, parent.version);
    if (method === 'POST' && typeof item.body === 'string') parseQueryString(item.body, params);
    const tokenInUrl = params.get('access_token');
    const token = typeof item.access_token === 'string' ? item.access_token : (tokenInUrl ?? parent.token);
    const response = dispatch(state, {
      method: method === 'POST' ? 'POST' : method === 'DELETE' ? 'DELETE' : 'GET',
      path,
      version,
      params,
      token,
      tokenInQuery: tokenInUrl !== undefined,
      inBatch: true,
    });
    if (
      state.faults.chance(
        response.accountId,
        'batch-null',
        state.faultsFor(response.accountId).batchNullItemRate,
      )
    ) {
      items.push(null);
      continue;
    }
    const code = itemStatus(response);
    items.push(
      includeHeaders
        ? {
            code,
            headers: response.headers.map(([name, value]) => ({
              name: CANONICAL_HEADER_NAMES[name] ?? name,
              value,
            })),
            body: response.body,
          }
        : { code, body: response.body },
    );
  }
  return { items };
}
