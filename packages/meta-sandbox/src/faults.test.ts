/**
 * Fault injection over HTTP: 5xx bodies, malformed bodies, hangs, latency, per-account targeting,
 * empty pages, batch nulls, the first-poll race, and replay for a seed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, jsonHeader, rowsOf } from './testing.ts';

const [ACCOUNT, OTHER] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

const NO_FAULTS = {
  latency: null,
  serverErrorRate: 0,
  serverErrorStatuses: [500, 503] as Array<500 | 503>,
  hangRate: 0,
  malformedRate: 0,
  emptyPageRate: 0,
  batchNullItemRate: 0,
  asyncFirstPollNotFoundRate: 0,
  byAccount: {},
};

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'faults', startTime: '2026-11-24T10:00:00Z' });
});
afterEach(() => {
  sandbox.updateConfig({ faults: NO_FAULTS });
  const byAccount = sandbox.getConfig().faults.byAccount;
  expect(byAccount).toEqual({});
});
afterAll(async () => {
  await sandbox.close();
});

describe('server errors', () => {
  it('500 -> code 1 and 503 -> code 2 (transient), usage headers still sent', async () => {
    sandbox.setFaults({ serverErrorRate: 1, serverErrorStatuses: [500] });
    const five = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=name`);
    expect(five.status).toBe(500);
    expect(errorOf(five)).toEqual({
      message: 'An unknown error occurred',
      type: 'OAuthException',
      code: 1,
      is_transient: false,
      fbtrace_id: expect.any(String),
    });
    expect(jsonHeader(five, 'x-business-use-case-usage')).toHaveProperty(ACCOUNT);
    sandbox.setFaults({ serverErrorStatuses: [503] });
    const three = await call(sandbox.url, '/v26.0/me');
    expect(three.status).toBe(503);
    expect(errorOf(three)).toMatchObject({ code: 2, is_transient: true, type: 'OAuthException' });
  });

  it('a share of calls fails, replayed identically for the same seed', async () => {
    const run = async (seed: string) => {
      const instance = await startSandbox({ seed, faults: { serverErrorRate: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await call(instance.url, `/v26.0/act_${ACCOUNT}`)).status);
      await instance.close();
      return statuses;
    };
    const [first, second, third] = [await run('replay'), await run('replay'), await run('other')];
    expect(first).toEqual(second);
    expect(first).not.toEqual(third);
    const failures = first.filter((s) => s !== 200).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('per-account overrides hit only that account', async () => {
    sandbox.updateConfig({ faults: { byAccount: { [ACCOUNT]: { serverErrorRate: 1 } } } });
    expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBeGreaterThanOrEqual(500);
    expect((await call(sandbox.url, `/v26.0/act_${OTHER}`)).status).toBe(200);
    expect((await call(sandbox.url, '/v26.0/me')).status).toBe(200);
    sandbox.updateConfig({ faults: { byAccount: { [ACCOUNT]: null } } });
  });

  it('per-account data-size faults reach the insights handler of that account only', async () => {
    sandbox.updateConfig({ faults: { byAccount: { [ACCOUNT]: { reduceData: { maxRows: 1 } } } } });
    const query =
      '/insights?level=campaign&fields=spend&time_range={"since":"2026-11-01","until":"2026-11-10"}&time_increment=1';
    const limited = await call(sandbox.url, `/v26.0/act_${ACCOUNT}${query}`);
    expect(limited.status).toBe(500);
    expect(errorOf(limited)?.message).toMatch(/reduce the amount of data/);
    expect((await call(sandbox.url, `/v26.0/act_${OTHER}${query}`)).status).toBe(200);
    sandbox.updateConfig({ faults: { byAccount: { [ACCOUNT]: null } } });
  });
});

describe('transport faults', () => {
  it('truncated JSON bodies', async () => {
    sandbox.setFaults({ malformedRate: 1, malformedKind: 'truncated' });
    const result = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=name,currency`);
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toContain('application/json');
    expect(result.body).toBeUndefined();
    expect(() => JSON.parse(result.text)).toThrow();
  });

  it('HTML error pages', async () => {
    sandbox.setFaults({ malformedRate: 1, malformedKind: 'html' });
    const result = await call(sandbox.url, '/v26.0/me');
    expect(result.status).toBe(502);
    expect(result.headers.get('content-type')).toContain('text/html');
    expect(result.text).toContain('<html');
  });

  it('hangs never answer; the server keeps serving others', async () => {
    sandbox.reset();
    sandbox.setFaults({ hangRate: 1 });
    await expect(call(sandbox.url, '/v26.0/me', { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(sandbox.counters().app.hangs).toBe(1);
    sandbox.setFaults({ hangRate: 0 });
    expect((await call(sandbox.url, '/v26.0/me')).status).toBe(200);
  });

  it('fixed latency and a mean/jitter distribution', async () => {
    sandbox.updateConfig({ latencyMs: 120 });
    let started = performance.now();
    await call(sandbox.url, '/v26.0/me');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    sandbox.setFaults({ latency: { meanMs: 60, jitterMs: 20 } });
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      await call(sandbox.url, '/v26.0/me');
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(38);
      expect(elapsed).toBeLessThan(1000);
    }
  });
});

describe('paging, batch and async faults', () => {
  it('an empty page that still has next', async () => {
    const path = `/v26.0/act_${ACCOUNT}/insights?level=ad&date_preset=last_30d&limit=5`;
    sandbox.setFaults({ emptyPageRate: 1 });
    const empty = await call(sandbox.url, path);
    const body = empty.body as { data: unknown[]; paging: { next: string } };
    expect(body.data).toEqual([]);
    expect(body.paging.next).toContain('after=');
    sandbox.setFaults({ emptyPageRate: 0 });
    const next = new URL(body.paging.next);
    const resumed = await call(sandbox.url, next.pathname + next.search);
    expect(rowsOf(resumed)).toEqual(rowsOf(await call(sandbox.url, path)));
  });

  it('null batch items (partial timeout)', async () => {
    sandbox.setFaults({ batchNullItemRate: 1 });
    const result = await call(sandbox.url, '/v26.0/', {
      form: {
        batch: JSON.stringify([
          { method: 'GET', relative_url: 'me' },
          { method: 'GET', relative_url: `act_${ACCOUNT}` },
        ]),
      },
    });
    expect(result.body).toEqual([null, null]);
  });

  it('the first status poll of a new run can answer 100/33 (creation/poll race)', async () => {
    sandbox.setFaults({ asyncFirstPollNotFoundRate: 1 });
    const created = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: { date_preset: 'yesterday' },
    });
    const id = (created.body as { report_run_id: string }).report_run_id;
    const first = await call(sandbox.url, `/v26.0/${id}`);
    expect(errorOf(first)).toMatchObject({ code: 100, error_subcode: 33 });
    const second = await call(sandbox.url, `/v26.0/${id}`);
    expect(second.body).toMatchObject({ id, async_status: expect.any(String) });
  });

  it('runs above asyncMaxRows end Job Failed (-3/1504045)', async () => {
    sandbox.setFaults({ reduceData: { asyncMaxRows: 5 } });
    const created = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: { level: 'ad', date_preset: 'last_30d', time_increment: '1' },
    });
    const id = (created.body as { report_run_id: string }).report_run_id;
    sandbox.advanceTime(3_600_000);
    expect((await call(sandbox.url, `/v26.0/${id}`)).body).toMatchObject({
      async_status: 'Job Failed',
      error_code: -3,
      error_subcode: 1504045,
    });
    sandbox.setFaults({ reduceData: { asyncMaxRows: null } });
  });
});
