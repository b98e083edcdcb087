/**
 * Graph batch requests (`reference/meta-graph-api.md` §5.4) as a building block: pure helpers to
 * build the `batch` form field and to parse each sub-response like a normal response (own status,
 * usage headers, error envelope). Batching saves round trips, not quota: every item counts.
 */
import type { HttpMethod, Params } from './build-request.ts';
import { adAccountIdFromPath, encodeParam, pathFromNextUrl, versionedPath } from './build-request.ts';
import type { ClassifyInput } from './classify-meta-error.ts';
import type { MetaError } from './errors/meta-error.ts';
import { MetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import { MetaTimeoutError } from './errors/meta-timeout-error.ts';
import { parseGraphResponse } from './parse-response.ts';
import type { UsageSnapshot } from './parse-usage-headers.ts';
import { emptyUsage } from './parse-usage-headers.ts';
import { pathOnly, SECRET_PARAMS } from './scrub.ts';

export const MAX_BATCH_SIZE = 50;

export interface BatchRequest {
  method: HttpMethod;
  /** Graph path with optional query, without version (`act_1/insights?level=campaign`) or versioned. */
  relativeUrl: string;
  /** Query parameters (GET/DELETE) or form body (POST), encoded like normal requests. */
  params?: Params;
  /** Optional name for JSONPath dependencies between items. */
  name?: string;
  /** Classification context for this item (`report_run` when polling fresh report runs). */
  context?: ClassifyInput['context'];
}

export type BatchItemResult =
  | {
      ok: true;
      index: number;
      status: number;
      data: unknown;
      usage: UsageSnapshot;
      /** Scrubbed path of the item. */
      path: string;
      adAccountId?: string | undefined;
    }
  | {
      ok: false;
      index: number;
      /** `undefined` for a `null` item (partial batch timeout). */
      status: number | undefined;
      error: MetaError;
      usage: UsageSnapshot;
      path: string;
      adAccountId?: string | undefined;
    };

interface WireItem {
  method: HttpMethod;
  relative_url: string;
  body?: string;
  name?: string;
}

/** The JSON for the `batch` form field; throws `MetaInvalidRequestError` for 0 or more than 50 items. */
export function buildBatchField(requests: readonly BatchRequest[], apiVersion: string): string {
  if (requests.length === 0 || requests.length > MAX_BATCH_SIZE) {
    throw new MetaInvalidRequestError(
      `A batch needs 1 to ${MAX_BATCH_SIZE} requests, got ${requests.length}`,
      { field: 'batch' },
    );
  }
  const items: WireItem[] = requests.map((request) => {
    const [path = '', query = ''] = pathFromNextUrl(versionedPath(apiVersion, request.relativeUrl)).split(
      '?',
      2,
    );
    const search = new URLSearchParams(query);
    const encoded = new URLSearchParams();
    for (const [key, value] of Object.entries(request.params ?? {})) {
      const text = encodeParam(value, key);
      if (text !== undefined && !(SECRET_PARAMS as readonly string[]).includes(key)) encoded.set(key, text);
    }
    const item: WireItem = { method: request.method, relative_url: path.replace(/^\//, '') };
    if (request.method === 'POST') {
      if (encoded.size > 0) item.body = encoded.toString();
    } else {
      for (const [key, value] of encoded) search.set(key, value);
    }
    const qs = search.toString();
    if (qs !== '') item.relative_url = `${item.relative_url}?${qs}`;
    if (request.name !== undefined) item.name = request.name;
    return item;
  });
  return JSON.stringify(items);
}

export interface ParseBatchItemInput {
  index: number;
  request: BatchRequest;
  apiVersion: string;
  /** The raw element of the batch response array (`null` or `{code, headers, body}`). */
  item: {
    code: number;
    headers?: Array<{ name: string; value: string }> | undefined;
    body?: string | null | undefined;
  } | null;
  secrets?: readonly string[];
}

/** One sub-response → data or a typed error, with its own usage snapshot. */
export function parseBatchItem(input: ParseBatchItemInput): BatchItemResult {
  const path = pathOnly(versionedPath(input.apiVersion, pathFromNextUrl(input.request.relativeUrl)));
  const adAccountId = adAccountIdFromPath(path);
  const method = input.request.method;
  if (input.item === null) {
    const usage = emptyUsage();
    const error = new MetaTimeoutError({ phase: 'batch_item', method, path, usage, adAccountId });
    return { ok: false, index: input.index, status: undefined, error, usage, path, adAccountId };
  }
  const parsed = parseGraphResponse({
    method,
    path,
    status: input.item.code,
    headers: input.item.headers ?? [],
    body: input.item.body ?? '',
    adAccountId,
    context: input.request.context,
    secrets: input.secrets,
  });
  if (!parsed.ok) {
    return {
      ok: false,
      index: input.index,
      status: parsed.status,
      error: parsed.error,
      usage: parsed.usage,
      path,
      adAccountId,
    };
  }
  return {
    ok: true,
    index: input.index,
    status: parsed.status,
    data: parsed.data,
    usage: parsed.usage,
    path,
    adAccountId,
  };
}
