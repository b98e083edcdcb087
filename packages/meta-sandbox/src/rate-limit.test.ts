/**
 * Rate limits over real HTTP: BUC buckets per (account, BUC) with a small quota and a
 * compressed window, the score limiter and the app-level insights load (reference §1.2-§1.6).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, jsonHeader, waitFor } from './testing.ts';

const [ACCOUNT, OTHER] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

const RATE_DOC =
  'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.';

interface BucEntry {
  type: string;
  call_count: number;
  estimated_time_to_regain_access: number;
}

function bucOf(result: Awaited<ReturnType<typeof call>>, accountId = ACCOUNT): BucEntry {
  const header = jsonHeader(result, 'x-business-use-case-usage') as Record<string, BucEntry[]>;
  const entry = header[accountId]?.[0];
  if (!entry) throw new Error('no usage entry');
  return entry;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'rate',
    startTime: '2026-11-24T10:00:00Z',
    // One sandbox minute per real second while counting (robust on a loaded machine); tests that
    // wait for the window raise the scale so the hour passes in a fraction of a second.
    timeScale: 60,
    accounts: [
      { id: ACCOUNT, quotaOverride: { ads_management: 5, ads_insights: 3 } },
      { id: OTHER, quotaOverride: { ads_management: 5, ads_insights: 3 } },
    ],
  });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.updateConfig({
    timeScale: 60,
    rateLimits: { enabled: true, blockMinutes: 'window' },
    scoreLimiter: { enabled: false },
    appInsightsLoad: { enabled: false },
  });
  sandbox.reset();
});

describe('BUC limits', () => {
  it('the (N+1)-th ads_management call in the window gets 80004/2446079, then calls succeed again', async () => {
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=name`);
      expect(result.status).toBe(200);
      counts.push(bucOf(result).call_count);
    }
    expect(counts).toEqual([20, 40, 60, 80, 100]);

    const throttled = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=name`);
    expect(throttled.status).toBe(400);
    expect(errorOf(throttled)).toEqual({
      message: `(#80004) There have been too many calls to this ad-account. Wait a bit and try again. ${RATE_DOC}`,
      type: 'OAuthException',
      code: 80004,
      error_subcode: 2446079,
      fbtrace_id: expect.any(String),
    });
    const usage = bucOf(throttled);
    expect(usage.type).toBe('ads_management');
    expect(usage.call_count).toBeGreaterThanOrEqual(100);
    expect(usage.estimated_time_to_regain_access).toBeGreaterThanOrEqual(1);
    expect(usage.estimated_time_to_regain_access).toBeLessThanOrEqual(60);
    expect(Number.isInteger(usage.estimated_time_to_regain_access)).toBe(true);
    expect(jsonHeader(throttled, 'x-ad-account-usage')).toMatchObject({
      acc_id_util_pct: expect.any(Number),
    });

    // Another account and the other BUC of the same account are not affected.
    expect((await call(sandbox.url, `/v26.0/act_${OTHER}`)).status).toBe(200);
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`)).status).toBe(
      200,
    );

    // Compress time: ten sandbox hours per real second, so the window passes in ~0.1 s.
    sandbox.setTimeScale(36_000);
    const recovered = await waitFor(async () => {
      const result = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=name`);
      return result.status === 200 ? result : undefined;
    }, 5000);
    expect(recovered.body).toMatchObject({ name: expect.any(String) });
    expect(bucOf(recovered).estimated_time_to_regain_access).toBe(0);

    const counters = sandbox.counters().accounts[ACCOUNT];
    expect(counters?.ads_management.throttles).toBeGreaterThanOrEqual(1);
    expect(counters?.ads_management.calls).toBeGreaterThanOrEqual(7);
  });

  it('ads_insights has its own bucket and answers 80000', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`)).status).toBe(
        200,
      );
    }
    const throttled = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`);
    expect(throttled.status).toBe(400);
    expect(errorOf(throttled)).toMatchObject({
      message: `(#80000) There have been too many calls from this ad-account. Wait a bit and try again. ${RATE_DOC}`,
      type: 'OAuthException',
      code: 80000,
      error_subcode: 2446079,
    });
    expect(bucOf(throttled).type).toBe('ads_insights');
    expect(jsonHeader(throttled, 'x-fb-ads-insights-throttle')).toMatchObject({ acc_id_util_pct: 100 });
    // Report-run creation and polling count against the same bucket.
    const post = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: { date_preset: 'yesterday' },
    });
    expect(errorOf(post).code).toBe(80000);
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
  });

  it('a fixed block lasts N sandbox minutes and reports N while it starts', async () => {
    sandbox.updateConfig({ timeScale: 1, rateLimits: { blockMinutes: 30 } });
    for (let i = 0; i < 5; i++) await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    const throttled = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    expect(errorOf(throttled).code).toBe(80004);
    expect(bucOf(throttled).estimated_time_to_regain_access).toBe(30);
    sandbox.advanceTime(10 * 60_000);
    const later = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    expect(errorOf(later).code).toBe(80004);
    expect(bucOf(later).estimated_time_to_regain_access).toBe(20);
    expect(jsonHeader(later, 'x-ad-account-usage')).toMatchObject({ reset_time_duration: 20 * 60 });
    sandbox.advanceTime(20 * 60_000 + 1);
    const after = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    expect(after.status).toBe(200);
    expect(bucOf(after).call_count).toBe(20);
  });

  it('batch items are throttled individually', async () => {
    const items = Array.from({ length: 7 }, () => ({ method: 'GET', relative_url: `act_${ACCOUNT}` }));
    const result = await call(sandbox.url, '/v26.0/', { form: { batch: JSON.stringify(items) } });
    const codes = (result.body as Array<{ code: number; body: string }>).map((item) => item.code);
    expect(codes).toEqual([200, 200, 200, 200, 200, 400, 400]);
    const last = (result.body as Array<{ body: string }>)[6];
    expect(JSON.parse(last?.body ?? '{}').error.code).toBe(80004);
  });

  it('with rate limits disabled calls are counted but never throttled', async () => {
    sandbox.updateConfig({ rateLimits: { enabled: false } });
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 8; i++) {
      last = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
      expect(last.status).toBe(200);
    }
    expect(last && bucOf(last).call_count).toBe(160);
  });
});

describe('ad-account score limiter (optional)', () => {
  it('17/2446079 once the score passes the max', async () => {
    sandbox.updateConfig({
      timeScale: 1,
      rateLimits: { enabled: false },
      scoreLimiter: {
        enabled: true,
        errorForm: '17',
        development: { maxScore: 4, decaySeconds: 300, blockSeconds: 300 },
      },
    });
    for (let i = 0; i < 4; i++) expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
    const blocked = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    expect(blocked.status).toBe(400);
    expect(errorOf(blocked)).toMatchObject({
      message: '(#17) User request limit reached',
      code: 17,
      error_subcode: 2446079,
      is_transient: false,
    });
    expect(jsonHeader(blocked, 'x-ad-account-usage')).toMatchObject({
      acc_id_util_pct: 100,
      reset_time_duration: 300,
    });
    sandbox.advanceTime(301_000);
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
  });

  it('613/1487742 form; report-run creation scores 3 points', async () => {
    sandbox.updateConfig({
      timeScale: 1,
      rateLimits: { enabled: false },
      scoreLimiter: { enabled: true, errorForm: '613', development: { maxScore: 4 } },
    });
    expect(
      (await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, { form: { date_preset: 'yesterday' } }))
        .status,
    ).toBe(200);
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
    const blocked = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    expect(errorOf(blocked)).toMatchObject({
      message: '(#613) There have been too many calls from this ad-account. Please wait a bit and try again.',
      code: 613,
      error_subcode: 1487742,
    });
  });
});

describe('app-level insights load (optional)', () => {
  it('4/1504022 on every account while the app is over its load; object reads unaffected', async () => {
    sandbox.updateConfig({ appInsightsLoad: { enabled: true, maxCallsPerSecond: null, form: '1504022' } });
    for (const id of [ACCOUNT, OTHER]) {
      const result = await call(sandbox.url, `/v26.0/act_${id}/insights?date_preset=yesterday`);
      expect(result.status).toBe(400);
      expect(errorOf(result)).toMatchObject({
        message: 'There have been too many calls from this app. Wait a bit and try again.',
        code: 4,
        error_subcode: 1504022,
        is_transient: true,
      });
      expect(jsonHeader(result, 'x-fb-ads-insights-throttle')).toMatchObject({ app_id_util_pct: 100 });
    }
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
  });

  it('plain (#4) form is HTTP 403 and transient; a per-second threshold lets calls through below it', async () => {
    sandbox.updateConfig({
      timeScale: 1,
      appInsightsLoad: { enabled: true, maxCallsPerSecond: null, form: 'plain' },
    });
    const plain = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`);
    expect(plain.status).toBe(403);
    expect(errorOf(plain)).toMatchObject({
      message: '(#4) Application request limit reached',
      code: 4,
      is_transient: true,
    });

    sandbox.updateConfig({ appInsightsLoad: { maxCallsPerSecond: 2, form: '1504039' } });
    sandbox.reset();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call(sandbox.url, `/v26.0/act_${OTHER}/insights?date_preset=yesterday`)).status);
    }
    expect(statuses).toEqual([200, 200, 400]);
    sandbox.advanceTime(1001);
    expect((await call(sandbox.url, `/v26.0/act_${OTHER}/insights?date_preset=yesterday`)).status).toBe(200);
  });
});
