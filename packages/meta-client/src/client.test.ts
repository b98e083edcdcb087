import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetaClient } from './client.ts';
import { createMetaClient } from './client.ts';
import type { MetaApiError } from './errors/meta-api-error.ts';
import { isMetaApiError } from './errors/meta-api-error.ts';
import { isMetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import type { MetaMalformedResponseError } from './errors/meta-malformed-response-error.ts';
import { isMetaMalformedResponseError } from './errors/meta-malformed-response-error.ts';
import type { MetaNetworkError } from './errors/meta-network-error.ts';
import { isMetaNetworkError } from './errors/meta-network-error.ts';
import type { MetaTimeoutError } from './errors/meta-timeout-error.ts';
import { isMetaTimeoutError } from './errors/meta-timeout-error.ts';
import { collectPages } from './paging.ts';
import { APP_SECRET, caught, PROOF, recordingClient, TOKEN } from './test-support/client-fixture.ts';
import type { FakeGraphServer } from './test-support/fake-graph-server.ts';
import {
  HTML_ERROR_PAGE,
  hang,
  resetConnection,
  sendJson,
  sendText,
  stallBody,
  startFakeGraphServer,
} from './test-support/fake-graph-server.ts';
import { REFERENCE_ERROR_CASES, throttledUsageHeaders } from './test-support/reference-bodies.ts';
import type { MetaClientOptions } from './transport.ts';

let server: FakeGraphServer;
const makeClient = (overrides: Partial<MetaClientOptions> = {}) =>
  recordingClient(server.url, { appSecret: APP_SECRET, ...overrides });

beforeAll(async () => {
  server = await startFakeGraphServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.reset();
});

const ACCOUNT = {
  id: 'act_123',
  account_id: '123',
  name: 'Hotel Lambert',
  account_status: 1,
  disable_reason: 0,
  currency: 'PLN',
  timezone_name: 'Europe/Warsaw',
  timezone_offset_hours_utc: 2,
  amount_spent: '123456',
};

describe('requests', () => {
  it('sends the token only as a Bearer header, with appsecret_proof, to the versioned path', async () => {
    const { client, events } = makeClient();
    server.on('GET', '/act_123', (_req, res) =>
      sendJson(res, 200, ACCOUNT, {
        'X-Business-Use-Case-Usage': '{"123":[{"type":"ads_management","call_count":7}]}',
      }),
    );
    const { data, usage } = await client.getAdAccount(' act_123 ');
    expect(data).toMatchObject({
      id: 'act_123',
      account_status: 1,
      currency: 'PLN',
      timezone_name: 'Europe/Warsaw',
    });
    expect(usage.businessUseCase[0]).toMatchObject({
      businessId: '123',
      type: 'ads_management',
      callCount: 7,
    });

    const req = server.requests[0];
    expect(req?.version).toBe('v26.0');
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.query.get('appsecret_proof')).toBe(PROOF);
    expect(req?.query.get('fields')?.split(',')).toEqual(
      expect.arrayContaining(['account_status', 'disable_reason', 'name', 'currency', 'timezone_name']),
    );
    expect(req?.url).not.toContain(TOKEN);
    expect(req?.query.has('access_token')).toBe(false);

    expect(events).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/v26.0/act_123',
        status: 200,
        adAccountId: '123',
        attempt: 1,
      }),
    ]);
    expect(events[0]?.error).toBeUndefined();
    await client.close();
  });

  it('uses the configured API version and custom fields, without appsecret_proof when no secret is set', async () => {
    const { client } = makeClient({ apiVersion: 'v25.0', appSecret: undefined });
    server.on('GET', '/act_9', (_req, res) => sendJson(res, 200, { id: 'act_9', name: 'x' }));
    await client.getAdAccount('9', ['id', 'name']);
    expect(server.requests[0]?.version).toBe('v25.0');
    expect(server.requests[0]?.query.get('fields')).toBe('id,name');
    expect(server.requests[0]?.query.has('appsecret_proof')).toBe(false);
    await client.close();
  });

  it('rejects invalid ad account ids before sending anything', async () => {
    const { client } = makeClient();
    const error = await caught(client.getAdAccount('act_12x'));
    expect((error as Error).name).toBe('InvalidAdAccountIdError');
    expect(server.requests).toHaveLength(0);
    await client.close();
  });

  it('validates client options without echoing values', () => {
    expect(() => createMetaClient({ accessToken: `${TOKEN} x` })).toThrow(/accessToken/);
    try {
      createMetaClient({ accessToken: `${TOKEN} x` });
    } catch (error) {
      expect(isMetaInvalidRequestError(error)).toBe(true);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect((error as Error).message).not.toContain(TOKEN);
    }
    expect(() => createMetaClient({ accessToken: TOKEN, apiVersion: '26' })).toThrow(/apiVersion/);
    expect(() => createMetaClient({ accessToken: TOKEN, baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
  });

  it('exposes a generic request and paginate for other edges', async () => {
    const { client } = makeClient();
    server.on('GET', '/me', (_req, res) => sendJson(res, 200, { id: '42', name: 'system user' }));
    const { data } = await client.request<unknown>({
      method: 'GET',
      path: 'me',
      params: { fields: ['id', 'name'] },
    });
    expect(data).toEqual({ id: '42', name: 'system user' });
    await client.close();
  });
});

/** `me/adaccounts`, every page, through the escape hatch (the paths below are the same for every edge). */
function listAdAccounts(client: MetaClient) {
  return collectPages(client.paginate<{ id: string }>('me/adaccounts'));
}

describe('paging', () => {
  it('paginate follows next (token stripped from Meta next URLs) across an empty page', async () => {
    const { client, events } = makeClient();
    server.on('GET', '/me/adaccounts', (req, res) => {
      const after = req.query.get('after');
      const next = (cursor: string) =>
        `https://graph.facebook.com/v26.0/me/adaccounts?access_token=${TOKEN}&fields=id&limit=2&after=${cursor}`;
      if (after === null) {
        sendJson(res, 200, {
          data: [ACCOUNT, { ...ACCOUNT, id: 'act_124', account_id: '124' }],
          paging: { cursors: { after: 'p1' }, next: next('p1') },
        });
      } else if (after === 'p1') {
        sendJson(res, 200, { data: [], paging: { cursors: { after: 'p2' }, next: next('p2') } });
      } else {
        sendJson(res, 200, {
          data: [{ ...ACCOUNT, id: 'act_125', account_id: '125' }],
          paging: { cursors: { after: 'p3' } },
        });
      }
    });
    const result = await listAdAccounts(client);
    expect(result.data.map((a) => a.id)).toEqual(['act_123', 'act_124', 'act_125']);
    expect(result.pages).toBe(3);
    expect(server.requests).toHaveLength(3);
    for (const req of server.requests) {
      expect(req.url).not.toContain(TOKEN);
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.query.get('appsecret_proof')).toBe(PROOF);
    }
    expect(server.requests[1]?.query.get('after')).toBe('p1');
    expect(server.requests[2]?.query.get('after')).toBe('p2');
    expect(events.map((e) => e.path)).toEqual(Array(3).fill('/v26.0/me/adaccounts'));
    await client.close();
  });

  it('an error on a later page throws (with the usage of that error response); no partial list', async () => {
    const { client, events } = makeClient();
    server.on('GET', '/act_123/campaigns', (req, res) => {
      if (req.query.get('after') === null) {
        sendJson(res, 200, {
          data: [{ id: '1', name: 'c1' }],
          paging: { next: `${server.url}/v26.0/act_123/campaigns?after=x&access_token=${TOKEN}` },
        });
      } else {
        const body = REFERENCE_ERROR_CASES.find((c) => c.body.error.code === 80004)?.body;
        sendJson(res, 400, body, throttledUsageHeaders('123', 19));
      }
    });
    const error = await caught(client.listCampaigns('123'));
    expect(isMetaApiError(error)).toBe(true);
    const e = error as MetaApiError;
    expect(e.category).toBe('account_throttle');
    expect(e.code).toBe(80004);
    expect(e.subcode).toBe(2446079);
    expect(e.fbtraceId).toBe('AFm-w0VSqFxoRyuKXJgg48H');
    expect(e.usage.businessUseCase[0]?.estimatedTimeToRegainAccessMinutes).toBe(19);
    expect(e.retryAfterMs).toBe(19 * 60_000);
    expect(e.adAccountId).toBe('123');
    expect(events.map((ev) => [ev.status, ev.error?.category])).toEqual([
      [200, undefined],
      [400, 'account_throttle'],
    ]);
    expect(events[1]?.usage.adAccount?.accIdUtilPct).toBe(100);
    await client.close();
  });

  it('listCampaigns sends fields, effective_status as JSON and limit', async () => {
    const { client } = makeClient();
    server.on('GET', '/act_123/campaigns', (_req, res) =>
      sendJson(res, 200, { data: [{ id: 4242, name: 'c' }] }),
    );
    const { data } = await client.listCampaigns('act_123', {
      effectiveStatus: ['ACTIVE', 'PAUSED'],
      fields: ['id', 'name'],
    });
    expect(data).toEqual([{ id: '4242', name: 'c' }]);
    const q = server.requests[0]?.query;
    expect(q?.get('effective_status')).toBe('["ACTIVE","PAUSED"]');
    expect(q?.get('fields')).toBe('id,name');
    expect(q?.get('limit')).toBe('100');
    await client.close();
  });

  it('stops a server that keeps returning the same cursor', async () => {
    const { client } = makeClient();
    server.on('GET', '/me/adaccounts', (_req, res) =>
      sendJson(res, 200, {
        data: [],
        paging: { cursors: { after: 'same' }, next: `${server.url}/v26.0/me/adaccounts?after=same` },
      }),
    );
    const error = await caught(listAdAccounts(client));
    expect((error as Error).name).toBe('MetaPagingError');
    expect(server.requests).toHaveLength(2);
    await client.close();
  });
});

describe('a token that changes while the client runs', () => {
  const ROTATED = 'TEST-ROTATED-TOKEN-do-not-log-789';

  it('reads the token before every attempt: each page, Bearer header and appsecret_proof per token', async () => {
    let token = TOKEN;
    const { client } = makeClient({ accessToken: () => token });
    server.on('GET', '/act_123', (_req, res) => sendJson(res, 200, ACCOUNT));
    server.on('GET', '/me/adaccounts', (req, res) => {
      if (req.query.get('after') === 'p2') return sendJson(res, 200, { data: [ACCOUNT] });
      // The rotation happens between two pages of one read.
      token = ROTATED;
      return sendJson(res, 200, {
        data: [ACCOUNT],
        paging: { cursors: { after: 'p2' }, next: `${server.url}/v26.0/me/adaccounts?after=p2` },
      });
    });
    await client.getAdAccount('123');
    await listAdAccounts(client);
    const sent = server.requests.map((req) => [req.headers.authorization, req.query.get('appsecret_proof')]);
    expect(sent).toEqual([
      [`Bearer ${TOKEN}`, PROOF],
      [`Bearer ${TOKEN}`, PROOF],
      [`Bearer ${ROTATED}`, createHmac('sha256', APP_SECRET).update(ROTATED).digest('hex')],
    ]);
    await client.close();
  });

  it('debug_token asks about the token the call is sent with', async () => {
    let token = TOKEN;
    const { client } = makeClient({ accessToken: () => token });
    server.on('GET', '/debug_token', (_req, res) =>
      sendJson(res, 200, { data: { is_valid: true, scopes: ['ads_read'] } }),
    );
    await client.debugToken();
    token = ROTATED;
    await client.debugToken();
    expect(server.requests.map((req) => req.query.get('input_token'))).toEqual([TOKEN, ROTATED]);
    expect(server.requests[1]?.headers.authorization).toBe(`Bearer ${ROTATED}`);
    await client.close();
  });

  it('scrubs the old and the new token (and their proofs) from errors', async () => {
    let token = TOKEN;
    const { client } = makeClient({ accessToken: () => token });
    server.on('GET', '/act_123', (_req, res) => sendJson(res, 200, ACCOUNT));
    server.on('GET', '/act_456', (_req, res) =>
      sendJson(res, 400, {
        error: {
          message: `Error validating access token ${TOKEN}; now ${ROTATED}`,
          type: 'OAuthException',
          code: 190,
          error_subcode: 460,
        },
      }),
    );
    await client.getAdAccount('123');
    token = ROTATED;
    const error = await caught(client.getAdAccount('456'));
    expect((error as MetaApiError).category).toBe('token_fatal');
    const everything = `${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(ROTATED);
    await client.close();
  });

  it('refuses an unusable token from the function without echoing it, sending nothing', async () => {
    const { client } = makeClient({ accessToken: () => `${ROTATED} x` });
    const error = await caught(client.getAdAccount('123'));
    expect(isMetaInvalidRequestError(error)).toBe(true);
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain(ROTATED);
    expect(server.requests).toHaveLength(0);
    await client.close();
  });
});

describe('debug_token', () => {
  it('sends input_token (the token itself) but keeps it out of paths and events', async () => {
    const { client, events } = makeClient();
    server.on('GET', '/debug_token', (_req, res) =>
      sendJson(
        res,
        200,
        {
          data: {
            app_id: '634974688087057',
            type: 'SYSTEM_USER',
            application: 'Lucky Shrub',
            data_access_expires_at: 0,
            expires_at: 0,
            is_valid: true,
            issued_at: 1712099387,
            scopes: ['ads_read', 'ads_management'],
            granular_scopes: [{ scope: 'ads_read', target_ids: ['123'] }, { scope: 'ads_management' }],
            user_id: '104169029247128',
          },
        },
        { 'x-app-usage': '{"call_count":3,"total_time":1,"total_cputime":1}' },
      ),
    );
    const { data, usage } = await client.debugToken();
    expect(data).toMatchObject({
      is_valid: true,
      type: 'SYSTEM_USER',
      expires_at: 0,
      scopes: ['ads_read', 'ads_management'],
    });
    expect(usage.app?.callCount).toBe(3);
    expect(server.requests[0]?.query.get('input_token')).toBe(TOKEN);
    expect(events[0]?.path).toBe('/v26.0/debug_token');
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    await client.close();
  });

  it('is_valid:false becomes a token_fatal error (unless allowInvalid)', async () => {
    const { client, events } = makeClient();
    server.on('GET', '/debug_token', (_req, res) =>
      sendJson(res, 200, {
        data: {
          is_valid: false,
          app_id: '1',
          error: { code: 190, subcode: 460, message: `The session has been invalidated for ${TOKEN}` },
        },
      }),
    );
    const error = await caught(client.debugToken());
    expect(isMetaApiError(error)).toBe(true);
    expect((error as MetaApiError).category).toBe('token_fatal');
    expect((error as MetaApiError).subcode).toBe(460);
    expect((error as Error).message).not.toContain(TOKEN);
    expect(events[0]?.error?.category).toBe('token_fatal');
    const { data } = await client.debugToken({ allowInvalid: true });
    expect(data.is_valid).toBe(false);
    await client.close();
  });
});

describe('every error category over HTTP (reference bodies, usage headers on the error response)', () => {
  it.each(REFERENCE_ERROR_CASES.map((c) => [c.row, c.name, c] as const))('%s: %s', async (_row, _name, c) => {
    const { client, events } = makeClient();
    const route = c.context === 'report_run' ? '/6023920149050' : '/act_123';
    server.on('GET', route, (_req, res) => sendJson(res, c.status, c.body, throttledUsageHeaders('123', 7)));
    const call =
      c.context === 'report_run' ? client.getReportRun('6023920149050') : client.getAdAccount('123');
    const error = await caught(call);
    expect(isMetaApiError(error)).toBe(true);
    const e = error as MetaApiError;
    expect(e.category).toBe(c.expected);
    expect(e.status).toBe(c.status);
    expect(e.code).toBe(c.body.error.code ?? 0);
    expect(e.subcode).toBe(c.body.error.error_subcode);
    expect(e.usage.businessUseCase[0]?.estimatedTimeToRegainAccessMinutes).toBe(7);
    expect(e.usage.insightsThrottle?.accIdUtilPct).toBe(100);
    if (c.expected === 'account_throttle' || c.expected === 'app_throttle')
      expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(events).toHaveLength(1);
    expect(events[0]?.error).toBe(error);
    expect(events[0]?.usage.businessUseCase).toHaveLength(1);
    await client.close();
  });
});

describe('malformed responses', () => {
  it.each([
    ['html', 502, { 'content-type': 'text/html' }, HTML_ERROR_PAGE],
    ['not_json', 200, { 'content-type': 'application/json' }, '{"id":"act_123","name":'],
    ['empty', 200, {}, ''],
    ['unexpected_shape', 200, { 'content-type': 'application/json' }, '{"name":"no id"}'],
    ['unexpected_shape', 500, { 'content-type': 'application/json' }, '{"unexpected":true}'],
  ] as const)(
    '%s (HTTP %i) → MetaMalformedResponseError, transient',
    async (reason, status, headers, body) => {
      const { client, events } = makeClient();
      server.on('GET', '/act_123', (_req, res) =>
        sendText(res, status, body, { ...headers, 'x-app-usage': '{"call_count":50}' }),
      );
      const error = await caught(client.getAdAccount('123'));
      expect(isMetaMalformedResponseError(error)).toBe(true);
      const e = error as MetaMalformedResponseError;
      expect(e.reason).toBe(reason);
      expect(e.category).toBe('transient');
      expect(e.status).toBe(status);
      expect(e.usage.app?.callCount).toBe(50);
      expect(events[0]?.error).toBe(error);
      await client.close();
    },
  );
});

describe('timeouts and network errors', () => {
  it('a server that never answers → MetaTimeoutError (headers)', async () => {
    const { client, events } = makeClient({ timeouts: { headersMs: 200 } });
    server.on('GET', '/act_123', hang());
    const started = Date.now();
    const error = await caught(client.getAdAccount('123'));
    expect(isMetaTimeoutError(error)).toBe(true);
    expect((error as MetaTimeoutError).phase).toBe('headers');
    expect((error as MetaTimeoutError).category).toBe('transient');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(events).toHaveLength(0);
    await client.close();
  });

  it('a body that stalls → MetaTimeoutError (body), reported with the response usage', async () => {
    const { client, events } = makeClient({ timeouts: { bodyMs: 200 } });
    server.on('GET', '/act_123', stallBody({ 'x-app-usage': '{"call_count":12}' }));
    const error = await caught(client.getAdAccount('123'));
    expect((error as MetaTimeoutError).phase).toBe('body');
    expect((error as MetaTimeoutError).status).toBe(200);
    expect((error as MetaTimeoutError).usage.app?.callCount).toBe(12);
    expect(events[0]?.error).toBe(error);
    await client.close();
  });

  it('the total deadline → MetaTimeoutError (total)', async () => {
    const { client } = makeClient({ timeouts: { headersMs: 10_000, totalMs: 250 } });
    server.on('GET', '/act_123', hang());
    const error = await caught(client.getAdAccount('123'));
    expect((error as MetaTimeoutError).phase).toBe('total');
    expect((error as MetaTimeoutError).timeoutMs).toBe(250);
    await client.close();
  });

  it('a reset connection → MetaNetworkError', async () => {
    const { client } = makeClient();
    server.on('GET', '/act_123', resetConnection());
    const error = await caught(client.getAdAccount('123'));
    expect(isMetaNetworkError(error)).toBe(true);
    expect((error as MetaNetworkError).category).toBe('transient');
    expect((error as MetaNetworkError).message).toContain('GET /v26.0/act_123');
    await client.close();
  });

  it('a refused connection → MetaNetworkError with ECONNREFUSED', async () => {
    const dead = await startFakeGraphServer();
    const url = dead.url;
    await dead.close();
    const { client } = makeClient({ baseUrl: url });
    const error = await caught(client.getAdAccount('123'));
    expect(isMetaNetworkError(error)).toBe(true);
    expect((error as MetaNetworkError).errorCode).toBe('ECONNREFUSED');
    await client.close();
  });
});

describe('in-client retries', () => {
  it('retries transient GET failures, reporting every attempt', async () => {
    const sleeps: number[] = [];
    const { client, events } = makeClient({
      retry: { limit: 2 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    let n = 0;
    server.on('GET', '/act_123', (_req, res) => {
      n += 1;
      if (n === 1) sendText(res, 502, HTML_ERROR_PAGE, { 'content-type': 'text/html' });
      else if (n === 2)
        sendJson(res, 500, {
          error: { message: 'An unknown error occurred', code: 1, type: 'OAuthException' },
        });
      else sendJson(res, 200, ACCOUNT);
    });
    const { data } = await client.getAdAccount('123');
    expect(data.id).toBe('act_123');
    expect(events.map((e) => [e.attempt, e.status, e.error?.name])).toEqual([
      [1, 502, 'MetaMalformedResponseError'],
      [2, 500, 'MetaApiError'],
      [3, 200, undefined],
    ]);
    expect(sleeps).toHaveLength(2);
    await client.close();
  });

  it('never retries throttles or POSTs', async () => {
    const { client } = makeClient({ retry: { limit: 3 }, sleep: async () => undefined });
    server.on('GET', '/act_123', (_req, res) =>
      sendJson(res, 400, REFERENCE_ERROR_CASES.find((c) => c.body.error.code === 80000)?.body),
    );
    server.on('POST', '/act_123/insights', (_req, res) =>
      sendJson(res, 503, { error: { message: 'x', code: 2 } }),
    );
    await caught(client.getAdAccount('123'));
    expect(server.requests).toHaveLength(1);
    await caught(client.createReportRun('123', { level: 'ad' }));
    expect(server.requests).toHaveLength(2);
    await client.close();
  });
});

describe('close', () => {
  it('is idempotent, and later calls fail with a typed network error', async () => {
    const { client } = makeClient();
    await client.close();
    await client.close();
    const error = await caught(client.getAdAccount('123'));
    expect(isMetaNetworkError(error)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });
});

describe('onResponse', () => {
  it('an exception in the hook reaches the caller', async () => {
    const { client } = makeClient({
      onResponse: () => {
        throw new Error('limiter down');
      },
    });
    server.on('GET', '/act_123', (_req, res) => sendJson(res, 200, ACCOUNT));
    await expect(client.getAdAccount('123')).rejects.toThrow('limiter down');
    await client.close();
  });

  it('awaits an async hook', async () => {
    const seen: number[] = [];
    const { client } = makeClient({
      onResponse: async (event) => {
        await new Promise((r) => setTimeout(r, 10));
        seen.push(event.status);
      },
    });
    server.on('GET', '/act_123', (_req, res) => sendJson(res, 200, ACCOUNT));
    await client.getAdAccount('123');
    expect(seen).toEqual([200]);
    await client.close();
  });
});

describe('beforeRequest', () => {
  it('runs before every attempt: each page of a paged read, and each in-client retry', async () => {
    const seen: Array<{ path: string; attempt: number; adAccountId: string | undefined }> = [];
    const { client } = makeClient({
      beforeRequest: (event) => {
        seen.push({ path: event.path, attempt: event.attempt, adAccountId: event.adAccountId });
      },
      retry: { limit: 1, baseDelayMs: 1 },
    });
    let calls = 0;
    server.on('GET', '/act_123/campaigns', (req, res) => {
      calls++;
      if (calls === 1)
        return sendJson(res, 500, { error: { code: 2, message: 'Service temporarily unavailable' } });
      if (req.query.get('after') === null) {
        return sendJson(res, 200, {
          data: [{ id: '1', name: 'a' }],
          paging: { next: `${server.url}/v26.0/act_123/campaigns?after=p1` },
        });
      }
      return sendJson(res, 200, { data: [{ id: '2', name: 'b' }] });
    });
    const result = await client.listCampaigns('act_123');
    expect(result.data).toHaveLength(2);
    expect(seen).toEqual([
      { path: '/v26.0/act_123/campaigns', attempt: 1, adAccountId: '123' },
      { path: '/v26.0/act_123/campaigns', attempt: 2, adAccountId: '123' },
      { path: '/v26.0/act_123/campaigns', attempt: 1, adAccountId: '123' },
    ]);
    await client.close();
  });

  it('what it throws ends the call before anything is sent, without a retry', async () => {
    class Wait extends Error {}
    const { client } = makeClient({
      beforeRequest: () => {
        throw new Wait('window full');
      },
    });
    server.on('GET', '/act_123', (_req, res) => sendJson(res, 200, ACCOUNT));
    await expect(client.getAdAccount('123')).rejects.toBeInstanceOf(Wait);
    expect(server.requests).toHaveLength(0);
    await client.close();
  });
});
