import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  adAccountIdFromPath,
  appsecretProof,
  buildRequest,
  encodeParam,
  pathFromNextUrl,
  versionedPath,
} from './build-request.ts';

const TOKEN = 'TEST-TOKEN-do-not-log-123';
const target = { baseUrl: 'https://graph.facebook.com', apiVersion: 'v26.0', accessToken: TOKEN };

describe('buildRequest', () => {
  it('GET: versioned path, query params, Bearer header, no token in the URL', () => {
    const built = buildRequest(target, {
      method: 'GET',
      path: 'act_1/insights',
      params: {
        fields: ['spend', 'impressions'],
        level: 'campaign',
        time_range: { since: '2026-07-01', until: '2026-07-02' },
        limit: 100,
      },
    });
    expect(built.origin).toBe('https://graph.facebook.com');
    expect(built.safePath).toBe('/v26.0/act_1/insights');
    const url = new URL(built.pathAndQuery, built.origin);
    expect(url.searchParams.get('fields')).toBe('spend,impressions');
    expect(url.searchParams.get('time_range')).toBe('{"since":"2026-07-01","until":"2026-07-02"}');
    expect(url.searchParams.get('limit')).toBe('100');
    expect(built.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(built.pathAndQuery).not.toContain(TOKEN);
    expect(built.body).toBeUndefined();
  });

  it('adds appsecret_proof = HMAC-SHA256(token, secret) hex when an app secret is set', () => {
    const proof = createHmac('sha256', 'app-secret').update(TOKEN).digest('hex');
    expect(appsecretProof(TOKEN, 'app-secret')).toBe(proof);
    const built = buildRequest({ ...target, appSecret: 'app-secret' }, { method: 'GET', path: 'me' });
    expect(new URL(built.pathAndQuery, built.origin).searchParams.get('appsecret_proof')).toBe(proof);
    expect(buildRequest(target, { method: 'GET', path: 'me' }).pathAndQuery).toBe('/v26.0/me');
  });

  it('works the proof and the base URL out again when the token, the secret or the base URL changes', () => {
    const proofOf = (built: { pathAndQuery: string; origin: string }) =>
      new URL(built.pathAndQuery, built.origin).searchParams.get('appsecret_proof');
    const hmac = (token: string, secret: string) => createHmac('sha256', secret).update(token).digest('hex');
    const first = buildRequest({ ...target, appSecret: 'secret-a' }, { method: 'GET', path: 'me' });
    const rotated = buildRequest(
      { ...target, accessToken: 'ROTATED-token-456', appSecret: 'secret-a' },
      { method: 'GET', path: 'me' },
    );
    const otherSecret = buildRequest(
      { ...target, accessToken: 'ROTATED-token-456', appSecret: 'secret-b' },
      { method: 'GET', path: 'me' },
    );
    expect(proofOf(first)).toBe(hmac(TOKEN, 'secret-a'));
    expect(proofOf(rotated)).toBe(hmac('ROTATED-token-456', 'secret-a'));
    expect(proofOf(otherSecret)).toBe(hmac('ROTATED-token-456', 'secret-b'));
    const proxied = buildRequest(
      { ...target, baseUrl: 'http://127.0.0.1:8080/graph/' },
      { method: 'GET', path: 'me' },
    );
    expect(proxied.origin).toBe('http://127.0.0.1:8080');
    expect(proxied.pathAndQuery).toBe('/graph/v26.0/me');
    expect(buildRequest(target, { method: 'GET', path: 'me' }).origin).toBe('https://graph.facebook.com');
  });

  it('POST: form body with params (and proof), nothing in the query', () => {
    const built = buildRequest(
      { ...target, appSecret: 's' },
      {
        method: 'POST',
        path: 'act_1/insights',
        params: { level: 'ad', breakdowns: ['age', 'gender'] },
      },
    );
    expect(built.pathAndQuery).toBe('/v26.0/act_1/insights');
    expect(built.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(built.body);
    expect(form.get('level')).toBe('ad');
    expect(form.get('breakdowns')).toBe('["age","gender"]');
    expect(form.get('appsecret_proof')).toMatch(/^[0-9a-f]{64}$/);
    expect(built.body).not.toContain(TOKEN);
  });

  it('drops secret params a caller or a next URL smuggles in, unless explicitly allowed', () => {
    const built = buildRequest(target, {
      method: 'GET',
      path: 'me?access_token=LEAK&after=x',
      params: { access_token: 'LEAK2', input_token: 'LEAK3' },
    });
    expect(built.pathAndQuery).toBe('/v26.0/me?after=x');
    const debug = buildRequest(target, {
      method: 'GET',
      path: 'debug_token',
      params: { input_token: TOKEN },
      allowSecretParams: ['input_token'],
    });
    expect(new URL(debug.pathAndQuery, debug.origin).searchParams.get('input_token')).toBe(TOKEN);
    expect(debug.safePath).toBe('/v26.0/debug_token');
  });

  it('keeps a base URL path prefix, and does not double it for next-URL paths', () => {
    const prefixed = { ...target, baseUrl: 'http://127.0.0.1:9999/graph' };
    expect(buildRequest(prefixed, { method: 'GET', path: 'me' }).pathAndQuery).toBe('/graph/v26.0/me');
    expect(
      buildRequest(prefixed, { method: 'GET', path: '/graph/v26.0/act_1/campaigns?after=a' }).pathAndQuery,
    ).toBe('/graph/v26.0/act_1/campaigns?after=a');
  });
});

describe('encodeParam', () => {
  it.each([
    [['id', 'name'], 'fields', 'id,name'],
    [['ACTIVE', 'PAUSED'], 'effective_status', '["ACTIVE","PAUSED"]'],
    [
      [{ field: 'ad.impressions', operator: 'GREATER_THAN', value: 0 }],
      'filtering',
      '[{"field":"ad.impressions","operator":"GREATER_THAN","value":0}]',
    ],
    [true, 'use_unified_attribution_setting', 'true'],
    [7, 'time_increment', '7'],
    ['monthly', 'time_increment', 'monthly'],
    [undefined, 'x', undefined],
    [null, 'x', undefined],
  ])('%j (%s) → %j', (value, key, expected) => {
    expect(encodeParam(value, key)).toBe(expected);
  });
});

describe('paths', () => {
  it('versionedPath', () => {
    expect(versionedPath('v26.0', 'act_1')).toBe('/v26.0/act_1');
    expect(versionedPath('v26.0', '/act_1')).toBe('/v26.0/act_1');
    expect(versionedPath('v26.0', '/v25.0/act_1')).toBe('/v25.0/act_1');
    expect(versionedPath('v26.0', '/')).toBe('/v26.0/');
    expect(versionedPath('v26.0', '')).toBe('/v26.0/');
  });

  it('pathFromNextUrl strips the token and the host', () => {
    const next =
      'https://graph.facebook.com/v26.0/act_1/insights?access_token=TEST-TOKEN-do-not-log-123&appsecret_proof=abc&limit=25&after=MTAx';
    expect(pathFromNextUrl(next)).toBe('/v26.0/act_1/insights?limit=25&after=MTAx');
  });

  it.each([
    ['/v26.0/act_123/insights', '123'],
    ['/v26.0/act_123', '123'],
    ['act_42?fields=id', '42'],
    ['/v26.0/me/adaccounts', undefined],
    ['/v26.0/6044775548468', undefined],
    ['/v26.0/xact_1', undefined],
  ])('adAccountIdFromPath(%j) = %j', (path, expected) => {
    expect(adAccountIdFromPath(path)).toBe(expected);
  });
});
