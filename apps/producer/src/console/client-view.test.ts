import { describe, expect, it } from 'vitest';
import type { ClientFacts, ThrottleList, TokenStateView } from '../ports.ts';
import { buildClientRows, type ClientQuery, clientQuerySchema, selectClients } from './client-view.ts';
import { DEFAULT_FRESHNESS } from './freshness.ts';
import { buildTokenPanel } from './token-view.ts';

const NOW = new Date('2026-07-20T06:00:00Z'); // 08:00 in Warsaw
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
let n = 0;

/** A healthy client: validated, caches fresh, yesterday collected. */
function client(overrides: Partial<ClientFacts> = {}): ClientFacts {
  n += 1;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    name: `Hotel ${n}`,
    rawAdAccountId: String(1000 + n),
    apiStatus: 'valid',
    tokenHealthStatus: 'valid',
    lastTokenValidation: hoursAgo(2),
    control: null,
    lastValidation: {
      outcome: 'active',
      checkedAt: hoursAgo(2),
      accountStatus: 1,
      accountName: `Hotel ${n}`,
      errorCode: null,
      errorSubcode: null,
      errorMessage: null,
      runId: 'run-validate-1',
    },
    lastConclusiveCheckAt: hoursAgo(2),
    timezone: 'Europe/Warsaw',
    syncState: {
      validate: {
        lastSuccessAt: hoursAgo(2),
        lastErrorAt: null,
        lastError: null,
        highWaterDate: null,
        lastRunId: 'run-v',
      },
      'refresh-cache': {
        lastSuccessAt: hoursAgo(1),
        lastErrorAt: null,
        lastError: null,
        highWaterDate: null,
        lastRunId: 'run-r',
      },
      'collect-insights': {
        lastSuccessAt: hoursAgo(4),
        lastErrorAt: null,
        lastError: null,
        highWaterDate: '2026-07-19',
        lastRunId: 'run-c',
      },
    },
    monthCache: [{ periodId: '2026-07', lastUpdated: hoursAgo(1) }],
    weekCache: [{ periodId: '2026-W30', lastUpdated: hoursAgo(1) }],
    collected: { days: null, firstDay: '2026-04-21', lastDay: '2026-07-19' },
    ...overrides,
  };
}

const NO_THROTTLES: ThrottleList = { total: 0, accounts: [], app: null };
const rows = (clients: ClientFacts[], throttles = NO_THROTTLES) =>
  buildClientRows(clients, throttles, DEFAULT_FRESHNESS, NOW);
const query = (q: Partial<ClientQuery> = {}): ClientQuery => clientQuerySchema.parse(q);

describe('buildClientRows', () => {
  it('a healthy client has no flag and links its last jobs', () => {
    const [row] = rows([client()]);
    expect(row!.flags).toEqual({ failing: false, stale: false, throttled: false, paused: false });
    expect(row!.problems).toEqual([]);
    expect(row!.tasks.validate.lastJobId).toBe(`validate-${row!.id}-run-v`);
    expect(row!.collected).toMatchObject({ days: null, spanDays: 90, highWater: '2026-07-19' });
  });

  it.each([
    ['no_access', 'the token cannot reach this ad account'],
    ['account_inactive', 'the ad account is not active (status 2)'],
    ['token_expired', 'the token has expired'],
    ['check_failed', 'the last check learned nothing'],
  ])('flags a %s validation as failing', (outcome, problem) => {
    const base = client();
    const [row] = rows([{ ...base, lastValidation: { ...base.lastValidation!, outcome, accountStatus: 2 } }]);
    expect(row!.flags.failing).toBe(true);
    expect(row!.problems).toEqual([problem]);
  });

  it('flags a task whose last error is newer than its last success, and not one that recovered', () => {
    const base = client();
    const error = { category: 'account_throttle', code: 80004, message: 'too many calls' };
    const failing = client({
      syncState: {
        ...base.syncState,
        'refresh-cache': {
          ...base.syncState['refresh-cache']!,
          lastErrorAt: hoursAgo(0.5),
          lastError: error,
        },
      },
    });
    const recovered = client({
      syncState: {
        ...base.syncState,
        'refresh-cache': { ...base.syncState['refresh-cache']!, lastErrorAt: hoursAgo(5), lastError: error },
      },
    });
    const [a, b] = rows([failing, recovered]);
    expect(a!.problems).toEqual(['refresh-cache failed: account_throttle 80004']);
    expect(a!.tasks['refresh-cache']).toMatchObject({
      failing: true,
      lastError: { ...error, at: hoursAgo(0.5) },
    });
    expect(b!.flags.failing).toBe(false);
    expect(b!.tasks['refresh-cache'].lastError).not.toBeNull();
  });

  it('flags an excluded api_status and a malformed ad account id', () => {
    const [excluded, malformed] = rows([
      client({ apiStatus: 'invalid' }),
      client({ rawAdAccountId: 'act 12' }),
    ]);
    expect(excluded!.problems).toEqual(['api_status is invalid: the app leaves it out of every job']);
    expect(malformed!.adAccountValid).toBe(false);
    expect(malformed!.problems[0]).toContain('is malformed');
  });

  it('marks stale, throttled (from one limiter list, act_ or not) and paused', () => {
    const stale = client({ monthCache: [{ periodId: '2026-07', lastUpdated: hoursAgo(5) }] });
    const throttled = client({ rawAdAccountId: 'act_777' });
    const paused = client({
      control: {
        paused: true,
        reason: 'contract ended',
        changedBy: 'op',
        pausedAt: hoursAgo(1),
        resumedAt: null,
        updatedAt: hoursAgo(1),
      },
    });
    const list: ThrottleList = {
      total: 2,
      accounts: [
        { adAccountId: '777', buc: 'ads_insights', until: new Date(NOW.getTime() + 600_000) },
        { adAccountId: '777', buc: '*', until: new Date(NOW.getTime() + 60_000) },
      ],
      app: null,
    };
    const [s, t, p] = rows([stale, throttled, paused], list);
    expect(s!.flags).toMatchObject({ stale: true, failing: false });
    expect(t!.flags.throttled).toBe(true);
    expect(t!.blocks.map((b) => b.buc)).toEqual(['*', 'ads_insights']);
    expect(p!.flags).toEqual({ failing: false, stale: false, throttled: false, paused: true });
    expect(p!.pause).toEqual({ reason: 'contract ended', since: hoursAgo(1), by: 'op' });
  });
});

describe('selectClients', () => {
  const all = rows([
    client({ name: 'Bravo' }),
    client({ name: 'alpha', lastConclusiveCheckAt: null }),
    client({ name: 'Charlie', apiStatus: 'invalid' }),
    client({ name: 'Delta', monthCache: [] }),
  ]);

  it('counts every filter and puts what needs attention first by default', () => {
    const selection = selectClients(all, query());
    expect(selection.counts).toEqual({ all: 4, failing: 1, stale: 2, throttled: 0, paused: 0, healthy: 1 });
    expect(selection.rows.map((r) => r.name)).toEqual(['Charlie', 'alpha', 'Delta', 'Bravo']);
    expect(selection.query.dir).toBe('desc');
  });

  it('filters by flag and by text, and sorts by name or age either way', () => {
    expect(selectClients(all, query({ filter: 'stale' })).rows.map((r) => r.name)).toEqual([
      'alpha',
      'Delta',
    ]);
    expect(selectClients(all, query({ filter: 'healthy' })).rows.map((r) => r.name)).toEqual(['Bravo']);
    expect(selectClients(all, query({ q: 'CHAR' })).rows.map((r) => r.name)).toEqual(['Charlie']);
    expect(selectClients(all, query({ sort: 'name' })).rows.map((r) => r.name)).toEqual([
      'alpha',
      'Bravo',
      'Charlie',
      'Delta',
    ]);
    expect(selectClients(all, query({ sort: 'name', dir: 'desc' })).rows[0]!.name).toBe('Delta');
    // Ages: unknown (never written / not applicable) last, whatever the direction.
    const byMonth = selectClients(all, query({ sort: 'month_cache' })).rows.map((r) => r.name);
    expect(byMonth.slice(-2).sort()).toEqual(['Charlie', 'Delta']);
  });

  it('refuses unknown filters, sort keys and parameters, naming them', () => {
    expect(() => clientQuerySchema.parse({ filter: 'broken' })).toThrow(/must be one of all, failing/);
    expect(() => clientQuerySchema.parse({ sort: 'size' })).toThrow(/must be one of attention/);
    expect(() => clientQuerySchema.parse({ order: 'x' })).toThrow(/order/);
  });
});

describe('buildTokenPanel', () => {
  const stored: TokenStateView = {
    fingerprint: 'f'.repeat(64),
    status: 'ok',
    pausedReason: null,
    lastCheckedAt: hoursAgo(1),
    expiresAt: null,
    scopes: ['ads_read', 'ads_management'],
    type: 'SYSTEM_USER',
    updatedAt: hoursAgo(1),
  };

  it('shows a system user’s token as never expiring, with a short fingerprint and no pending rotation', () => {
    const panel = buildTokenPanel({
      stored,
      lastRotation: { fingerprint: 'f'.repeat(64), at: hoursAgo(48) },
      configured: 'f'.repeat(64),
      queues: [],
      appBlock: null,
    });
    expect(panel).toMatchObject({
      status: 'ok',
      type: 'SYSTEM_USER',
      expires: 'never',
      rotationPending: false,
    });
    expect(panel.fingerprint).toBe('ffffffffffff');
    expect(JSON.stringify(panel)).not.toContain('f'.repeat(13));
  });

  it('shows a paused system and a pending rotation, and an app-wide block', () => {
    const panel = buildTokenPanel({
      stored: {
        ...stored,
        status: 'token_fatal',
        pausedReason: 'code 190',
        expiresAt: '2026-08-01T00:00:00.000Z',
      },
      lastRotation: null,
      configured: 'e'.repeat(64),
      queues: [
        {
          queue: 'validate',
          paused: true,
          reason: 'token_fatal',
          detail: 'meta 190/460',
          since: hoursAgo(1),
        },
        { queue: 'fanout', paused: false, reason: null, detail: null, since: null },
      ],
      appBlock: { until: new Date(NOW.getTime() + 60_000), reason: 'code 4' },
    });
    expect(panel).toMatchObject({
      status: 'token_fatal',
      expires: '2026-08-01T00:00:00.000Z',
      pausedReason: 'code 190',
      rotationPending: true,
      pausedQueues: [{ queue: 'validate', reason: 'token_fatal', detail: 'meta 190/460' }],
      appBlock: { reason: 'code 4' },
    });
    expect(
      buildTokenPanel({ stored: null, lastRotation: null, configured: null, queues: [], appBlock: null }),
    ).toMatchObject({ status: 'none', expires: 'unknown', fingerprint: null, rotationPending: false });
  });
});
