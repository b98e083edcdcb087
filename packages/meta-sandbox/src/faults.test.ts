/**
 * Fault injection over HTTP: 5xx bodies, malformed bodies, hangs, latency, per-account targeting,
 * empty pages, batch nulls, the first-poll race, and replay for a seed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS } from './config/defaults.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { call, errorOf, type GraphResult, jsonHeader, range, rowsOf } from './testing.ts';

const [ACCOUNT, OTHER] = DEFAULT_ACCOUNT_IDS;
let sandbox: Sandbox;

const NO_FAULTS = {
  latency: null,
  serverErrorRate: 0,
  serverErrorStatuses: [500, 503] as Array<500 | 503>,
  hangRate: 0,
  malformedRate: 0,
  emptyPageRate: 0,
  emptyPageSharedCursorRate: 0,
  batchNullItemRate: 0,
  asyncFirstPollNotFoundRate: 0,
  bareErrorRate: 0,
  errorIn200Rate: 0,
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

interface WalkedPage {
  url: string;
  rows: number;
  after: string | undefined;
  next: string | undefined;
}

/** Follows `paging.next` to the end; `stopOnRepeatedCursor` mimics a client that treats a repeated cursor as a loop. */
async function walk(path: string, stopOnRepeatedCursor = false) {
  const pages: WalkedPage[] = [];
  const rows: Array<Record<string, unknown>> = [];
  let url: string | undefined = path;
  while (url !== undefined) {
    const result: GraphResult = await call(sandbox.url, url);
    expect(result.status, result.text).toBe(200);
    const body = result.body as {
      data: Array<Record<string, unknown>>;
      paging?: { cursors?: { after: string }; next?: string };
    };
    const after = body.paging?.cursors?.after;
    if (stopOnRepeatedCursor && after !== undefined && pages.some((p) => p.after === after)) break;
    pages.push({ url, rows: body.data.length, after, next: body.paging?.next });
    rows.push(...body.data);
    const next = body.paging?.next;
    url = next === undefined ? undefined : new URL(next).pathname + new URL(next).search;
    expect(pages.length).toBeLessThan(200);
  }
  return { pages, rows };
}

describe('shared-cursor empty pages (issue 12.3)', () => {
  const query = `/v26.0/act_${ACCOUNT}/insights?level=ad&time_range=${range('2026-10-25', '2026-11-23')}&fields=ad_id,impressions,spend`;

  it('sync insights: an empty page whose after cursor is that of the next page, every next URL new, no row lost', async () => {
    const whole = rowsOf(await call(sandbox.url, `${query}&limit=1000`));
    expect(whole.length).toBeGreaterThan(10);
    sandbox.setFaults({ emptyPageSharedCursorRate: 1 });
    const { pages, rows } = await walk(`${query}&limit=5`);
    expect(rows).toEqual(whole);
    // Pages alternate: empty (quirk), then the rows it stood for.
    expect(pages.map((p) => p.rows > 0)).toEqual(pages.map((_, i) => i % 2 === 1));
    for (let i = 0; i + 1 < pages.length; i += 2) {
      const [empty, following] = [pages[i] as WalkedPage, pages[i + 1] as WalkedPage];
      expect(empty.after).toBeDefined();
      expect(empty.after).toBe(following.after);
      expect(empty.next).toBeDefined();
      expect(empty.next).not.toBe(following.next);
    }
    const urls = pages.map((p) => new URL(p.url, 'http://x').search);
    expect(new Set(urls).size).toBe(urls.length);
    // A client that stops on a repeated cursor loses rows.
    const naive = await walk(`${query}&limit=5`, true);
    expect(naive.rows.length).toBeLessThan(whole.length);
  });

  it('report-run results page the same way; a share of pages replays for the seed', async () => {
    sandbox.setFaults({ emptyPageSharedCursorRate: 1 });
    const created = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights`, {
      form: {
        level: 'ad',
        time_range: JSON.stringify({ since: '2026-11-01', until: '2026-11-20' }),
        limit: '4',
      },
    });
    const id = (created.body as { report_run_id: string }).report_run_id;
    sandbox.advanceTime(3_600_000);
    const { pages, rows } = await walk(`/v26.0/${id}/insights`);
    expect(pages[0]?.rows).toBe(0);
    expect(pages[0]?.after).toBe(pages[1]?.after);
    sandbox.setFaults({ emptyPageSharedCursorRate: 0 });
    expect(rows).toEqual((await walk(`/v26.0/${id}/insights?limit=1000`)).rows);

    const replay = async () => {
      const instance = await startSandbox({
        seed: 'odd-pages',
        startTime: '2026-11-24T10:00:00Z',
        faults: { emptyPageSharedCursorRate: 0.4 },
      });
      const shape: number[] = [];
      let url: string | undefined = `${query}&limit=3`;
      while (url !== undefined) {
        const result = await call(instance.url, url);
        const body = result.body as { data: unknown[]; paging?: { next?: string } };
        shape.push(body.data.length);
        const next = body.paging?.next;
        url = next === undefined ? undefined : new URL(next).pathname + new URL(next).search;
      }
      await instance.close();
      return shape;
    };
    const [first, second] = [await replay(), await replay()];
    expect(first).toEqual(second);
    expect(first.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(first.filter((n) => n > 0).length).toBeGreaterThan(first.filter((n) => n === 0).length);
  });
});

describe('"reduce the amount of data" on report-run creation (issue 12.4)', () => {
  const create = (accountId: string, since: string, until: string) =>
    call(sandbox.url, `/v26.0/act_${accountId}/insights`, {
      form: { level: 'campaign', time_range: JSON.stringify({ since, until }), time_increment: '1' },
    });

  it('refuses POST ranges longer than N days on that account only; shorter ranges and sync reads succeed', async () => {
    sandbox.updateConfig({ faults: { byAccount: { [ACCOUNT]: { reduceData: { asyncCreateMaxDays: 7 } } } } });
    const long = await create(ACCOUNT as string, '2026-11-01', '2026-11-08');
    expect(long.status).toBe(500);
    expect(long.body).toEqual({
      error: {
        code: 1,
        message: "Please reduce the amount of data you're asking for, then retry your request",
      },
    });
    expect(jsonHeader(long, 'x-business-use-case-usage')).toHaveProperty(ACCOUNT as string);
    const short = await create(ACCOUNT as string, '2026-11-01', '2026-11-07');
    expect(short.status).toBe(200);
    expect(short.body).toEqual({ report_run_id: expect.stringMatching(/^\d+$/) });
    expect((await create(OTHER as string, '2026-11-01', '2026-11-30')).status).toBe(200);
    const sync = await call(
      sandbox.url,
      `/v26.0/act_${ACCOUNT}/insights?level=campaign&time_range=${range('2026-10-01', '2026-11-20')}&time_increment=1`,
    );
    expect(sync.status).toBe(200);
    sandbox.updateConfig({
      faults: { byAccount: { [ACCOUNT]: { reduceData: { asyncCreateMaxDays: 7, form: 'wrapped' } } } },
    });
    const wrapped = await create(ACCOUNT as string, '2026-10-01', '2026-10-31');
    expect(wrapped.status).toBe(500);
    expect(errorOf(wrapped)).toMatchObject({
      message: 'An unknown error occurred',
      code: 1,
      error_subcode: 99,
      error_user_msg: "Please reduce the amount of data you're asking for, then retry your request",
    });
    sandbox.updateConfig({ faults: { byAccount: { [ACCOUNT]: null } } });
  });
});

describe('quirk faults: misleading error wrappers (issue 12.9)', () => {
  it('bareErrorRate: HTTP 403 with the error code at the top level, no error wrapper', async () => {
    sandbox.updateConfig({
      accounts: { [ACCOUNT as string]: { quotaOverride: { ads_management: 1 } } },
      faults: { byAccount: { [ACCOUNT as string]: { bareErrorRate: 1 } } },
    });
    sandbox.reset();
    try {
      expect((await call(sandbox.url, `/v26.0/act_${ACCOUNT}`)).status).toBe(200);
      const throttled = await call(sandbox.url, `/v26.0/act_${ACCOUNT}`);
      expect(throttled.status).toBe(403);
      expect(throttled.body).toEqual({
        code: 80004,
        error_subcode: 2446079,
        message: expect.stringMatching(/^\(#80004\) There have been too many calls to this ad-account\./),
        type: 'OAuthException',
        fbtrace_id: expect.any(String),
      });
      expect(Object.keys(throttled.body as object).slice(0, 3)).toEqual(['code', 'error_subcode', 'message']);
      expect(
        (jsonHeader(throttled, 'x-business-use-case-usage') as Record<string, Array<{ call_count: number }>>)[
          ACCOUNT as string
        ]?.[0]?.call_count,
      ).toBe(100);
      // Other accounts keep the normal envelope.
      const other = await call(sandbox.url, `/v26.0/act_${OTHER}?fields=nope`);
      expect(other.status).toBe(400);
      expect(Object.keys(other.body as object)).toEqual(['error']);
      expect(sandbox.counters().app.quirks).toBe(1);
    } finally {
      sandbox.updateConfig({
        accounts: { [ACCOUNT as string]: { quotaOverride: null } },
        faults: { byAccount: { [ACCOUNT as string]: null } },
      });
    }
  });

  it('errorIn200Rate: an unusual error code inside an HTTP 200 body, configurable', async () => {
    sandbox.setFaults({ errorIn200Rate: 1 });
    const result = await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      error: {
        message: '(#999) An unexpected error occurred.',
        type: 'OAuthException',
        code: 999,
        fbtrace_id: expect.any(String),
      },
    });
    expect(jsonHeader(result, 'x-business-use-case-usage')).toHaveProperty(ACCOUNT as string);
    sandbox.setFaults({ errorIn200: { code: 80000, error_subcode: 2446079, message: '(#80000) throttled' } });
    const custom = await call(sandbox.url, '/v26.0/me');
    expect(custom.status).toBe(200);
    expect(errorOf(custom)).toMatchObject({
      code: 80000,
      error_subcode: 2446079,
      message: '(#80000) throttled',
    });
    sandbox.setFaults({
      errorIn200Rate: 0,
      errorIn200: { code: 999, message: '(#999) An unexpected error occurred.' },
    });
    expect(
      rowsOf(await call(sandbox.url, `/v26.0/act_${ACCOUNT}/insights?date_preset=yesterday`)).length,
    ).toBe(1);
  });
});
