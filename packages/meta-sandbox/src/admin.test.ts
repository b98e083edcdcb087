/**
 * The admin API under /__sandbox/* and the control methods of the Sandbox object: config,
 * counters, reset, token revocation / rotation / expiry, the clock, and token-free logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS, SANDBOX_TOKENS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf } from './testing.ts';

const [ACCOUNT] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'admin',
    startTime: '2026-11-24T10:00:00Z',
    log: (line) => logLines.push(line),
  });
});
afterAll(async () => {
  await sandbox.close();
});

async function admin(method: string, path: string, body?: unknown) {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(`${sandbox.url}/__sandbox${path}`, init);
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('config', () => {
  it('GET shows settings, accounts and tokens without token values', async () => {
    const result = await admin('GET', '/config');
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ seed: 'admin', timeScale: 1, startTime: '2026-11-24T10:00:00.000Z' });
    expect((result.body.accounts as unknown[]).length).toBe(3);
    expect(result.body.tokens).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ label: 'valid', state: 'valid', fingerprint: expect.any(String) }),
      ]),
    );
    for (const value of Object.values(SANDBOX_TOKENS)) expect(result.text).not.toContain(value);
  });

  it('PATCH changes faults, rate limits and account fields; invalid patches are 400', async () => {
    const ok = await admin('PATCH', '/config', {
      accounts: { [`act_${ACCOUNT}`]: { status: 2, disableReason: 1, tier: 'standard' } },
      rateLimits: { blockMinutes: 15 },
    });
    expect(ok.status).toBe(200);
    expect((ok.body.rateLimits as Record<string, unknown>).blockMinutes).toBe(15);
    const account = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=account_status,disable_reason`);
    expect(account.body).toMatchObject({ account_status: 2, disable_reason: 1 });
    expect(account.headers.get('x-business-use-case-usage')).toContain('standard_access');

    for (const bad of [
      { faults: { serverErrorRate: 2 } },
      { seed: 'other' },
      { accounts: { '999': { status: 1 } } },
      { rateLimits: { blockMinutes: 'soon' } },
    ]) {
      const result = await admin('PATCH', '/config', bad);
      expect(result.status).toBe(400);
      expect(typeof (result.body.error as { message?: unknown }).message).toBe('string');
    }
    expect((await admin('PATCH', '/config', 'not json')).status).toBe(400);
    await admin('PATCH', '/config', {
      accounts: { [ACCOUNT]: { status: 1, disableReason: 0, tier: 'development' } },
    });
  });

  it('unknown endpoints are 404 and wrong methods 405', async () => {
    expect((await admin('GET', '/nope')).status).toBe(404);
    expect((await admin('DELETE', '/config')).status).toBe(405);
  });
});

describe('counters and reset', () => {
  it('counts calls, throttles and errors per account and BUC, and reset clears them', async () => {
    await admin('POST', '/reset');
    sandbox.updateConfig({ accounts: { [ACCOUNT]: { quotaOverride: { ads_insights: 2 } } } });
    for (let i = 0; i < 3; i++)
      await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`);
    await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=bogus`);
    const counters = await admin('GET', '/counters');
    const account = (counters.body.accounts as Record<string, Record<string, Record<string, number>>>)[
      ACCOUNT
    ];
    expect(account?.ads_insights).toMatchObject({
      calls: 3,
      throttles: 1,
      errors: 0,
      quota: 2,
      callCount: 100,
    });
    expect(account?.ads_insights?.estimatedTimeToRegainAccess).toBeGreaterThan(0);
    expect(account?.ads_management).toMatchObject({ calls: 1, throttles: 0, errors: 1 });
    expect((counters.body.app as Record<string, number>).requests).toBe(4);

    expect((await admin('POST', '/reset', {})).status).toBe(200);
    const cleared = await admin('GET', '/counters');
    const after = (cleared.body.accounts as Record<string, Record<string, Record<string, number>>>)[ACCOUNT];
    expect(after?.ads_insights).toMatchObject({
      calls: 0,
      throttles: 0,
      callCount: 0,
      estimatedTimeToRegainAccess: 0,
    });
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`)).status).toBe(
      200,
    );
    sandbox.updateConfig({ accounts: { [ACCOUNT]: { quotaOverride: null } } });
  });
});

describe('tokens', () => {
  it('revoke through the admin API -> 190/460; reset {tokens:true} restores it', async () => {
    const revoked = await admin('POST', '/tokens/revoke', { token: SANDBOX_TOKENS.valid });
    expect(revoked.status).toBe(200);
    expect(revoked.text).not.toContain(SANDBOX_TOKENS.valid);
    const denied = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
    expect(errorOf(denied)).toMatchObject({ code: 190, error_subcode: 460 });
    await admin('POST', '/reset', { tokens: true });
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
    expect((await admin('POST', '/tokens/revoke', { token: 'EAAunknownToken' })).status).toBe(404);
  });

  it('rotate adds a new token with the same accounts and revokes the old one', async () => {
    const rotated = await admin('POST', '/tokens/rotate', { replaces: SANDBOX_TOKENS.limited });
    expect(rotated.status).toBe(201);
    const value = rotated.body.value as string;
    expect(value).toMatch(/^EAA/);
    expect(rotated.body.token).toMatchObject({ state: 'valid', accountIds: [ACCOUNT] });
    expect(rotated.body.revoked).toMatchObject({ label: 'limited', state: 'revoked' });
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`, { token: value })).status).toBe(200);
    expect(
      errorOf(await call(sandbox.url, `/v26.0/act_${ACCOUNT}`, { token: SANDBOX_TOKENS.limited })).code,
    ).toBe(190);
    const debug = await call(sandbox.url, `/v26.0/debug_token?input_token=${value}`, { token: value });
    expect((debug.body as { data: Record<string, unknown> }).data).toMatchObject({
      is_valid: true,
      type: 'SYSTEM_USER',
    });
  });

  it('methods on the Sandbox object: rotate with a chosen value, expire', async () => {
    const rotated = sandbox.rotateToken({ value: 'EAAChosenRotatedToken', accountIds: 'all' });
    expect(rotated.value).toBe('EAAChosenRotatedToken');
    expect((await call(sandbox.url, '/v26.0/me', { token: 'EAAChosenRotatedToken' })).status).toBe(200);
    sandbox.expireToken('EAAChosenRotatedToken');
    const expired = await call(sandbox.url, '/v26.0/me', { token: 'EAAChosenRotatedToken' });
    expect(errorOf(expired)).toMatchObject({ code: 190, error_subcode: 463 });
    expect(() => sandbox.rotateToken({ value: 'EAAChosenRotatedToken' })).toThrow();
  });
});

describe('clock', () => {
  it('POST /clock advances sandbox time and changes the time scale', async () => {
    const before = Date.parse((await admin('GET', '/clock')).body.now as string);
    const after = await admin('POST', '/clock', { advanceMinutes: 90, timeScale: 60 });
    expect(Date.parse(after.body.now as string) - before).toBeGreaterThanOrEqual(90 * 60_000);
    expect(after.body.timeScale).toBe(60);
    expect((await call(sandbox.url, '/v26.0/me')).headers.get('x-sandbox-time-scale')).toBe('60');
    sandbox.setTimeScale(1);
  });
});

describe('logging', () => {
  it('request logs never contain tokens', async () => {
    await call(sandbox.url, `/v26.0/me?access_token=${SANDBOX_TOKENS.valid}`, { token: null });
    await call(sandbox.url, `/v26.0/debug_token?input_token=${SANDBOX_TOKENS.valid}`);
    expect(logLines.length).toBeGreaterThan(5);
    const all = logLines.join('\n');
    for (const value of Object.values(SANDBOX_TOKENS)) expect(all).not.toContain(value);
    expect(all).toContain('GET /v26.0/me -> 200');
  });
});
