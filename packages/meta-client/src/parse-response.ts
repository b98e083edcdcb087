/**
 * Pure: one HTTP response → data or a typed error, plus its usage snapshot.
 *
 * The body's error code decides, wherever it stands (issue 12.9): an `error` envelope is an error
 * whatever the HTTP status (HTTP 200 included), and an error status whose JSON carries the error
 * fields at the top level, without the `error` wrapper, is read as that error, not as a malformed
 * (transient) answer.
 */
import type { ClassifyInput } from './classify-meta-error.ts';
import { classifyMetaError } from './classify-meta-error.ts';
import { MetaApiError } from './errors/meta-api-error.ts';
import type { MetaError } from './errors/meta-error.ts';
import type { MalformedReason } from './errors/meta-malformed-response-error.ts';
import { MetaMalformedResponseError } from './errors/meta-malformed-response-error.ts';
import type { HeaderInput, UsageSnapshot } from './parse-usage-headers.ts';
import { getHeader, parseUsageHeaders } from './parse-usage-headers.ts';
import { suggestRetryAfterMs } from './retry-timing.ts';
import { scrubText, scrubValue } from './scrub.ts';

export interface ResponseInput {
  method: string;
  /** Scrubbed path (no query). */
  path: string;
  status: number;
  headers: HeaderInput;
  body: string;
  adAccountId?: string;
  context?: ClassifyInput['context'];
  /** Secret values to scrub from anything kept (token, appsecret_proof, app secret). */
  secrets?: readonly string[];
  now?: number;
}

export type ParsedResponse =
  | { ok: true; status: number; data: unknown; usage: UsageSnapshot }
  | { ok: false; status: number; error: MetaError; usage: UsageSnapshot };

export function parseGraphResponse(input: ResponseInput): ParsedResponse {
  const usage = parseUsageHeaders(input.headers);
  const { status } = input;
  const contentType = getHeader(input.headers, 'content-type');
  const trimmed = input.body.trim();

  const malformed = (reason: MalformedReason, detail?: string): ParsedResponse => {
    const retryAfterHeader = getHeader(input.headers, 'retry-after');
    const error = new MetaMalformedResponseError({
      reason,
      detail,
      contentType: contentType === undefined ? undefined : scrubText(contentType),
      method: input.method,
      path: input.path,
      status,
      usage,
      adAccountId: input.adAccountId,
      retryAfterMs: suggestRetryAfterMs({ category: 'transient', usage, retryAfterHeader, now: input.now }),
    });
    return { ok: false, status, error, usage };
  };

  if (trimmed === '') return malformed('empty');
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    const html = /text\/html/i.test(contentType ?? '') || trimmed.startsWith('<');
    return malformed(html ? 'html' : 'not_json');
  }

  if (isRecord(json) && 'error' in json && json.error !== undefined && json.error !== null) {
    return { ok: false, status, error: apiErrorFromEnvelope(json.error, input, usage), usage };
  }
  if ((status < 200 || status >= 300) && isRecord(json) && toInt(json.code) !== undefined) {
    // A bare error object (`{"code":80004,"error_subcode":…,"message":…}` with HTTP 403).
    return { ok: false, status, error: apiErrorFromEnvelope(json, input, usage), usage };
  }
  if (status < 200 || status >= 300)
    return malformed('unexpected_shape', 'error status without an error envelope');
  return { ok: true, status, data: json, usage };
}

/** Builds a `MetaApiError` from the `error` member of a Graph envelope. */
export function apiErrorFromEnvelope(raw: unknown, input: ResponseInput, usage: UsageSnapshot): MetaApiError {
  const secrets = input.secrets ?? [];
  const e: Record<string, unknown> = isRecord(raw)
    ? raw
    : { message: typeof raw === 'string' ? raw : undefined };
  const rawCode = toInt(e.code);
  const code = rawCode ?? 0;
  const subcode = toInt(e.error_subcode);
  const message = scrubText(typeof e.message === 'string' ? e.message : 'Unknown Graph API error', secrets);
  const errorUserTitle = optionalText(e.error_user_title, secrets);
  const errorUserMsg = optionalText(e.error_user_msg, secrets);
  const type = optionalText(e.type, secrets);
  const isTransient = typeof e.is_transient === 'boolean' ? e.is_transient : undefined;
  const fbtraceId = optionalText(e.fbtrace_id, secrets);
  const category = classifyMetaError({
    status: input.status,
    code: rawCode,
    subcode,
    message,
    errorUserTitle,
    errorUserMsg,
    isTransient,
    type,
    context: input.context,
  });
  const retryAfterHeader = getHeader(input.headers, 'retry-after');
  const retryAfterMs = suggestRetryAfterMs({
    category,
    code,
    subcode,
    usage,
    adAccountId: input.adAccountId,
    retryAfterHeader,
    now: input.now,
  });
  return new MetaApiError({
    category,
    status: input.status,
    code,
    metaMessage: message,
    method: input.method,
    path: input.path,
    usage,
    subcode,
    type,
    isTransient,
    errorUserTitle,
    errorUserMsg,
    fbtraceId,
    errorData: scrubValue(e.error_data, secrets),
    adAccountId: input.adAccountId,
    retryAfterMs,
  });
}

function optionalText(value: unknown, secrets: readonly string[]): string | undefined {
  return typeof value === 'string' && value !== '' ? scrubText(value, secrets) : undefined;
}

function toInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
