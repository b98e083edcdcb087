import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetaClient } from './client.ts';
import type { MetaApiError } from './errors/meta-api-error.ts';
import { isMetaInvalidRequestError } from './errors/meta-invalid-request-error.ts';
import type { MetaReportRunError } from './errors/meta-report-run-error.ts';
import { isMetaReportRunError } from './errors/meta-report-run-error.ts';
import { parseInsightNumbers } from './parse-insight-numbers.ts';
import { caught, recordingClient, TOKEN } from './test-support/client-fixture.ts';
import type { FakeGraphServer, RecordedRequest } from './test-support/fake-graph-server.ts';
import { sendJson, startFakeGraphServer } from './test-support/fake-graph-server.ts';
import type { MetaClientOptions } from './transport.ts';

let server: FakeGraphServer;
const makeClient = (overrides: Partial<MetaClientOptions> = {}) => recordingClient(server.url, overrides);

beforeAll(async () => {
  server = await startFakeGraphServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.reset();
});

interface Range {
  since: string;
  until: string;
}

function rangeOf(req: RecordedRequest): Range {
  return JSON.parse(req.params.get('time_range') ?? '{}') as Range;
}

function daysIn(range: Range): string[] {
  const out: string[] = [];
  for (let t = Date.parse(range.since); t <= Date.parse(range.until); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** One row per day of the range (time_increment 1), metrics as strings like Meta. */
function rowsFor(range: Range) {
  return daysIn(range).map((day, i) => ({
    account_id: '123',
    campaign_id: '120210000000000001',
    date_start: day,
    date_stop: day,
    impressions: String(1000 + i),
    spend: '10.50',
  }));
}

/** Serves rows in pages of `limit`, with Meta-style next URLs that carry the token. */
function servePaged(
  req: RecordedRequest,
  res: Parameters<typeof sendJson>[0],
  rows: unknown[],
  extraHeaders = {},
) {
  const limit = Number(req.params.get('limit') ?? '25');
  const offset = Number(req.query.get('after') ?? '0');
  const page = rows.slice(offset, offset + limit);
  const nextOffset = offset + limit;
  const paging: Record<string, unknown> = { cursors: { before: String(offset), after: String(nextOffset) } };
  if (nextOffset < rows.length) {
    const next = new URL(`${server.url}/v26.0${req.route}`);
    for (const [k, v] of req.params) if (k !== 'after') next.searchParams.set(k, v);
    next.searchParams.set('access_token', TOKEN);
    next.searchParams.set('after', String(nextOffset));
    paging.next = next.toString();
  }
  sendJson(res, 200, { data: page, paging }, extraHeaders);
}

const TOO_LARGE = {
  error: {
    message: 'Invalid parameter',
    type: 'OAuthException',
    code: 100,
    error_subcode: 1487534,
    fbtrace_id: 'T1',
  },
};
const REDUCE_DATA = {
  error: { code: 1, message: "Please reduce the amount of data you're asking for, then retry your request" },
};

describe('sync insights', () => {
  it('sends every parameter and returns all rows across pages', async () => {
    const { client, events } = makeClient();
    const range = { since: '2026-07-01', until: '2026-07-05' };
    server.on('GET', '/act_123/insights', (req, res) =>
      servePaged(req, res, rowsFor(rangeOf(req)), {
        'X-FB-Ads-Insights-Throttle':
          '{"app_id_util_pct":3,"acc_id_util_pct":12,"ads_api_access_tier":"standard_access"}',
      }),
    );
    const result = await client.getInsights('act_123', {
      level: 'campaign',
      fields: ['campaign_id', 'impressions', 'spend', 'actions'],
      time_range: range,
      time_increment: 1,
      breakdowns: ['publisher_platform'],
      action_breakdowns: ['action_type'],
      filtering: [{ field: 'campaign.effective_status', operator: 'IN', value: ['ACTIVE'] }],
      use_unified_attribution_setting: true,
      limit: 2,
    });
    expect(result.data.map((r) => r.date_start)).toEqual(daysIn(range));
    expect(result.pages).toBe(3);
    expect(result.parts).toBe(1);
    expect(result.usage.insightsThrottle).toEqual({
      appIdUtilPct: 3,
      accIdUtilPct: 12,
      tier: 'standard_access',
    });

    const q = server.requests[0]?.query;
    expect(q?.get('level')).toBe('campaign');
    expect(q?.get('fields')).toBe('campaign_id,impressions,spend,actions');
    expect(JSON.parse(q?.get('time_range') ?? '')).toEqual(range);
    expect(q?.get('time_increment')).toBe('1');
    expect(JSON.parse(q?.get('breakdowns') ?? '')).toEqual(['publisher_platform']);
    expect(JSON.parse(q?.get('action_breakdowns') ?? '')).toEqual(['action_type']);
    expect(JSON.parse(q?.get('filtering') ?? '')).toEqual([
      { field: 'campaign.effective_status', operator: 'IN', value: ['ACTIVE'] },
    ]);
    expect(q?.get('use_unified_attribution_setting')).toBe('true');
    expect(q?.get('limit')).toBe('2');
    for (const req of server.requests) expect(req.url).not.toContain(TOKEN);
    expect(events.every((e) => e.adAccountId === '123' && e.path === '/v26.0/act_123/insights')).toBe(true);

    const parsed = parseInsightNumbers(result.data[0] ?? {});
    expect(parsed).toMatchObject({ impressions: 1000, spend: 10.5, campaign_id: '120210000000000001' });
  });

  it('sends time_ranges and defaults the page size to 100', async () => {
    const { client } = makeClient();
    server.on('GET', '/act_123/insights', (_req, res) => sendJson(res, 200, { data: [] }));
    const ranges = [
      { since: '2026-06-01', until: '2026-06-30' },
      { since: '2026-07-01', until: '2026-07-31' },
    ];
    const result = await client.getInsights('123', { fields: ['spend'], time_ranges: ranges });
    expect(result.data).toEqual([]);
    expect(JSON.parse(server.requests[0]?.query.get('time_ranges') ?? '')).toEqual(ranges);
    expect(server.requests[0]?.query.get('limit')).toBe('100');
  });

  it('splits a too-large range by halving and merges the parts in date order', async () => {
    const { client, events } = makeClient();
    server.on('GET', '/act_123/insights', (req, res) => {
      const range = rangeOf(req);
      if (daysIn(range).length > 2) sendJson(res, 400, TOO_LARGE);
      else servePaged(req, res, rowsFor(range));
    });
    const range = { since: '2026-07-01', until: '2026-07-08' };
    const result = await client.getInsights('123', {
      level: 'campaign',
      fields: ['spend'],
      time_range: range,
      time_increment: 1,
    });
    expect(result.data.map((r) => r.date_start)).toEqual(daysIn(range));
    expect(result.parts).toBe(4);
    const asked = server.requests.map((r) => `${rangeOf(r).since}..${rangeOf(r).until}`);
    expect(asked).toEqual([
      '2026-07-01..2026-07-08',
      '2026-07-01..2026-07-04',
      '2026-07-01..2026-07-02',
      '2026-07-03..2026-07-04',
      '2026-07-05..2026-07-08',
      '2026-07-05..2026-07-06',
      '2026-07-07..2026-07-08',
    ]);
    // data-size errors never halve the page size
    expect(new Set(server.requests.map((r) => r.query.get('limit')))).toEqual(new Set(['100']));
    expect(events.filter((e) => e.error?.category === 'data_too_large')).toHaveLength(3);
  });

  it('halves the page size only for "Please reduce the amount of data", and keeps the learned size', async () => {
    const { client } = makeClient();
    server.on('GET', '/act_123/insights', (req, res) => {
      const range = rangeOf(req);
      if (Number(req.query.get('limit')) > 25) sendJson(res, 500, REDUCE_DATA);
      else servePaged(req, res, rowsFor(range));
    });
    const range = { since: '2026-07-01', until: '2026-07-02' };
    const result = await client.getInsights('123', {
      fields: ['spend'],
      time_range: range,
      time_increment: 1,
    });
    expect(result.data.map((r) => r.date_start)).toEqual(daysIn(range));
    const asked = server.requests.map(
      (r) => `${rangeOf(r).since}..${rangeOf(r).until}@${r.query.get('limit')}`,
    );
    expect(asked).toEqual([
      '2026-07-01..2026-07-02@100',
      '2026-07-01..2026-07-01@50',
      '2026-07-01..2026-07-01@25',
      '2026-07-02..2026-07-02@25',
    ]);
  });

  it('a single day that is still too large rethrows', async () => {
    const { client } = makeClient();
    server.on('GET', '/act_123/insights', (_req, res) => sendJson(res, 400, TOO_LARGE));
    const error = await caught(
      client.getInsights('123', {
        fields: ['spend'],
        time_range: { since: '2026-07-01', until: '2026-07-02' },
        time_increment: 1,
      }),
    );
    expect((error as MetaApiError).category).toBe('data_too_large');
    expect((error as MetaApiError).subcode).toBe(1487534);
    // the 2-day range, then its first single day, which cannot split: rethrown at once
    expect(server.requests).toHaveLength(2);
  });

  it('split: false surfaces the data-size error at once', async () => {
    const { client } = makeClient();
    server.on('GET', '/act_123/insights', (_req, res) => sendJson(res, 400, TOO_LARGE));
    await caught(
      client.getInsights(
        '123',
        { fields: ['spend'], time_range: { since: '2026-07-01', until: '2026-07-31' }, time_increment: 1 },
        { split: false },
      ),
    );
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['a bad date', { time_range: { since: '2026-13-01', until: '2026-13-02' } }, 'time_range.since'],
    ['since after until', { time_range: { since: '2026-07-02', until: '2026-07-01' } }, 'time_range'],
    ['time_increment 91', { time_increment: 91 }, 'time_increment'],
    ['a zero limit', { limit: 0 }, 'limit'],
    [
      'both time_range and time_ranges',
      {
        time_range: { since: '2026-07-01', until: '2026-07-01' },
        time_ranges: [{ since: '2026-07-01', until: '2026-07-01' }],
      },
      'time_ranges',
    ],
  ])('rejects %s before sending', async (_name, params, field) => {
    const { client } = makeClient();
    const error = await caught(client.getInsights('123', params));
    expect(isMetaInvalidRequestError(error)).toBe(true);
    expect((error as { field?: string }).field).toBe(field);
    expect(server.requests).toHaveLength(0);
  });
});

/** Scripted async report runs: statuses per run id, results served from the run's range. */
function serveReportRuns(script: (range: Range, runIndex: number) => Array<Record<string, unknown>>) {
  const runs = new Map<string, { range: Range; statuses: Array<Record<string, unknown>>; polls: number }>();
  let nextId = 6044775548468;
  server.on('POST', '/act_123/insights', (req, res) => {
    const range = rangeOf(req);
    const id = String(nextId++);
    runs.set(id, { range, statuses: script(range, runs.size), polls: 0 });
    // The doc shows a number; accept both.
    sendJson(res, 200, { report_run_id: runs.size % 2 === 1 ? Number(id) : id });
  });
  server.on('GET', /^\/\d+$/, (req, res) => {
    const id = req.route.slice(1);
    const run = runs.get(id);
    if (!run) {
      sendJson(res, 400, {
        error: {
          message: 'Unsupported get request.',
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        },
      });
      return;
    }
    const status = run.statuses[Math.min(run.polls, run.statuses.length - 1)] ?? {};
    run.polls += 1;
    if ('http_error' in status) {
      sendJson(res, 400, status.http_error);
      return;
    }
    sendJson(res, 200, { id, account_id: '123', time_ref: 1459788928, ...status });
  });
  server.on('GET', /^\/\d+\/insights$/, (req, res) => {
    const id = req.route.split('/')[1] ?? '';
    const run = runs.get(id);
    servePaged(req, res, run ? rowsFor(run.range) : []);
  });
  return runs;
}

const RUNNING_THEN_DONE = [
  { async_status: 'Job Not Started', async_percent_completion: 0 },
  { async_status: 'Job Started', async_percent_completion: 0 },
  { async_status: 'Job Running', async_percent_completion: 45 },
  { async_status: 'Job Completed', async_percent_completion: 100, time_completed: 1459788990 },
];

describe('async report runs', () => {
  const params = {
    level: 'ad' as const,
    fields: ['ad_id', 'spend'],
    time_range: { since: '2026-07-01', until: '2026-07-04' },
    time_increment: 1,
    limit: 3,
  };

  /** One step job's worth: create the run, then read its status once (throws on Job Failed/Skipped). */
  async function createAndCheck(client: MetaClient) {
    const { data } = await client.createReportRun('123', params);
    return client.checkReportRun(data.reportRunId, { adAccountId: '123' });
  }

  it('exposes the steps for queue jobs: create, single check, read', async () => {
    const { client } = makeClient();
    serveReportRuns(() => RUNNING_THEN_DONE);
    const { data } = await client.createReportRun('act_123', params);
    expect(data.reportRunId).toMatch(/^\d+$/);
    const checks: boolean[] = [];
    for (let i = 0; i < 4; i += 1) checks.push((await client.checkReportRun(data.reportRunId)).done);
    expect(checks).toEqual([false, false, false, true]);
    const rows = await client.getReportRunInsights(data.reportRunId, { limit: 10 });
    expect(rows.data).toHaveLength(4);
  });

  it("Job Failed -3/1504045 → MetaReportRunError data_too_large with Meta's error fields", async () => {
    const { client } = makeClient();
    serveReportRuns(() => [
      {
        async_status: 'Job Failed',
        async_percent_completion: 0,
        error_code: -3,
        error_subcode: 1504045,
        error_message: 'Report Too Large',
        error_user_title: 'Report too large',
        error_user_msg: 'Try a smaller date range.',
      },
    ]);
    const error = await caught(createAndCheck(client));
    expect(isMetaReportRunError(error)).toBe(true);
    const e = error as MetaReportRunError;
    expect(e).toMatchObject({
      category: 'data_too_large',
      failure: 'job_failed',
      code: -3,
      subcode: 1504045,
      metaMessage: 'Report Too Large',
      errorUserTitle: 'Report too large',
      errorUserMsg: 'Try a smaller date range.',
      adAccountId: '123',
    });
  });

  it('Job Failed -2/2490547 → transient', async () => {
    const { client } = makeClient();
    serveReportRuns(() => [
      {
        async_status: 'Job Failed',
        error_code: -2,
        error_subcode: 2490547,
        error_message: 'Report Failed, try again later',
      },
    ]);
    const error = await caught(createAndCheck(client));
    expect((error as MetaReportRunError).category).toBe('transient');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('Job Skipped → transient MetaReportRunError', async () => {
    const { client } = makeClient();
    serveReportRuns(() => [{ async_status: 'Job Skipped', async_percent_completion: 0 }]);
    const error = await caught(createAndCheck(client));
    expect((error as MetaReportRunError).failure).toBe('job_skipped');
    expect((error as MetaReportRunError).category).toBe('transient');
  });

  it('the 100/33 creation race on the first poll is transient; the next check sees the run', async () => {
    const { client, events } = makeClient();
    serveReportRuns(() => [
      {
        http_error: {
          error: {
            message:
              "Unsupported get request. Object with ID '6044775548468' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            type: 'GraphMethodException',
            code: 100,
            error_subcode: 33,
          },
        },
      },
      { async_status: 'Job Completed', async_percent_completion: 100 },
    ]);
    const { data } = await client.createReportRun('123', params);
    const first = await caught(client.checkReportRun(data.reportRunId, { adAccountId: '123' }));
    expect((first as MetaReportRunError).category).toBe('transient');
    expect((await client.checkReportRun(data.reportRunId, { adAccountId: '123' })).done).toBe(true);
    expect(events.some((e) => e.error?.category === 'transient' && e.status === 400)).toBe(true);
  });

  it('rejects a malformed report run id before sending', async () => {
    const { client } = makeClient();
    const error = await caught(client.getReportRun('../act_1'));
    expect(isMetaInvalidRequestError(error)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });
});
