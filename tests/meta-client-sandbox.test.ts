/**
 * meta-client against meta-sandbox over real HTTP. Both follow shared/reference/meta-graph-api.md on their
 * own; this suite checks that they agree on the calls the worker makes, error categories included.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  collectPages,
  createMetaClient,
  type InsightsParams,
  isMetaApiError,
  type MetaClient,
  type MetaError,
  type MetaResponseEvent,
} from '@meta-engine/meta-client';
import { SANDBOX_TOKENS, type Sandbox, startSandbox } from '@meta-engine/meta-sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ACTIVE = '2000000000000001';
const HEAVY = '2000000000000002';
const DISABLED = '2000000000000003';
const UNASSIGNED = '2000000000000004';
const TOKEN = 'sandbox-client-contract-token-1';

let sandbox: Sandbox;
let client: MetaClient;
const events: MetaResponseEvent[] = [];

function newClient(overrides: Partial<Parameters<typeof createMetaClient>[0]> = {}): MetaClient {
  return createMetaClient({
    accessToken: TOKEN,
    baseUrl: sandbox.url,
    retry: { limit: 0 },
    onResponse: (event) => {
      events.push(event);
    },
    ...overrides,
  });
}

async function caught(promise: Promise<unknown>): Promise<MetaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to throw').toBeInstanceOf(Error);
  return error as MetaError;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'client-contract',
    startTime: '2026-11-20T12:00:00Z',
    accounts: [
      { id: ACTIVE, name: 'Hotel Active', timezone: 'Europe/Warsaw', campaigns: 6 },
      {
        id: HEAVY,
        name: 'Hotel Heavy',
        timezone: 'Europe/Warsaw',
        campaigns: 4,
        quotaOverride: { ads_insights: 3 },
      },
      { id: DISABLED, name: 'Hotel Disabled', status: 2, disableReason: 3 },
      { id: UNASSIGNED, name: 'Not ours' },
    ],
    tokens: [
      { value: TOKEN, state: 'valid', accountIds: [ACTIVE, HEAVY, DISABLED] },
      { value: SANDBOX_TOKENS.revoked, state: 'revoked', accountIds: 'all' },
    ],
    insights: { defaultLimit: 25, maxLimit: 10000 },
    asyncJobs: { notStartedSeconds: 0.05, startedSeconds: 0.05, runningSeconds: 0.2 },
  });
  client = newClient();
});

afterAll(async () => {
  await client?.close();
  await sandbox?.close();
});

afterEach(async () => {
  events.length = 0;
  sandbox.clearFaults();
});

describe('reads', () => {
  it('reads an ad account and a disabled one with their status', async () => {
    const active = await client.getAdAccount(`act_${ACTIVE}`);
    expect(active.data).toMatchObject({
      id: `act_${ACTIVE}`,
      account_status: 1,
      timezone_name: 'Europe/Warsaw',
    });
    const disabled = await client.getAdAccount(DISABLED);
    expect(disabled.data).toMatchObject({ account_status: 2, disable_reason: 3 });
    expect(active.usage.businessUseCase[0]).toMatchObject({ businessId: ACTIVE, type: 'ads_management' });
  });

  it('pages through campaign x day insights until paging.next disappears', async () => {
    const result = await client.getInsights(ACTIVE, {
      level: 'campaign',
      fields: ['campaign_id', 'spend', 'impressions'],
      time_range: { since: '2026-10-01', until: '2026-10-31' },
      time_increment: 1,
      limit: 25,
    });
    expect(result.pages).toBeGreaterThan(1);
    const keys = new Set(result.data.map((row) => `${row.campaign_id}|${row.date_start}`));
    expect(keys.size).toBe(result.data.length);
    expect(result.data.every((row) => typeof row.spend === 'string')).toBe(true);
  });

  it('lists the accounts the token may read and debug_token describes a system user', async () => {
    const accounts = await collectPages(
      client.paginate<{ account_id: string }>('me/adaccounts', { params: { fields: ['account_id'] } }),
    );
    expect(accounts.data.map((a) => a.account_id).sort()).toEqual([ACTIVE, HEAVY, DISABLED].sort());
    const token = await client.debugToken();
    expect(token.data).toMatchObject({ type: 'SYSTEM_USER', expires_at: 0, is_valid: true });
    expect(token.data.scopes).toContain('ads_read');
  });
});

/** What the worker's step jobs do, in one loop: create the run, read its status until done, read every page. */
async function runReport(adAccountId: string, params: InsightsParams) {
  const { data } = await client.createReportRun(adAccountId, params);
  while (!(await client.checkReportRun(data.reportRunId, { adAccountId })).done) await delay(5);
  return client.getReportRunInsights(data.reportRunId, { adAccountId });
}

describe('async report runs', () => {
  it('creates, polls to Job Completed and reads the paged result', async () => {
    const result = await runReport(ACTIVE, {
      level: 'campaign',
      fields: ['campaign_id', 'spend'],
      time_range: { since: '2026-09-01', until: '2026-10-31' },
      time_increment: 1,
    });
    expect(result.data.length).toBeGreaterThan(0);
    const sync = await client.getInsights(ACTIVE, {
      level: 'campaign',
      fields: ['campaign_id', 'spend'],
      time_range: { since: '2026-09-01', until: '2026-10-31' },
      time_increment: 1,
    });
    expect(result.data.length).toBe(sync.data.length);
  });

  it('turns Job Failed into a typed data_too_large error', async () => {
    sandbox.setFaults({ asyncFailRate: 1, asyncFailure: 'too_large' });
    const error = await caught(
      runReport(ACTIVE, {
        level: 'campaign',
        fields: ['spend'],
        time_range: { since: '2026-10-01', until: '2026-10-02' },
        time_increment: 1,
      }),
    );
    expect(error.name).toBe('MetaReportRunError');
    expect(error.category).toBe('data_too_large');
  });
});

describe('errors become typed, classified errors with usage', () => {
  it('splits a date range the sandbox calls too large and merges the parts', async () => {
    sandbox.setFaults({ reduceData: { maxRows: 40 } });
    const splits: string[] = [];
    const result = await client.getInsights(
      ACTIVE,
      {
        level: 'campaign',
        fields: ['campaign_id', 'spend'],
        time_range: { since: '2026-10-01', until: '2026-10-30' },
        time_increment: 1,
      },
      { onSplit: (event) => splits.push(event.reason) },
    );
    expect(splits).toContain('split');
    sandbox.clearFaults();
    const whole = await client.getInsights(ACTIVE, {
      level: 'campaign',
      fields: ['campaign_id', 'spend'],
      time_range: { since: '2026-10-01', until: '2026-10-30' },
      time_increment: 1,
    });
    expect(result.data).toEqual(whole.data);
  });

  it('account throttle: 80000 with usage headers on the error response', async () => {
    const params = { level: 'account' as const, fields: ['spend'], date_preset: 'yesterday' };
    let error: MetaError | undefined;
    for (let i = 0; i < 5 && !error; i++) {
      error = await client.getInsights(HEAVY, params).then(
        () => undefined,
        (e: MetaError) => e,
      );
    }
    expect(error?.category).toBe('account_throttle');
    expect(error?.code).toBe(80000);
    expect(error?.subcode).toBe(2446079);
    expect(error?.usage?.businessUseCase[0]?.estimatedTimeToRegainAccessMinutes).toBeGreaterThan(0);
    expect(error?.retryAfterMs).toBeGreaterThan(0);
    const errorEvent = events.find((event) => event.error);
    expect(errorEvent?.adAccountId).toBe(HEAVY);
    expect(errorEvent?.usage.businessUseCase.length).toBeGreaterThan(0);
  });

  it('account fatal: an account the token may not read answers 100/33', async () => {
    const error = await caught(client.getAdAccount(UNASSIGNED));
    expect(isMetaApiError(error)).toBe(true);
    expect([error.code, error.subcode, error.category]).toEqual([100, 33, 'account_fatal']);
  });

  it('token fatal: a revoked token answers 190', async () => {
    const revoked = newClient({ accessToken: SANDBOX_TOKENS.revoked });
    try {
      const error = await caught(revoked.getAdAccount(ACTIVE));
      expect([error.code, error.category, error.status]).toEqual([190, 'token_fatal', 400]);
    } finally {
      await revoked.close();
    }
  });

  it('request bug: an unknown field is not retried', async () => {
    const error = await caught(client.getAdAccount(ACTIVE, ['no_such_field']));
    expect([error.code, error.category]).toEqual([100, 'request_bug']);
  });

  it('transient: 5xx answers', async () => {
    sandbox.setFaults({ serverErrorRate: 1 });
    const error = await caught(client.getAdAccount(ACTIVE));
    expect(error.category).toBe('transient');
    expect(error.status).toBeGreaterThanOrEqual(500);
  });

  it('malformed JSON and HTML error pages become MetaMalformedResponseError', async () => {
    for (const kind of ['truncated', 'html'] as const) {
      sandbox.setFaults({ malformedRate: 1, malformedKind: kind });
      const error = await caught(client.getAdAccount(ACTIVE));
      expect(error.name).toBe('MetaMalformedResponseError');
      expect(error.category).toBe('transient');
    }
  });

  it('a hanging server becomes MetaTimeoutError within the configured budget', async () => {
    sandbox.setFaults({ hangRate: 1 });
    const impatient = newClient({ timeouts: { totalMs: 300 } });
    try {
      const error = await caught(impatient.getAdAccount(ACTIVE));
      expect(error.name).toBe('MetaTimeoutError');
      expect(error.category).toBe('transient');
    } finally {
      await impatient.close();
    }
  });

  it('no thrown error, cause or JSON carries the token', async () => {
    sandbox.setFaults({ serverErrorRate: 1 });
    const errors = [await caught(client.getAdAccount(ACTIVE)), await caught(client.getAdAccount(UNASSIGNED))];
    for (const error of errors) {
      const seen = [error.message, error.stack, JSON.stringify(error), String(error.cause ?? '')].join('\n');
      expect(seen).not.toContain(TOKEN);
    }
  });
});

describe("Meta's odd answers (issue 12.3, 12.9)", () => {
  const params = {
    level: 'campaign' as const,
    fields: ['campaign_id', 'spend', 'impressions'],
    time_range: { since: '2026-10-01', until: '2026-10-31' },
    time_increment: 1 as const,
    limit: 10,
  };

  it("sync insights: empty pages whose cursors equal the next page's are followed to the end, every row once", async () => {
    const whole = await client.getInsights(ACTIVE, params);
    expect(whole.pages).toBeGreaterThan(3);
    sandbox.setFaults({ emptyPageSharedCursorRate: 1 });
    const quirky = await client.getInsights(ACTIVE, params);
    expect(quirky.pages).toBeGreaterThan(whole.pages);
    expect(quirky.data).toEqual(whole.data);
  });

  it('report-run results page the same way: every row, once', async () => {
    const whole = await runReport(ACTIVE, params);
    sandbox.setFaults({ emptyPageSharedCursorRate: 1 });
    const quirky = await runReport(ACTIVE, params);
    expect(quirky.data).toEqual(whole.data);
  });

  it('an HTTP 403 with the error code at the top level is classified by that code', async () => {
    sandbox.updateConfig({
      accounts: { [HEAVY]: { quotaOverride: { ads_management: 1 } } },
      faults: { byAccount: { [HEAVY]: { bareErrorRate: 1 } } },
    });
    sandbox.reset();
    try {
      await client.getAdAccount(HEAVY);
      const error = await caught(client.getAdAccount(HEAVY));
      expect(isMetaApiError(error)).toBe(true);
      expect([error.status, error.code, error.subcode, error.category]).toEqual([
        403,
        80004,
        2446079,
        'account_throttle',
      ]);
      expect(error.retryAfterMs).toBeGreaterThan(0);
    } finally {
      sandbox.updateConfig({
        accounts: { [HEAVY]: { quotaOverride: null } },
        faults: { byAccount: { [HEAVY]: null } },
      });
      sandbox.reset();
    }
  });

  it('an error envelope inside HTTP 200 is classified by its code: an unknown code is not retried as transient', async () => {
    sandbox.setFaults({ errorIn200Rate: 1 });
    const unknown = await caught(client.getAdAccount(ACTIVE));
    expect([unknown.status, unknown.code, unknown.category]).toEqual([200, 999, 'request_bug']);
    sandbox.setFaults({ errorIn200: { code: 80000, error_subcode: 2446079, message: '(#80000) throttled' } });
    const throttle = await caught(client.getAdAccount(ACTIVE));
    expect([throttle.status, throttle.code, throttle.category]).toEqual([200, 80000, 'account_throttle']);
  });
});
