/**
 * @module
 * Test helpers for this package's HTTP tests (not exported from index.ts).
 */
import { SANDBOX_TOKENS } from './config/defaults.ts';

export interface GraphResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: unknown;
}

export interface GraphCall {
  token?: string | null;
  method?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls the sandbox; the token goes in `Authorization: Bearer` (null: no token). */
export async function call(baseUrl: string, path: string, options: GraphCall = {}): Promise<GraphResult> {
  const token = options.token === undefined ? SANDBOX_TOKENS.valid : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method: options.method ?? (options.form ? 'POST' : 'GET'), headers };
  if (options.form) init.body = new URLSearchParams(options.form);
  if (options.signal) init.signal = options.signal;
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** Parses a JSON header value. */
export function jsonHeader(result: GraphResult, name: string): unknown {
  const value = result.headers.get(name);
  return value === null ? undefined : JSON.parse(value);
}

/** `{"error": {...}}` of a result. */
export function errorOf(result: GraphResult): Record<string, unknown> {
  return ((result.body as { error?: Record<string, unknown> } | undefined)?.error ?? {}) as Record<
    string,
    unknown
  >;
}

/** `data` rows of a result. */
export function rowsOf(result: GraphResult): Array<Record<string, unknown>> {
  return ((result.body as { data?: unknown[] } | undefined)?.data ?? []) as Array<Record<string, unknown>>;
}

/** Polls `check` until it returns a value or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `time_range` JSON, URL-encoded. */
export function range(since: string, until: string): string {
  return encodeURIComponent(JSON.stringify({ since, until }));
}
