/**
 * Marketing API v27 (reference §6, update 2026-12): apps created since 2026-11-04 cannot use
 * multi-ID requests (`?ids=`), field aliases or async batch requests. `appCreatedAfterV27`
 * (default true) refuses them with code 100; false serves `?ids=` and aliases as Graph does for
 * older apps (each ID counted as its own call).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, jsonHeader, rowsOf } from './testing.ts';

const [ACCOUNT, OTHER] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'v27', startTime: '2026-11-24T10:00:00Z' });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.updateConfig({ appCreatedAfterV27: true });
  sandbox.reset();
});

describe('appCreatedAfterV27: true (the default)', () => {
  it('is the default', () => {
    expect(sandbox.getConfig().appCreatedAfterV27).toBe(true);
  });

  it.each([
    [
      'multi-ID read',
      `/v26.0/?ids=act_${ACCOUNT},act_${OTHER}&fields=name`,
      'GET',
      /Multi-ID requests \(the ids parameter\)/,
    ],
    ['multi-ID edge', `/v26.0/insights?ids=act_${ACCOUNT}`, 'GET', /Multi-ID requests/],
    ['field alias on a node', `/v26.0/act_${ACCOUNT}?fields=name.as(title)`, 'GET', /Field aliases/],
    [
      'field alias in insights',
      `/v26.0/act_${ACCOUNT}/insights?fields=spend.as(cost)`,
      'GET',
      /Field aliases/,
    ],
    ['async batch request', `/v26.0/act_${ACCOUNT}/async_batch_requests`, 'POST', /Async batch requests/],
  ])('refuses a %s with code 100', async (_name, path, method, message) => {
    const result = await call(sandbox.url, path, {
      method,
      ...(method === 'POST' ? { form: { name: 'x', adbatch: '[]' } } : {}),
    });
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 100, type: 'OAuthException' });
    expect(String(errorOf(result).message)).toMatch(/^\(#100\) /);
    expect(String(errorOf(result).message)).toMatch(message);
    expect(String(errorOf(result).message)).toContain('November 4, 2026');
  });

  it('refuses them inside a batch too; plain batches still work', async () => {
    const result = await call(sandbox.url, '/v26.0/', {
      form: {
        batch: JSON.stringify([
          { method: 'GET', relative_url: `?ids=act_${ACCOUNT}` },
          { method: 'GET', relative_url: `act_${ACCOUNT}?fields=name` },
        ]),
      },
    });
    const items = result.body as Array<{ code: number; body: string }>;
    expect(items.map((i) => i.code)).toEqual([400, 200]);
    expect(JSON.parse(items[0]?.body ?? '{}').error.code).toBe(100);
  });
});

describe('appCreatedAfterV27: false (an older app)', () => {
  beforeEach(() => {
    sandbox.updateConfig({ appCreatedAfterV27: false });
  });

  it('?ids= returns one object per ID, each counted as a call of its own account', async () => {
    const result = await call(sandbox.url, `/v26.0/?ids=act_${ACCOUNT},act_${OTHER}&fields=name,currency`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      [`act_${ACCOUNT}`]: { name: 'Sandbox Hotel Warszawa', currency: 'PLN', id: `act_${ACCOUNT}` },
      [`act_${OTHER}`]: { name: 'Sandbox Resort Gdańsk', currency: 'PLN', id: `act_${OTHER}` },
    });
    expect(Object.keys(jsonHeader(result, 'x-business-use-case-usage') as object).sort()).toEqual(
      [ACCOUNT, OTHER].sort(),
    );
    const counters = sandbox.counters().accounts;
    expect(counters[ACCOUNT as string]?.ads_management.calls).toBe(1);
    expect(counters[OTHER as string]?.ads_management.calls).toBe(1);
  });

  it('?ids= on an edge, and unknown IDs answer 803', async () => {
    const campaigns = rowsOf(await call(sandbox.url, `/v26.0/act_${ACCOUNT}/campaigns?fields=id`));
    const campaign = campaigns[0]?.id as string;
    const result = await call(
      sandbox.url,
      `/v26.0/insights?ids=act_${ACCOUNT},${campaign}&date_preset=yesterday&fields=spend`,
    );
    expect(result.status).toBe(200);
    const body = result.body as Record<string, { data: unknown[] }>;
    expect(Object.keys(body)).toEqual([`act_${ACCOUNT}`, campaign]);
    expect(body[campaign]?.data.length).toBe(1);
    const unknown = await call(sandbox.url, `/v26.0/?ids=act_${ACCOUNT},act_424242`);
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toMatchObject({
      code: 803,
      message: '(#803) Some of the aliases you requested do not exist: act_424242',
    });
  });

  it('field aliases rename fields of nodes and insights rows', async () => {
    const node = await call(sandbox.url, `/v26.0/act_${ACCOUNT}?fields=name.as(title),currency`);
    expect(node.body).toEqual({ title: 'Sandbox Hotel Warszawa', currency: 'PLN', id: `act_${ACCOUNT}` });
    const plain = rowsOf(await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?fields=spend,impressions`));
    const aliased = rowsOf(
      await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?fields=spend.as(cost),impressions`),
    );
    expect(aliased).toEqual([
      {
        cost: plain[0]?.spend,
        impressions: plain[0]?.impressions,
        date_start: plain[0]?.date_start,
        date_stop: plain[0]?.date_stop,
      },
    ]);
  });

  it('async batch requests are not emulated (no write endpoints) and say so', async () => {
    const result = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/async_batch_requests`, {
      form: { name: 'x', adbatch: '[]' },
    });
    expect(result.status).toBe(400);
    expect(String(errorOf(result).message)).toContain('not emulated');
  });
});
