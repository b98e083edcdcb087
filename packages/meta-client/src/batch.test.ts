import { describe, expect, it } from 'vitest';
import { buildBatchField, MAX_BATCH_SIZE, parseBatchItem } from './batch.ts';
import { isMetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import { isMetaTimeoutError } from './errors/meta-timeout-error.ts';

describe('buildBatchField', () => {
  it('encodes methods, versioned relative URLs, params and names', () => {
    const field = buildBatchField(
      [
        { method: 'GET', relativeUrl: '6044775548468', name: 'run' },
        {
          method: 'GET',
          relativeUrl: 'act_1/insights',
          params: { fields: ['spend'], time_range: { since: '2026-07-01', until: '2026-07-01' } },
        },
        { method: 'POST', relativeUrl: 'act_1/insights', params: { level: 'ad' } },
        { method: 'GET', relativeUrl: 'me?access_token=LEAK&fields=id' },
      ],
      'v26.0',
    );
    expect(JSON.parse(field)).toEqual([
      { method: 'GET', relative_url: 'v26.0/6044775548468', name: 'run' },
      {
        method: 'GET',
        relative_url:
          'v26.0/act_1/insights?fields=spend&time_range=%7B%22since%22%3A%222026-07-01%22%2C%22until%22%3A%222026-07-01%22%7D',
      },
      { method: 'POST', relative_url: 'v26.0/act_1/insights', body: 'level=ad' },
      { method: 'GET', relative_url: 'v26.0/me?fields=id' },
    ]);
  });

  it.each([0, MAX_BATCH_SIZE + 1])('rejects %i requests', (n) => {
    const requests = Array.from({ length: n }, () => ({ method: 'GET' as const, relativeUrl: 'me' }));
    let thrown: unknown;
    try {
      buildBatchField(requests, 'v26.0');
    } catch (error) {
      thrown = error;
    }
    expect(isMetaInvalidRequestError(thrown)).toBe(true);
  });
});

describe('parseBatchItem', () => {
  const request = { method: 'GET' as const, relativeUrl: 'act_9/insights?level=ad' };

  it('parses a successful item with its own usage headers', () => {
    const result = parseBatchItem({
      index: 0,
      request,
      apiVersion: 'v26.0',
      item: {
        code: 200,
        headers: [
          { name: 'Content-Type', value: 'text/javascript; charset=UTF-8' },
          { name: 'X-Business-Use-Case-Usage', value: '{"9":[{"type":"ads_insights","call_count":12}]}' },
        ],
        body: '{"data":[{"spend":"1.00"}]}',
      },
    });
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      path: '/v26.0/act_9/insights',
      adAccountId: '9',
      data: { data: [{ spend: '1.00' }] },
    });
    expect(result.usage.businessUseCase[0]?.callCount).toBe(12);
  });

  it('parses a failed item (403 permission) into a typed error', () => {
    const result = parseBatchItem({
      index: 1,
      request,
      apiVersion: 'v26.0',
      item: {
        code: 403,
        headers: [],
        body: '{"error":{"message":"(#200) Permissions error","type":"OAuthException","code":200}}',
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.category).toBe('account_fatal');
    expect(result.error.status).toBe(403);
    expect(result.error.adAccountId).toBe('9');
  });

  it('reports a null item (partial batch timeout) as a transient timeout', () => {
    const result = parseBatchItem({ index: 2, request, apiVersion: 'v26.0', item: null });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(isMetaTimeoutError(result.error)).toBe(true);
    expect(result.error.category).toBe('transient');
    expect(result.status).toBeUndefined();
  });
});
