/**
 * Quotas as Meta presents them (reference §1.2, §1.5, §1.6; issue 11.5): per (account, BUC) quotas
 * from the tier and active ads, usage that follows them on every response, the block until the
 * rolling window frees, and the optional app-wide budget (code 4, `X-App-Usage`,
 * `app_id_util_pct`). The clock is nearly frozen (timeScale 1e-6) and moved by hand.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeQuota } from './limits/quota.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, type GraphResult, jsonHeader } from './testing.ts';

const NO_ADS = '3000000000000001';
const FIVE_ADS = '3000000000000002';
const STANDARD = '3000000000000003';
const MINUTE = 60_000;
const RATE_DOC =
  'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.';

let sandbox: Sandbox;

interface BucEntry {
  type: string;
  call_count: number;
  total_cputime: number;
  total_time: number;
  estimated_time_to_regain_access: number;
  ads_api_access_tier: string;
}

function buc(result: GraphResult, accountId: string): BucEntry {
  const header = jsonHeader(result, 'x-business-use-case-usage') as Record<string, BucEntry[]>;
  const entry = header[accountId]?.[0];
  if (!entry)
    throw new Error(`no usage entry for ${accountId}: ${result.headers.get('x-business-use-case-usage')}`);
  return entry;
}

/** Sends `count` GET calls to `relative` as batches of 50 (each item is one call); returns the item results. */
async function calls(relative: string, count: number): Promise<GraphResult[]> {
  const out: GraphResult[] = [];
  for (let sent = 0; sent < count; sent += 50) {
    const size = Math.min(50, count - sent);
    const batch = await call(sandbox.url, '/v26.0/', {
      form: {
        batch: JSON.stringify(
          Array.from({ length: size }, () => ({ method: 'GET', relative_url: relative })),
        ),
      },
    });
    for (const item of batch.body as Array<{
      code: number;
      headers: Array<{ name: string; value: string }>;
      body: string;
    }>) {
      const headers = new Headers(item.headers.map((h) => [h.name, h.value] as [string, string]));
      out.push({ status: item.code, headers, text: item.body, body: JSON.parse(item.body) });
    }
  }
  return out;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'quotas',
    startTime: '2026-11-24T10:00:00Z',
    timeScale: 1e-6,
    accounts: [
      { id: NO_ADS, activeAds: 0 },
      { id: FIVE_ADS, activeAds: 5 },
      { id: STANDARD, activeAds: 2, tier: 'standard' },
    ],
  });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.updateConfig({
    rateLimits: { enabled: true, blockMinutes: 'window', usagePrecision: 'integer' },
    appBudget: { enabled: false, callsPerWindow: 100_000, windowMinutes: null, plainStatus: 403 },
  });
  sandbox.clearFaults();
  sandbox.reset();
});

describe('per-account quotas (reference §1.2)', () => {
  it('come from each account tier and active ads, so they differ between accounts', () => {
    const counters = sandbox.counters().accounts;
    const expected = {
      [NO_ADS]: { ads_insights: 600, ads_management: 300 },
      [FIVE_ADS]: { ads_insights: 600 + 400 * 5, ads_management: 300 + 40 * 5 },
      [STANDARD]: { ads_insights: 190_000 + 400 * 2, ads_management: 100_000 + 40 * 2 },
    };
    for (const [id, quotas] of Object.entries(expected)) {
      expect(counters[id]?.ads_insights.quota).toBe(quotas.ads_insights);
      expect(counters[id]?.ads_management.quota).toBe(quotas.ads_management);
    }
    expect(computeQuota({ buc: 'ads_insights', tier: 'development', activeAds: 5 })).toBe(2600);
  });

  it('call_count follows each quota: whole percent, rounded down', async () => {
    const none = (await calls(`act_${NO_ADS}`, 9)).map((r) => buc(r, NO_ADS).call_count);
    expect(none).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 3]); // quota 300: 3 calls per percent
    const five = (await calls(`act_${FIVE_ADS}`, 10)).map((r) => buc(r, FIVE_ADS).call_count);
    expect(five).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 2]); // quota 500: 5 calls per percent
    const insights = await calls(`act_${FIVE_ADS}/insights?date_preset=yesterday`, 26);
    expect(insights.map((r) => buc(r, FIVE_ADS).call_count).at(-1)).toBe(1); // 26 of 2600
    expect(buc(insights[0] as GraphResult, FIVE_ADS)).toEqual({
      type: 'ads_insights',
      call_count: 0,
      total_cputime: 0,
      total_time: 0,
      estimated_time_to_regain_access: 0,
      ads_api_access_tier: 'development_access',
    });
    // acc_id_util_pct may be fractional (reference sample 9.67).
    const last = insights.at(-1) as GraphResult;
    expect(jsonHeader(last, 'x-ad-account-usage')).toMatchObject({ acc_id_util_pct: 2 }); // 10/500 > 26/2600
    expect(jsonHeader(last, 'x-fb-ads-insights-throttle')).toMatchObject({ acc_id_util_pct: 1 });
    const first = (await call(sandbox.url, `/v26.0/act_${NO_ADS}`)).headers;
    expect(JSON.parse(first.get('x-ad-account-usage') ?? '{}').acc_id_util_pct).toBe(3.33); // 10 of 300
    const standard = buc(await call(sandbox.url, `/v26.0/act_${STANDARD}`), STANDARD);
    expect(standard).toMatchObject({ call_count: 0, ads_api_access_tier: 'standard_access' });
  });

  it('usagePrecision fractional writes 2-decimal percentages', async () => {
    sandbox.updateConfig({ rateLimits: { usagePrecision: 'fractional' } });
    const results = await calls(`act_${NO_ADS}`, 2);
    expect(buc(results[1] as GraphResult, NO_ADS)).toMatchObject({
      call_count: 0.67,
      total_time: 0.33,
      total_cputime: 0.33,
    });
    const me = await call(sandbox.url, '/v26.0/me');
    expect(jsonHeader(me, 'x-app-usage')).toEqual({ call_count: 0, total_time: 0, total_cputime: 0 });
  });

  it('the call that would exceed the quota is refused until the rolling window frees, regain minutes rounded up', async () => {
    // 100 calls at t0, 200 at t0 + 30 min: the 300-call quota of NO_ADS is used up.
    const early = await calls(`act_${NO_ADS}`, 100);
    expect(early.every((r) => r.status === 200)).toBe(true);
    sandbox.advanceTime(30 * MINUTE);
    const late = await calls(`act_${NO_ADS}`, 200);
    expect(late.every((r) => r.status === 200)).toBe(true);
    expect(buc(late[198] as GraphResult, NO_ADS)).toMatchObject({
      call_count: 99,
      estimated_time_to_regain_access: 0,
    });
    // The accepted call that uses the last unit already says when a call fits again (t0 + 60 min).
    expect(buc(late[199] as GraphResult, NO_ADS)).toMatchObject({
      call_count: 100,
      estimated_time_to_regain_access: 30,
    });

    sandbox.advanceTime(15 * MINUTE + 20_000); // t0 + 45 min 20 s
    const refused = await call(sandbox.url, `/v26.0/act_${NO_ADS}?fields=name`);
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toEqual({
      message: `(#80004) There have been too many calls to this ad-account. Wait a bit and try again. ${RATE_DOC}`,
      type: 'OAuthException',
      code: 80004,
      error_subcode: 2446079,
      fbtrace_id: expect.any(String),
    });
    // The first 100 calls leave the window at t0 + 60 min: 14 min 40 s -> 15 minutes.
    expect(buc(refused, NO_ADS)).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 15 });
    expect(jsonHeader(refused, 'x-ad-account-usage')).toMatchObject({
      acc_id_util_pct: 100,
      reset_time_duration: 14 * 60 + 40,
    });
    sandbox.advanceTime(14 * MINUTE);
    const still = await call(sandbox.url, `/v26.0/act_${NO_ADS}`);
    expect(errorOf(still).code).toBe(80004);
    expect(buc(still, NO_ADS).estimated_time_to_regain_access).toBe(1);
    // Other accounts and the other BUC are not affected.
    expect((await call(sandbox.url, `/v26.0/act_${FIVE_ADS}`)).status).toBe(200);
    expect((await call(sandbox.url, `/v26.0/act_${NO_ADS}/insights?date_preset=yesterday`)).status).toBe(200);

    sandbox.advanceTime(40_001); // just past t0 + 60 min: the first 100 calls have left
    const again = await calls(`act_${NO_ADS}`, 101);
    expect(again.slice(0, 100).every((r) => r.status === 200)).toBe(true);
    expect(buc(again[0] as GraphResult, NO_ADS)).toMatchObject({
      call_count: 67,
      estimated_time_to_regain_access: 0,
    });
    expect((again[100] as GraphResult).status).toBe(400);
    // Now the calls of t0 + 30 min are the oldest: they leave at t0 + 90 min, about 30 minutes on.
    expect(buc(again[100] as GraphResult, NO_ADS).estimated_time_to_regain_access).toBe(30);
  });

  it('a fixed block (blockMinutes: N) starts with the call that reaches 100 % and lasts N minutes', async () => {
    sandbox.updateConfig({
      rateLimits: { blockMinutes: 20 },
      accounts: { [FIVE_ADS]: { quotaOverride: { ads_management: 2 } } },
    });
    try {
      const [first, second] = await calls(`act_${FIVE_ADS}`, 2);
      expect(buc(first as GraphResult, FIVE_ADS)).toMatchObject({
        call_count: 50,
        estimated_time_to_regain_access: 0,
      });
      expect(buc(second as GraphResult, FIVE_ADS)).toMatchObject({
        call_count: 100,
        estimated_time_to_regain_access: 20,
      });
      sandbox.advanceTime(19 * MINUTE);
      const refused = await call(sandbox.url, `/v26.0/act_${FIVE_ADS}`);
      expect(errorOf(refused).code).toBe(80004);
      expect(buc(refused, FIVE_ADS).estimated_time_to_regain_access).toBe(1);
      sandbox.advanceTime(MINUTE + 1);
      const back = await call(sandbox.url, `/v26.0/act_${FIVE_ADS}`);
      expect(back.status).toBe(200);
      expect(buc(back, FIVE_ADS).call_count).toBe(50);
    } finally {
      sandbox.updateConfig({ accounts: { [FIVE_ADS]: { quotaOverride: null } } });
    }
  });

  it('ads_insights answers 80000 with its own text, and every response carries the usage, errors included', async () => {
    sandbox.updateConfig({ accounts: { [NO_ADS]: { quotaOverride: { ads_insights: 3 } } } });
    try {
      const path = `/v26.0/act_${NO_ADS}/insights?date_preset=yesterday`;
      const bad = await call(sandbox.url, `/v26.0/act_${NO_ADS}/insights?level=nope`);
      expect(bad.status).toBe(400);
      expect(buc(bad, NO_ADS).call_count).toBe(33);
      sandbox.setFaults({ serverErrorRate: 1 });
      const five = await call(sandbox.url, path);
      expect(five.status).toBe(500);
      expect(buc(five, NO_ADS).call_count).toBe(66);
      expect(jsonHeader(five, 'x-fb-ads-insights-throttle')).toMatchObject({ acc_id_util_pct: 66.67 });
      sandbox.clearFaults();
      expect((await call(sandbox.url, path)).status).toBe(200);
      const refused = await call(sandbox.url, path);
      expect(errorOf(refused)).toMatchObject({
        message: `(#80000) There have been too many calls from this ad-account. Wait a bit and try again. ${RATE_DOC}`,
        code: 80000,
        error_subcode: 2446079,
      });
      expect(buc(refused, NO_ADS)).toMatchObject({
        type: 'ads_insights',
        call_count: 100,
        estimated_time_to_regain_access: 60,
      });
      expect(jsonHeader(refused, 'x-fb-ads-insights-throttle')).toMatchObject({ acc_id_util_pct: 100 });
    } finally {
      sandbox.updateConfig({ accounts: { [NO_ADS]: { quotaOverride: null } } });
    }
  });
});

describe('the app-wide budget (optional, off by default)', () => {
  it('is off by default: X-App-Usage only on /me, /me/adaccounts and /debug_token, nothing refused', async () => {
    const results = await calls(`act_${FIVE_ADS}`, 60);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results[0]?.headers.get('x-app-usage')).toBeNull();
    const me = await call(sandbox.url, '/v26.0/me');
    expect(jsonHeader(me, 'x-app-usage')).toEqual({ call_count: 0, total_time: 0, total_cputime: 0 });
  });

  it('counts every call of the app together and answers code 4 past it, with the headers', async () => {
    sandbox.updateConfig({ appBudget: { enabled: true, callsPerWindow: 8 } });
    const seen: number[] = [];
    for (const path of [
      '/v26.0/me',
      `/v26.0/act_${NO_ADS}`,
      `/v26.0/act_${FIVE_ADS}/campaigns`,
      `/v26.0/act_${STANDARD}/insights?date_preset=yesterday`,
      '/v26.0/act_999/insights', // an unknown account is a call of the app too
    ]) {
      const result = await call(sandbox.url, path);
      seen.push((jsonHeader(result, 'x-app-usage') as { call_count: number }).call_count);
    }
    expect(seen).toEqual([12, 25, 37, 50, 62]);
    const insights = await call(sandbox.url, `/v26.0/act_${NO_ADS}/insights?date_preset=yesterday`);
    expect(jsonHeader(insights, 'x-fb-ads-insights-throttle')).toMatchObject({ app_id_util_pct: 75 });
    // A batch of four: each item is a call; the envelope reports the usage.
    const batch = await call(sandbox.url, '/v26.0/', {
      form: {
        batch: JSON.stringify([
          { method: 'GET', relative_url: `act_${NO_ADS}` },
          { method: 'GET', relative_url: `act_${FIVE_ADS}` },
          { method: 'GET', relative_url: `act_${FIVE_ADS}` },
          { method: 'GET', relative_url: `act_${FIVE_ADS}/insights?date_preset=yesterday` },
        ]),
      },
    });
    const items = batch.body as Array<{
      code: number;
      body: string;
      headers: Array<{ name: string; value: string }>;
    }>;
    expect(items.map((i) => i.code)).toEqual([200, 200, 403, 400]);
    expect(jsonHeader(batch, 'x-app-usage')).toMatchObject({ call_count: 100 });
    expect(JSON.parse(items[2]?.body ?? '{}')).toEqual({
      error: {
        message: '(#4) Application request limit reached',
        type: 'OAuthException',
        code: 4,
        is_transient: true,
        fbtrace_id: expect.any(String),
      },
    });
    expect(JSON.parse(items[3]?.body ?? '{}').error).toMatchObject({
      message: 'There have been too many calls from this app. Wait a bit and try again.',
      code: 4,
      error_subcode: 1504022,
      is_transient: true,
    });

    // Over HTTP: a plain code 4 is HTTP 403 (reference §1.4), with every usage header.
    const refused = await call(sandbox.url, `/v26.0/act_${FIVE_ADS}?fields=name`);
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toMatchObject({ code: 4, is_transient: true });
    expect(jsonHeader(refused, 'x-app-usage')).toEqual({
      call_count: 100,
      total_time: 50,
      total_cputime: 50,
    });
    expect(buc(refused, FIVE_ADS).type).toBe('ads_management');
    const me = await call(sandbox.url, '/v26.0/me');
    expect(me.status).toBe(403);
    const refusedInsights = await call(sandbox.url, `/v26.0/act_${STANDARD}/insights?date_preset=yesterday`);
    expect(refusedInsights.status).toBe(400);
    expect(errorOf(refusedInsights)).toMatchObject({ code: 4, error_subcode: 1504022 });
    expect(jsonHeader(refusedInsights, 'x-fb-ads-insights-throttle')).toMatchObject({ app_id_util_pct: 100 });
    // Refused calls are not counted against the account's BUC (one accepted insights call).
    const state = sandbox.state;
    const standard = state.world.accounts.get(STANDARD);
    if (!standard) throw new Error('no account');
    const now = state.now();
    const quota = state.quota(standard, 'ads_insights', now);
    expect(state.buc.peek(STANDARD, 'ads_insights', now, quota, state.bucSettings()).calls).toBe(1);
    expect(sandbox.counters().app.appBudgetThrottles).toBe(5);

    sandbox.updateConfig({ appBudget: { plainStatus: 400 } });
    expect((await call(sandbox.url, `/v26.0/act_${FIVE_ADS}`)).status).toBe(400);

    // The window frees: calls are accepted again.
    sandbox.advanceTime(60 * MINUTE + 1000);
    const back = await call(sandbox.url, `/v26.0/act_${FIVE_ADS}`);
    expect(back.status).toBe(200);
    expect(jsonHeader(back, 'x-app-usage')).toMatchObject({ call_count: 12 });
  });

  it('can be set through PATCH /__sandbox/config with its own window', async () => {
    const patched = await fetch(`${sandbox.url}/__sandbox/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appBudget: { enabled: true, callsPerWindow: 2, windowMinutes: 5 } }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { appBudget: unknown }).appBudget).toEqual({
      enabled: true,
      callsPerWindow: 2,
      windowMinutes: 5,
      plainStatus: 403,
    });
    expect((await call(sandbox.url, '/v26.0/me')).status).toBe(200);
    expect((await call(sandbox.url, '/v26.0/me')).status).toBe(200);
    expect((await call(sandbox.url, '/v26.0/me')).status).toBe(403);
    sandbox.advanceTime(5 * MINUTE + 1000);
    expect((await call(sandbox.url, '/v26.0/me')).status).toBe(200);
    const bad = await fetch(`${sandbox.url}/__sandbox/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appBudget: { callsPerWindow: -1 } }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('appBudget.callsPerWindow');
  });
});
