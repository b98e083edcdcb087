/**
 * Pure request building: versioned path, parameter encoding (Graph conventions), Bearer token
 * header, `appsecret_proof`, and turning a paging `next` URL back into a token-free path.
 * The token never goes into a URL; the only exception is `debug_token`'s `input_token`, which the
 * caller passes explicitly and which is scrubbed everywhere.
 */
import { createHmac } from 'node:crypto';
import { pathOnly, SECRET_PARAMS } from './scrub.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** A Graph parameter value; `fields` lists become comma lists, other arrays and objects JSON (as Meta's SDKs send them). */
export type ParamValue = string | number | boolean | null | undefined | readonly unknown[] | object;
export type Params = Readonly<Record<string, ParamValue>>;

export interface RequestTarget {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  appSecret?: string | undefined;
}

export interface BuildRequestInput {
  method: HttpMethod;
  /** Graph path without version (`act_1/insights`), a versioned path, or a path+query from `pathFromNextUrl`. */
  path: string;
  params?: Params;
  /** Parameters that may carry a secret on purpose (only `input_token` for `debug_token`). */
  allowSecretParams?: readonly string[];
}

export interface BuiltRequest {
  origin: string;
  method: HttpMethod;
  /** Path with query string, as sent (may contain `appsecret_proof` / `input_token`: never log it). */
  pathAndQuery: string;
  /** Path without query: safe for messages, events and logs. */
  safePath: string;
  headers: Record<string, string>;
  body?: string;
}

export const DEFAULT_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_API_VERSION = 'v26.0';
const USER_AGENT = 'meta-engine-meta-client/0.1';
const VERSION_PREFIX = /^\/v\d+(\.\d+)?(\/|$)/;

/** HMAC-SHA256 of the access token keyed with the app secret, lowercase hex. */
export function appsecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

// Per request, the same token and secret: the proof and the base URL's parts are worked out once (issue 17),
// not on every call. One entry each; a rotated token or another base URL simply replaces it.
let lastProof: { accessToken: string; appSecret: string; proof: string } | undefined;
function proofFor(accessToken: string, appSecret: string): string {
  if (lastProof?.accessToken !== accessToken || lastProof.appSecret !== appSecret) {
    lastProof = { accessToken, appSecret, proof: appsecretProof(accessToken, appSecret) };
  }
  return lastProof.proof;
}

let lastBase: { baseUrl: string; origin: string; prefix: string } | undefined;
function baseParts(baseUrl: string): { origin: string; prefix: string } {
  if (lastBase?.baseUrl !== baseUrl) {
    const base = new URL(baseUrl);
    lastBase = { baseUrl, origin: base.origin, prefix: base.pathname.replace(/\/+$/, '') };
  }
  return lastBase;
}

/** `'act_1/insights'` → `'/v26.0/act_1/insights'`; already versioned paths are kept. */
export function versionedPath(apiVersion: string, path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  if (VERSION_PREFIX.test(withSlash)) return withSlash;
  const version = apiVersion.replace(/^\/+|\/+$/g, '');
  return withSlash === '/' ? `/${version}/` : `/${version}${withSlash}`;
}

/**
 * Encodes one parameter the way Meta's SDKs send it: `fields` as a comma list, other lists and
 * objects (`time_range`, `breakdowns`, `filtering`, `effective_status`) as JSON; `undefined`/`null`
 * are left out.
 */
export function encodeParam(value: ParamValue, key?: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (key === 'fields' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.join(',');
  return JSON.stringify(value);
}

export function buildRequest(target: RequestTarget, input: BuildRequestInput): BuiltRequest {
  const { origin, prefix } = baseParts(target.baseUrl);
  const [givenPath = '', rawQuery = ''] = input.path.split('?', 2);
  const rawPath =
    prefix !== '' && givenPath.startsWith(`${prefix}/`) ? givenPath.slice(prefix.length) : givenPath;
  const fullPath = `${prefix}${versionedPath(target.apiVersion, rawPath)}`;

  const search = new URLSearchParams(rawQuery);
  const allowed = new Set(input.allowSecretParams ?? []);
  for (const [key, value] of Object.entries(input.params ?? {})) {
    const encoded = encodeParam(value, key);
    if (encoded !== undefined) search.set(key, encoded);
  }
  for (const name of SECRET_PARAMS) {
    if (!allowed.has(name)) search.delete(name);
  }
  if (target.appSecret) search.set('appsecret_proof', proofFor(target.accessToken, target.appSecret));

  const headers: Record<string, string> = {
    authorization: `Bearer ${target.accessToken}`,
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  const query = search.toString();
  if (input.method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return {
      origin,
      method: input.method,
      pathAndQuery: fullPath,
      safePath: fullPath,
      headers,
      body: query,
    };
  }
  return {
    origin,
    method: input.method,
    pathAndQuery: query === '' ? fullPath : `${fullPath}?${query}`,
    safePath: fullPath,
    headers,
  };
}

/**
 * A paging `next` URL from Meta (`https://graph.facebook.com/v26.0/act_1/insights?access_token=…&after=…`)
 * → `'/v26.0/act_1/insights?after=…'`: secrets stripped (the token is re-sent as a header), the
 * host dropped (requests only ever go to the configured base URL).
 */
export function pathFromNextUrl(next: string): string {
  const url = new URL(next, 'http://next.invalid');
  for (const name of [...url.searchParams.keys()]) {
    if ((SECRET_PARAMS as readonly string[]).includes(name.toLowerCase())) url.searchParams.delete(name);
  }
  return `${url.pathname}${url.search}`;
}

/** The ad account a path is about (`/v26.0/act_123/insights` → `'123'`), if any. */
export function adAccountIdFromPath(path: string): string | undefined {
  const match = /(?:^|\/)act_(\d+)(?:[/?#]|$)/.exec(pathOnly(path));
  return match?.[1];
}
