import {
  MetaApiError,
  type MetaErrorCategory,
  type MetaResponseEvent,
  type UsageSnapshot,
} from '@meta-engine/meta-client';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { bucForPath, createMetaFeedback, scaleMetaMs, usageReportsFor } from './meta-feedback.ts';
import { createWorkerMetrics } from './runtime/metrics.ts';

const ACCOUNT = '123';

function usage(partial: Partial<UsageSnapshot> = {}): UsageSnapshot {
  return { businessUseCase: [], ...partial };
}

function bucEntry(type: string, callCount: number, regainMinutes = 0, businessId = ACCOUNT) {
  return {
    businessId,
    type,
    callCount,
    totalCputime: 1,
    totalTime: 2,
    estimatedTimeToRegainAccessMinutes: regainMinutes,
  };
}

function apiError(
  category: MetaErrorCategory,
  code: number,
  subcode: number | undefined,
  snapshot: UsageSnapshot,
  retryAfterMs?: number,
): MetaApiError {
  return new MetaApiError({
    category,
    status: 400,
    code,
    ...(subcode === undefined ? {} : { subcode }),
    metaMessage: 'throttled',
    usage: snapshot,
    adAccountId: ACCOUNT,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function event(partial: Partial<MetaResponseEvent>): MetaResponseEvent {
  return {
    kind: 'single',
    method: 'GET',
    path: `/v26.0/act_${ACCOUNT}/insights`,
    status: 200,
    adAccountId: ACCOUNT,
    usage: usage(),
    attempt: 1,
    durationMs: 5,
    ...partial,
  };
}

describe('bucForPath', () => {
  it.each([
    ['/v26.0/act_1/insights', 'ads_insights'],
    ['/v26.0/6023920149050', 'ads_insights'],
    ['/v26.0/6023920149050/insights', 'ads_insights'],
    ['/v26.0/act_1', 'ads_management'],
    ['/v26.0/act_1/campaigns', 'ads_management'],
  ])('%s -> %s', (path, buc) => {
    expect(bucForPath(path)).toBe(buc);
  });
});

describe('scaleMetaMs', () => {
  it('divides by the time scale, never below 1 ms, and ignores missing or non-positive values', () => {
    expect(scaleMetaMs(60_000, 1)).toBe(60_000);
    expect(scaleMetaMs(60_000, 3600)).toBe(17);
    expect(scaleMetaMs(1, 1e6)).toBe(1);
    expect(scaleMetaMs(undefined, 1)).toBeUndefined();
    expect(scaleMetaMs(0, 1)).toBeUndefined();
  });
});

describe('usageReportsFor', () => {
  it('reports the utilisation per BUC and the account-wide usage of a success', () => {
    const reports = usageReportsFor(
      event({
        usage: usage({
          businessUseCase: [bucEntry('ads_insights', 42), bucEntry('ads_management', 5, 0, '999')],
          adAccount: { accIdUtilPct: 17, resetTimeDurationSeconds: 100 },
          insightsThrottle: { appIdUtilPct: 3, accIdUtilPct: 50 },
        }),
      }),
    );
    expect(reports).toEqual([
      { scope: 'account', adAccountId: ACCOUNT, buc: 'ads_insights', utilizationPct: 50 },
      { scope: 'account', adAccountId: ACCOUNT, buc: '*', utilizationPct: 17 },
    ]);
  });

  it('blocks the throttled BUC for the regain time of a BUC throttle (scaled)', () => {
    const snapshot = usage({ businessUseCase: [bucEntry('ads_management', 100, 5)] });
    const error = apiError('account_throttle', 80004, 2446079, snapshot, 300_000);
    const path = `/v26.0/act_${ACCOUNT}`;
    expect(usageReportsFor(event({ path, status: 400, usage: snapshot, error }))).toEqual([
      {
        scope: 'account',
        adAccountId: ACCOUNT,
        buc: 'ads_management',
        utilizationPct: 100,
        throttled: true,
        blockForMs: 300_000,
        reason: 'meta 80004/2446079',
      },
    ]);
    const [scaled] = usageReportsFor(event({ path, status: 400, usage: snapshot, error }), 60);
    expect(scaled?.blockForMs).toBe(5_000);
  });

  it('blocks the whole account for a score limit (17/2446079), from reset_time_duration', () => {
    const snapshot = usage({ adAccount: { accIdUtilPct: 100, resetTimeDurationSeconds: 120 } });
    const error = apiError('account_throttle', 17, 2446079, snapshot);
    const reports = usageReportsFor(event({ status: 400, usage: snapshot, error }));
    expect(reports).toEqual([
      {
        scope: 'account',
        adAccountId: ACCOUNT,
        buc: '*',
        utilizationPct: 100,
        throttled: true,
        blockForMs: 120_000,
        reason: 'meta 17/2446079',
      },
    ]);
  });

  it('falls back to the path for the BUC when the error carries no usage header', () => {
    const error = apiError('account_throttle', 80000, 2446079, usage());
    const [report] = usageReportsFor(event({ status: 400, error }));
    expect(report).toMatchObject({ buc: 'ads_insights', throttled: true });
    expect(report?.blockForMs).toBeUndefined(); // the limiter's fallback block applies
  });

  it('blocks the app for an app-level throttle', () => {
    const error = apiError('app_throttle', 4, 1504022, usage(), 30_000);
    const reports = usageReportsFor(event({ status: 400, error }));
    expect(reports).toContainEqual({
      scope: 'app',
      throttled: true,
      reason: 'meta 4/1504022',
      blockForMs: 30_000,
    });
  });

  it('ignores the batch envelope (each item counts on its own) and calls without an account', () => {
    expect(usageReportsFor(event({ kind: 'batch' }))).toEqual([]);
    const { adAccountId: _omit, ...noAccount } = event({ path: '/v26.0/debug_token' });
    expect(usageReportsFor(noAccount as MetaResponseEvent)).toEqual([]);
  });
});

describe('createMetaFeedback', () => {
  const setup = () => {
    const recordUsage = vi.fn(async (report: { scope: 'account' | 'app' }) => ({
      scope: report.scope,
      factor: 1,
      blockedForMs: report.scope === 'app' ? 30_000 : 0,
      blockedUntil: null,
    }));
    const rateLimit = vi.fn(async () => {});
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const feedback = createMetaFeedback({
      limiter: { recordUsage },
      queues: () => [{ rateLimit }, { rateLimit }],
      metrics,
      logger: pino({ level: 'silent' }),
    });
    return { feedback, recordUsage, rateLimit, metrics };
  };

  it('rate-limits every queue on an app-level throttle and counts calls by category', async () => {
    const { feedback, rateLimit, metrics } = setup();
    await feedback.onResponse(
      event({ status: 400, error: apiError('app_throttle', 4, undefined, usage(), 30_000) }),
    );
    await feedback.onResponse(event({}));
    expect(rateLimit).toHaveBeenCalledTimes(2);
    expect(rateLimit).toHaveBeenCalledWith(30_000);
    const calls = await metrics.metaCalls.get();
    expect(calls.values.map((v) => [v.labels.category, v.value]).sort()).toEqual([
      ['app_throttle', 1],
      ['ok', 1],
    ]);
  });

  it('never throws, even when the limiter is unreachable', async () => {
    const { feedback, recordUsage } = setup();
    recordUsage.mockRejectedValueOnce(new Error('redis down'));
    await expect(
      feedback.onResponse(event({ usage: usage({ businessUseCase: [bucEntry('ads_insights', 10)] }) })),
    ).resolves.toBeUndefined();
  });
});
