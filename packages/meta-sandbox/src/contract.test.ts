/**
 * Contract tests: the wire shapes of reference meta-graph-api.md (§1.5 headers, §1.6/§1.7/§2
 * errors, §3.1 paging, §3.2 async, §5.1 debug_token, §5.4 batch), over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS, SANDBOX_TOKENS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, jsonHeader, range, rowsOf } from './testing.ts';

const [ACCOUNT, PIXEL_ACCOUNT, DISABLED_ACCOUNT] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'contract',
    startTime: '2026-11-24T10:00:00Z',
    asyncJobs: { notStartedSeconds: 10, startedSeconds: 10, runningSeconds: 100 },
  });
});
afterAll(async () => {
  await sandbox.close();
});

const get = (path: string, token?: string | null) => call(sandbox.url, path, { token });

describe('error bodies and HTTP status', () => {
  const unsupported = (id: string) =>
    `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`;

  it.each([
    {
      name: 'no token -> 2500',
      path: '/v26.0/me',
      token: null,
      error: {
        message: 'An active access token must be used to query information about the current user.',
        type: 'OAuthException',
        code: 2500,
      },
    },
    {
      name: 'unknown token -> 190',
      path: '/v26.0/me',
      token: 'EAAnotConfigured123',
      error: { type: 'OAuthException', code: 190 },
    },
    {
      name: 'revoked token -> 190/460',
      path: `/v26.0/act_${ACCOUNT}`,
      token: SANDBOX_TOKENS.revoked,
      error: {
        message:
          'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
        type: 'OAuthException',
        code: 190,
        error_subcode: 460,
      },
    },
    {
      name: 'unknown account -> 100/33 GraphMethodException',
      path: '/v26.0/act_424242/insights',
      token: SANDBOX_TOKENS.valid,
      error: {
        message: unsupported('act_424242'),
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
      },
    },
    {
      name: 'unassigned account -> 100/33',
      path: `/v26.0/act_${PIXEL_ACCOUNT}?fields=name`,
      token: SANDBOX_TOKENS.limited,
      error: {
        message: unsupported(`act_${PIXEL_ACCOUNT}`),
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
      },
    },
    {
      name: 'unknown path component -> 2500',
      path: `/v26.0/act_${ACCOUNT}/nothing_here`,
      token: SANDBOX_TOKENS.valid,
      error: { message: 'Unknown path components: /nothing_here', type: 'OAuthException', code: 2500 },
    },
    {
      name: 'nonexisting field -> 100',
      path: `/v26.0/act_${ACCOUNT}?fields=name,no_such_field`,
      token: SANDBOX_TOKENS.valid,
      error: {
        message: '(#100) Tried accessing nonexisting field (no_such_field) on node type (AdAccount)',
        type: 'OAuthException',
        code: 100,
      },
    },
  ])('$name', async ({ path, token, error }) => {
    const result = await get(path, token);
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toContain('application/json');
    expect(errorOf(result)).toMatchObject(error);
    expect(typeof errorOf(result).fbtrace_id).toBe('string');
    expect(Object.keys(result.body as object)).toEqual(['error']);
  });

  it('expired token -> 190/463 with the session-expired message', async () => {
    const result = await get('/v26.0/me', SANDBOX_TOKENS.expired);
    expect(result.status).toBe(400);
    const error = errorOf(result);
    expect(error).toMatchObject({ type: 'OAuthException', code: 190, error_subcode: 463 });
    expect(error.message).toMatch(
      /^Error validating access token: Session has expired on \w+day, \d{2}-\w{3}-\d{2} \d{2}:\d{2}:\d{2} P[SD]T\. The current time is \w+day, \d{2}-\w{3}-\d{2} \d{2}:\d{2}:\d{2} P[SD]T\.$/,
    );
  });

  it('revoked with subcode 467 -> the logged-out message', async () => {
    sandbox.addToken({ value: 'EAAloggedOutToken1', state: 'valid' });
    sandbox.revokeToken('EAAloggedOutToken1', 467);
    const result = await get('/v26.0/me', 'EAAloggedOutToken1');
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({
      message: 'Error validating access token: The session is invalid because the user logged out.',
      code: 190,
      error_subcode: 467,
    });
  });

  it('a range starting more than 37 months ago -> 400 code 100', async () => {
    const result = await get(
      `/v26.0/act_${ACCOUNT}/insights?time_range=${range('2023-10-23', '2023-10-30')}`,
    );
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 100, type: 'OAuthException' });
    expect(String(errorOf(result).message)).toContain('37 months');
    // Exactly 37 months back is still allowed.
    const ok = await get(`/v26.0/act_${ACCOUNT}/insights?time_range=${range('2023-10-24', '2023-10-30')}`);
    expect(ok.status).toBe(200);
  });

  it('the token is read from access_token in the query too', async () => {
    const result = await call(sandbox.url, `/v26.0/me?access_token=${SANDBOX_TOKENS.valid}`, { token: null });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ id: expect.any(String), name: expect.any(String) });
  });

  it('routes with and without a /vNN.N prefix', async () => {
    const withVersion = await get('/v25.0/me');
    const without = await get('/me');
    expect(withVersion.status).toBe(200);
    expect(without.status).toBe(200);
    expect(withVersion.headers.get('facebook-api-version')).toBe('v25.0');
    expect(without.headers.get('facebook-api-version')).toBe('v26.0');
  });
});

describe('usage headers (JSON shapes of §1.5)', () => {
  it('object reads carry X-Business-Use-Case-Usage (ads_management) and X-Ad-Account-Usage', async () => {
    const result = await get(`/v26.0/act_${ACCOUNT}?fields=id,name`);
    expect(result.status).toBe(200);
    const buc = jsonHeader(result, 'x-business-use-case-usage') as Record<string, unknown[]>;
    expect(Object.keys(buc)).toEqual([ACCOUNT]);
    expect(buc[ACCOUNT]).toEqual([
      {
        type: 'ads_management',
        call_count: expect.any(Number),
        total_cputime: expect.any(Number),
        total_time: expect.any(Number),
        estimated_time_to_regain_access: 0,
        ads_api_access_tier: 'development_access',
      },
    ]);
    expect(jsonHeader(result, 'x-ad-account-usage')).toEqual({
      acc_id_util_pct: expect.any(Number),
      reset_time_duration: expect.any(Number),
      ads_api_access_tier: 'development_access',
    });
    expect(result.headers.get('x-fb-ads-insights-throttle')).toBeNull();
    expect(result.headers.get('x-app-usage')).toBeNull();
  });

  it('insights carry the ads_insights BUC and X-FB-Ads-Insights-Throttle', async () => {
    const result = await get(`/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`);
    expect(result.status).toBe(200);
    const buc = jsonHeader(result, 'x-business-use-case-usage') as Record<string, Array<{ type: string }>>;
    expect(buc[ACCOUNT]?.[0]?.type).toBe('ads_insights');
    expect(jsonHeader(result, 'x-fb-ads-insights-throttle')).toEqual({
      app_id_util_pct: expect.any(Number),
      acc_id_util_pct: expect.any(Number),
      ads_api_access_tier: 'development_access',
    });
  });

  it('/me and /debug_token carry X-App-Usage', async () => {
    for (const path of ['/v26.0/me', `/v26.0/debug_token?input_token=${SANDBOX_TOKENS.valid}`]) {
      const result = await get(path);
      expect(jsonHeader(result, 'x-app-usage')).toEqual({
        call_count: expect.any(Number),
        total_time: expect.any(Number),
        total_cputime: expect.any(Number),
      });
      expect(result.headers.get('x-business-use-case-usage')).toBeNull();
    }
  });

  it('error responses of an account call carry the usage headers too', async () => {
    const result = await get(`/v26.0/act_${ACCOUNT}/insights?level=nope`);
    expect(result.status).toBe(400);
    expect(jsonHeader(result, 'x-business-use-case-usage')).toHaveProperty(ACCOUNT);
    expect(jsonHeader(result, 'x-ad-account-usage')).toHaveProperty('acc_id_util_pct');
  });

  it('call_count grows with calls: 100 * calls / quota', async () => {
    sandbox.updateConfig({ accounts: { [ACCOUNT]: { quotaOverride: { ads_management: 1000 } } } });
    sandbox.reset();
    let last: unknown;
    for (let i = 0; i < 10; i++)
      last = jsonHeader(await get(`/v26.0/act_${ACCOUNT}`), 'x-business-use-case-usage');
    expect((last as Record<string, Array<{ call_count: number }>>)[ACCOUNT]?.[0]?.call_count).toBe(1);
    for (let i = 0; i < 10; i++)
      last = jsonHeader(await get(`/v26.0/act_${ACCOUNT}`), 'x-business-use-case-usage');
    expect((last as Record<string, Array<{ call_count: number }>>)[ACCOUNT]?.[0]?.call_count).toBe(2);
    sandbox.updateConfig({ accounts: { [ACCOUNT]: { quotaOverride: null } } });
  });
});

describe('accounts', () => {
  it('/me/adaccounts pages with opaque cursors and no next on the last page', async () => {
    const first = await get(
      '/v26.0/me/adaccounts?fields=id,account_id,name,account_status,currency,timezone_name&limit=2',
    );
    expect(first.status).toBe(200);
    const page1 = first.body as {
      data: Array<Record<string, unknown>>;
      paging: { cursors: { before: string; after: string }; next?: string };
    };
    expect(page1.data).toHaveLength(2);
    expect(page1.data[0]).toEqual({
      id: `act_${ACCOUNT}`,
      account_id: ACCOUNT,
      name: 'Sandbox Hotel Warszawa',
      account_status: 1,
      currency: 'PLN',
      timezone_name: 'Europe/Warsaw',
    });
    expect(page1.paging.cursors.after).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(page1.paging.cursors.after).not.toBe('1');
    expect(page1.paging.next).toBeDefined();
    const next = new URL(page1.paging.next as string);
    const second = await get(next.pathname + next.search);
    const page2 = second.body as {
      data: Array<Record<string, unknown>>;
      paging: { next?: string; previous?: string };
    };
    expect(page2.data.map((a) => a.id)).toEqual([`act_${DISABLED_ACCOUNT}`]);
    expect(page2.paging.next).toBeUndefined();
    expect(page2.paging.previous).toBeDefined();
  });

  it('a tampered cursor is rejected', async () => {
    const result = await get('/v26.0/me/adaccounts?after=bm90LWEtY3Vyc29y');
    expect(result.status).toBe(400);
    expect(errorOf(result).code).toBe(100);
  });

  it('the limited token lists only its account', async () => {
    const result = await get('/v26.0/me/adaccounts', SANDBOX_TOKENS.limited);
    expect(rowsOf(result)).toEqual([{ id: `act_${ACCOUNT}` }]);
  });

  it('a disabled account still answers act_X reads with its status', async () => {
    const result = await get(
      `/v26.0/act_${DISABLED_ACCOUNT}?fields=id,name,account_status,disable_reason,currency,timezone_name`,
    );
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      id: `act_${DISABLED_ACCOUNT}`,
      name: 'Sandbox Closed Account',
      account_status: 2,
      disable_reason: 3,
      currency: 'USD',
      timezone_name: 'America/New_York',
    });
  });

  it('act_X without fields returns id and account_id', async () => {
    expect((await get(`/v26.0/act_${ACCOUNT}`)).body).toEqual({ id: `act_${ACCOUNT}`, account_id: ACCOUNT });
  });

  it('campaigns are paged and mix ACTIVE and PAUSED', async () => {
    const result = await get(
      `/v26.0/act_${ACCOUNT}/campaigns?fields=id,name,status,effective_status,objective&limit=100`,
    );
    const rows = rowsOf(result);
    expect(rows.length).toBe(8);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['ACTIVE', 'PAUSED']));
    expect((result.body as { paging: { next?: string } }).paging.next).toBeUndefined();
    const active = await get(
      `/v26.0/act_${ACCOUNT}/campaigns?effective_status=${encodeURIComponent('["ACTIVE"]')}`,
    );
    expect(rowsOf(active).length).toBe(rows.filter((r) => r.effective_status === 'ACTIVE').length);
  });
});

describe('debug_token', () => {
  it('has the system-user shape with granular_scopes target_ids', async () => {
    const result = await get(
      `/v26.0/debug_token?input_token=${SANDBOX_TOKENS.limited}&access_token=${SANDBOX_TOKENS.limited}`,
      null,
    );
    expect(result.status).toBe(200);
    const data = (result.body as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({
      app_id: expect.stringMatching(/^\d+$/),
      type: 'SYSTEM_USER',
      application: expect.any(String),
      data_access_expires_at: 0,
      expires_at: 0,
      is_valid: true,
      issued_at: expect.any(Number),
      user_id: expect.stringMatching(/^\d+$/),
    });
    expect(data.scopes).toEqual(
      expect.arrayContaining(['ads_read', 'ads_management', 'business_management']),
    );
    expect(data.granular_scopes).toEqual(
      expect.arrayContaining([
        { scope: 'ads_read', target_ids: [ACCOUNT] },
        { scope: 'ads_management', target_ids: [ACCOUNT] },
      ]),
    );
  });

  it('reports a revoked input token as invalid with a 190 error', async () => {
    const result = await get(`/v26.0/debug_token?input_token=${SANDBOX_TOKENS.revoked}`);
    const data = (result.body as { data: Record<string, unknown> }).data;
    expect(data.is_valid).toBe(false);
    expect(data.error).toMatchObject({ code: 190, subcode: 460 });
  });
});

describe('batch', () => {
  const batch = (items: unknown[], extra: Record<string, string> = {}) =>
    call(sandbox.url, '/v26.0/', { form: { batch: JSON.stringify(items), ...extra } });

  it('answers items in order as {code, headers:[{name,value}], body:"<json>"}', async () => {
    const result = await batch([
      { method: 'GET', relative_url: `v26.0/act_${ACCOUNT}?fields=name` },
      { method: 'GET', relative_url: 'v26.0/act_424242' },
      { method: 'GET', relative_url: `act_${ACCOUNT}/insights?date_preset=yesterday` },
    ]);
    expect(result.status).toBe(200);
    const items = result.body as Array<{
      code: number;
      headers: Array<{ name: string; value: string }>;
      body: string;
    }>;
    expect(items).toHaveLength(3);
    expect(Object.keys(items[0] as object)).toEqual(['code', 'headers', 'body']);
    expect(items[0]?.code).toBe(200);
    expect(typeof items[0]?.body).toBe('string');
    expect(JSON.parse(items[0]?.body ?? '')).toEqual({
      name: 'Sandbox Hotel Warszawa',
      id: `act_${ACCOUNT}`,
    });
    const bucHeader = items[0]?.headers.find((h) => h.name.toLowerCase() === 'x-business-use-case-usage');
    expect(JSON.parse(bucHeader?.value ?? '{}')).toHaveProperty(ACCOUNT);
    expect(items[1]?.code).toBe(403);
    expect(JSON.parse(items[1]?.body ?? '').error).toMatchObject({ code: 100, error_subcode: 33 });
    expect(JSON.parse(items[2]?.body ?? '')).toHaveProperty('data');
  });

  it('include_headers=false drops the headers', async () => {
    const result = await batch([{ method: 'GET', relative_url: 'me' }], { include_headers: 'false' });
    const items = result.body as Array<Record<string, unknown>>;
    expect(items[0]).toEqual({ code: 200, body: expect.any(String) });
  });

  it('more than 50 items -> GraphBatchException', async () => {
    const items = Array.from({ length: 51 }, () => ({ method: 'GET', relative_url: 'me' }));
    const result = await batch(items);
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({
      message: 'Too many requests in batch message. Maximum batch size is 50',
      type: 'GraphBatchException',
    });
    const fifty = await batch(items.slice(0, 50));
    expect(fifty.status).toBe(200);
  });

  it('each item counts against the account buckets separately', async () => {
    sandbox.reset();
    await batch(Array.from({ length: 7 }, () => ({ method: 'GET', relative_url: `act_${ACCOUNT}` })));
    expect(sandbox.counters().accounts[ACCOUNT]?.ads_management.calls).toBe(7);
  });
});

describe('async report runs', () => {
  it('moves Not Started -> Started -> Running (rising percent) -> Completed on the sandbox clock', async () => {
    const created = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: {
        level: 'campaign',
        date_preset: 'last_7d',
        fields: 'campaign_id,spend,impressions',
        limit: '3',
      },
    });
    expect(created.status).toBe(200);
    const runId = (created.body as { report_run_id: unknown }).report_run_id;
    expect(typeof runId).toBe('string');
    const poll = async () => (await get(`/v26.0/${runId}`)).body as Record<string, unknown>;
    const seen: Array<[unknown, unknown]> = [];
    const first = await poll();
    expect(first).toMatchObject({
      id: runId,
      account_id: ACCOUNT,
      async_status: 'Job Not Started',
      async_percent_completion: 0,
      time_ref: expect.any(Number),
    });
    const early = await get(`/v26.0/${runId}/insights`);
    expect(early.status).toBe(400);
    for (const step of [12, 10, 30, 30, 40]) {
      sandbox.advanceTime(step * 1000);
      const status = await poll();
      seen.push([status.async_status, status.async_percent_completion]);
    }
    expect(seen[0]).toEqual(['Job Started', 0]);
    const running = seen.filter(([s]) => s === 'Job Running').map(([, p]) => p as number);
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running).toEqual([...running].sort((a, b) => a - b));
    expect(new Set(running).size).toBe(running.length);
    expect(seen.at(-1)).toEqual(['Job Completed', 100]);
    const results = await get(`/v26.0/${runId}/insights`);
    expect(results.status).toBe(200);
    const page = results.body as { data: Array<Record<string, unknown>>; paging: { next?: string } };
    expect(page.data.length).toBeLessThanOrEqual(3);
    expect(page.data[0]).toHaveProperty('campaign_id');
    expect(page.data[0]?.spend).toEqual(expect.stringMatching(/^\d+\.\d{2}$/));
  });

  it('a failing job ends Job Failed with the v25+ error fields; a skipped one Job Skipped', async () => {
    sandbox.setFaults({ asyncFailRate: 1 });
    const failing = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: { date_preset: 'yesterday' },
    });
    const failId = (failing.body as { report_run_id: string }).report_run_id;
    sandbox.setFaults({ asyncFailRate: 0, asyncSkipRate: 1 });
    const skipping = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: { date_preset: 'yesterday' },
    });
    const skipId = (skipping.body as { report_run_id: string }).report_run_id;
    sandbox.setFaults({ asyncSkipRate: 0 });
    sandbox.advanceTime(200_000);
    expect((await get(`/v26.0/${failId}`)).body).toMatchObject({
      async_status: 'Job Failed',
      error_code: -3,
      error_subcode: 1504045,
      error_message: expect.any(String),
      error_user_title: expect.any(String),
      error_user_msg: expect.any(String),
    });
    expect((await get(`/v26.0/${skipId}`)).body).toMatchObject({ async_status: 'Job Skipped' });
    expect((await get(`/v26.0/${failId}/insights`)).status).toBe(400);
  });

  it('another token cannot read a run of an account it has no access to', async () => {
    const created = await call(sandbox.url, `/v26.0/act_${PIXEL_ACCOUNT}/insights`, {
      form: { date_preset: 'yesterday' },
    });
    const runId = (created.body as { report_run_id: string }).report_run_id;
    const denied = await get(`/v26.0/${runId}`, SANDBOX_TOKENS.limited);
    expect(denied.status).toBe(400);
    expect(errorOf(denied)).toMatchObject({ code: 100, error_subcode: 33 });
  });
});
