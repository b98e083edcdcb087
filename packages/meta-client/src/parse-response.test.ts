import { describe, expect, it } from 'vitest';
import { isMetaApiError, type MetaApiError } from './errors/meta-api-error.ts';
import {
  isMetaMalformedResponseError,
  type MetaMalformedResponseError,
} from './errors/meta-malformed-response-error.ts';
import { parseGraphResponse } from './parse-response.ts';
import {
  MISLEADING_ERROR_CASES,
  REFERENCE_ERROR_CASES,
  throttledUsageHeaders,
} from './test-support/reference-bodies.ts';

const base = { method: 'GET', path: '/v26.0/act_123/insights', adAccountId: '123' };

describe('parseGraphResponse', () => {
  it('returns data and usage for a JSON success', () => {
    const parsed = parseGraphResponse({
      ...base,
      status: 200,
      headers: { 'x-app-usage': '{"call_count":5}' },
      body: '{"data":[]}',
    });
    expect(parsed).toEqual({
      ok: true,
      status: 200,
      data: { data: [] },
      usage: { businessUseCase: [], app: { callCount: 5, totalTime: 0, totalCputime: 0 } },
    });
  });

  it.each(REFERENCE_ERROR_CASES.map((c) => [c.name, c] as const))('error envelope: %s', (_name, c) => {
    const parsed = parseGraphResponse({
      ...base,
      status: c.status,
      headers: {},
      body: JSON.stringify(c.body),
      context: c.context,
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(isMetaApiError(parsed.error)).toBe(true);
    const error = parsed.error as MetaApiError;
    expect(error.category).toBe(c.expected);
    expect(error.status).toBe(c.status);
    expect(error.code).toBe(c.body.error.code ?? 0);
    expect(error.subcode).toBe(c.body.error.error_subcode);
    expect(error.fbtraceId).toBe(c.body.error.fbtrace_id);
    expect(error.type).toBe(c.body.error.type);
    expect(error.isTransient).toBe(c.body.error.is_transient);
    expect(error.errorUserTitle).toBe(c.body.error.error_user_title);
    expect(error.errorUserMsg).toBe(c.body.error.error_user_msg);
    expect(error.metaMessage).toBe(c.body.error.message ?? 'Unknown Graph API error');
    expect(error.message).toContain('GET /v26.0/act_123/insights');
  });

  it('reads the usage headers of error responses and suggests the regain time', () => {
    const c = REFERENCE_ERROR_CASES.find((x) => x.body.error.code === 80000);
    const parsed = parseGraphResponse({
      ...base,
      status: 400,
      headers: throttledUsageHeaders('123', 19),
      body: JSON.stringify(c?.body),
    });
    if (parsed.ok) throw new Error('expected an error');
    expect(parsed.error.usage.businessUseCase[0]?.estimatedTimeToRegainAccessMinutes).toBe(19);
    expect(parsed.error.usage.adAccount?.resetTimeDurationSeconds).toBe(100);
    expect(parsed.error.retryAfterMs).toBe(19 * 60_000);
  });

  it('an error envelope inside HTTP 200 is still an error', () => {
    const parsed = parseGraphResponse({
      ...base,
      status: 200,
      headers: {},
      body: '{"error":{"code":1,"message":"x"}}',
    });
    expect(parsed.ok).toBe(false);
  });

  it.each(MISLEADING_ERROR_CASES.map((c) => [c.name, c] as const))(
    'the body decides wherever its code stands: %s',
    (_name, c) => {
      const parsed = parseGraphResponse({
        ...base,
        status: c.status,
        headers: throttledUsageHeaders('123', 3),
        body: JSON.stringify(c.body),
      });
      if (parsed.ok) throw new Error('expected an error');
      expect(isMetaApiError(parsed.error)).toBe(true);
      const error = parsed.error as MetaApiError;
      expect(error.category).toBe(c.expected);
      expect(error.status).toBe(c.status);
      expect(error.code).toBe(Number(c.fields.code));
      expect(error.subcode).toBe(c.fields.error_subcode);
      expect(error.metaMessage).toBe(c.fields.message);
      expect(error.fbtraceId).toBe(c.fields.fbtrace_id);
      if (c.expected === 'account_throttle') expect(error.retryAfterMs).toBe(3 * 60_000);
    },
  );

  it('a success body with a code field is data, and an error status without any code stays malformed', () => {
    const ok = parseGraphResponse({ ...base, status: 200, headers: {}, body: '{"code":7,"name":"x"}' });
    expect(ok.ok).toBe(true);
    const noCode = parseGraphResponse({ ...base, status: 403, headers: {}, body: '{"message":"nope"}' });
    if (noCode.ok) throw new Error('expected an error');
    expect(isMetaMalformedResponseError(noCode.error)).toBe(true);
  });

  it('an envelope without a code falls back on the HTTP status', () => {
    const at = (status: number) => {
      const parsed = parseGraphResponse({ ...base, status, headers: {}, body: '{"error":{"message":"x"}}' });
      return parsed.ok ? undefined : [parsed.error.code, parsed.error.category];
    };
    expect(at(429)).toEqual([0, 'transient']);
    expect(at(503)).toEqual([0, 'transient']);
    expect(at(400)).toEqual([0, 'request_bug']);
  });

  it('accepts numeric strings for code and subcode', () => {
    const parsed = parseGraphResponse({
      ...base,
      status: 400,
      headers: {},
      body: '{"error":{"code":"80004","error_subcode":"2446079","message":"x"}}',
    });
    if (parsed.ok) throw new Error('expected an error');
    expect([parsed.error.code, parsed.error.subcode, parsed.error.category]).toEqual([
      80004,
      2446079,
      'account_throttle',
    ]);
  });

  it.each([
    ['html', 502, { 'content-type': 'text/html' }, '<!DOCTYPE html><html><body>Bad Gateway</body></html>'],
    ['html', 200, {}, '<html>oops</html>'],
    ['not_json', 200, { 'content-type': 'application/json' }, '{"data":[1,2'],
    ['not_json', 500, {}, 'Internal Server Error'],
    ['empty', 200, {}, ''],
    ['unexpected_shape', 500, {}, '{"unexpected":true}'],
  ] as const)(
    '%s body (HTTP %i) → MetaMalformedResponseError, transient, with usage',
    (reason, status, headers, body) => {
      const parsed = parseGraphResponse({
        ...base,
        status,
        headers: { ...headers, 'x-app-usage': '{"call_count":9}' },
        body,
      });
      if (parsed.ok) throw new Error('expected an error');
      expect(isMetaMalformedResponseError(parsed.error)).toBe(true);
      const error = parsed.error as MetaMalformedResponseError;
      expect(error.reason).toBe(reason);
      expect(error.category).toBe('transient');
      expect(error.status).toBe(status);
      expect(error.usage.app?.callCount).toBe(9);
      if (body !== '') expect(error.message).not.toContain(body.slice(0, 20));
    },
  );

  it('honours Retry-After on a malformed 503', () => {
    const parsed = parseGraphResponse({
      ...base,
      status: 503,
      headers: { 'retry-after': '3' },
      body: 'busy',
    });
    if (parsed.ok) throw new Error('expected an error');
    expect(parsed.error.retryAfterMs).toBe(3000);
  });

  it('scrubs secrets Meta echoes back in messages and error_data', () => {
    const token = 'TEST-TOKEN-do-not-log-123';
    const parsed = parseGraphResponse({
      ...base,
      status: 400,
      headers: {},
      body: JSON.stringify({
        error: {
          message: `Malformed access token ${token}`,
          code: 190,
          error_user_msg: `token ${token}`,
          error_data: { blame: [`access_token=${token}`] },
        },
      }),
      secrets: [token],
    });
    if (parsed.ok) throw new Error('expected an error');
    expect(JSON.stringify(parsed.error)).not.toContain(token);
    expect(parsed.error.message).not.toContain(token);
    expect(parsed.error.category).toBe('token_fatal');
  });
});
