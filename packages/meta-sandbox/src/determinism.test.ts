/**
 * Determinism: the same seed gives byte-identical insights (every page, every query shape);
 * a different seed gives different data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, range } from './testing.ts';

const [ACCOUNT, PIXEL_ACCOUNT] = DEFAULT_ACCOUNT_IDS;
const options = { startTime: '2026-11-24T10:00:00Z', publicUrl: 'https://graph.sandbox.test' } as const;
let a: Sandbox;
let b: Sandbox;
let other: Sandbox;

beforeAll(async () => {
  [a, b, other] = await Promise.all([
    startSandbox({ ...options, seed: 'same-seed' }),
    startSandbox({ ...options, seed: 'same-seed' }),
    startSandbox({ ...options, seed: 'another-seed' }),
  ]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close(), other.close()]);
});

const FIELDS =
  'campaign_id,campaign_name,spend,impressions,clicks,inline_link_clicks,ctr,inline_link_click_ctr,cpc,cost_per_inline_link_click,cpm,cpp,reach,frequency,conversions,actions,action_values,cost_per_action_type';

const queries = [
  `/v26.0/act_${ACCOUNT}/insights?level=campaign&time_range=${range('2026-10-01', '2026-11-23')}&time_increment=1&fields=${FIELDS}&limit=50`,
  `/v26.0/act_${PIXEL_ACCOUNT}/insights?level=ad&date_preset=last_90d&time_increment=monthly&fields=ad_id,spend,impressions,actions,conversions&limit=7`,
  `/v26.0/act_${ACCOUNT}/insights?breakdowns=publisher_platform,platform_position&date_preset=last_30d&fields=impressions,clicks,spend,cpm,actions`,
  `/v26.0/act_${ACCOUNT}/insights?breakdowns=country,region&date_preset=last_28d&fields=impressions,inline_link_clicks,spend,actions&limit=500`,
];

/** Reads every page of a query, returning the raw bodies. */
async function allPages(sandbox: Sandbox, path: string): Promise<string[]> {
  const bodies: string[] = [];
  let next: string | undefined = path;
  while (next) {
    const result = await call(sandbox.url, next);
    expect(result.status).toBe(200);
    bodies.push(result.text);
    const link = (result.body as { paging?: { next?: string } }).paging?.next;
    next = link === undefined ? undefined : link.replace('https://graph.sandbox.test', '');
  }
  return bodies;
}

describe('determinism', () => {
  it.each(queries)('same seed -> byte-identical responses: %s', async (path) => {
    const [first, second] = await Promise.all([allPages(a, path), allPages(b, path)]);
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });

  it('paging a multi-page result is stable and complete', async () => {
    const pages = await allPages(a, queries[1] as string);
    expect(pages.length).toBeGreaterThan(1);
    const rows = pages.flatMap((page) => (JSON.parse(page) as { data: unknown[] }).data);
    const single = await call(a.url, (queries[1] as string).replace('limit=7', 'limit=1000'));
    expect(rows).toEqual((single.body as { data: unknown[] }).data);
  });

  it('a different seed gives different data', async () => {
    const path = queries[0] as string;
    const [mine, theirs] = await Promise.all([call(a.url, path), call(other.url, path)]);
    expect(mine.text).not.toBe(theirs.text);
    const campaigns = async (sandbox: Sandbox) =>
      (await call(sandbox.url, `/v26.0/act_${ACCOUNT}/campaigns`)).text;
    expect(await campaigns(a)).not.toBe(await campaigns(other));
    expect(await campaigns(a)).toBe(await campaigns(b));
  });

  it('report run ids and their results replay for the same seed and request order', async () => {
    const create = (sandbox: Sandbox) =>
      call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, { form: { level: 'ad', date_preset: 'last_7d' } });
    const [runA, runB] = await Promise.all([create(a), create(b)]);
    expect(runA.text).toBe(runB.text);
    const id = (runA.body as { report_run_id: string }).report_run_id;
    a.advanceTime(3_600_000);
    b.advanceTime(3_600_000);
    const [rowsA, rowsB] = await Promise.all([
      allPages(a, `/v26.0/${id}/insights`),
      allPages(b, `/v26.0/${id}/insights`),
    ]);
    expect(rowsA).toEqual(rowsB);
  });
});
