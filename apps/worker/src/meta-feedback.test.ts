import {
  MetaApiError,
  type MetaErrorCategory,
  type MetaResponseEvent,
  type UsageSnapshot,
} from '@meta-engine/meta-client';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { bucForPath } from './buc.ts';
import { createMetaFeedback, scaleMetaMs, usageReportsFor } from './meta-feedback.ts';
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
      { scope: 'app', utilizationPct: 3 },
    ]);
  });

  it.each([
    ['call_count', { callCount: 30, totalCputime: 1, totalTime: 2 }, 30],
    ['total_cputime', { callCount: 3, totalCputime: 61, totalTime: 2 }, 61],
    ['total_time', { callCount: 3, totalCputime: 1, totalTime: 77 }, 77],
  ])('a BUC runs out on the highest of its three shares: %s', (_label, shares, expected) => {
    const [report] = usageReportsFor(
      event({ usage: usage({ businessUseCase: [{ ...bucEntry('ads_insights', 0), ...shares }] }) }),
    );
    expect(report).toMatchObject({ buc: 'ads_insights', utilizationPct: expected });
  });

  it("attaches the answered call's booking to its BUC (an answer without headers too)", () => {
    const booked = { buc: 'ads_insights', member: '00000000000000042', slotAt: 1_700_000_000_000 };
    expect(usageReportsFor(event({}), { booked })).toEqual([
      {
        scope: 'account',
        adAccountId: ACCOUNT,
        buc: 'ads_insights',
        member: booked.member,
        slotAt: booked.slotAt,
      },
    ]);
    const withUsage = usageReportsFor(
      event({ usage: usage({ businessUseCase: [bucEntry('ads_insights', 20)] }) }),
      { booked },
    );
    expect(withUsage).toEqual([
      {
        scope: 'account',
        adAccountId: ACCOUNT,
        buc: 'ads_insights',
        utilizationPct: 20,
        member: booked.member,
        slotAt: booked.slotAt,
      },
    ]);
  });

  it('blocks the throttled BUC for the error’s retry time (one rule: meta-client), scaled', () => {
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
    const [scaled] = usageReportsFor(event({ path, status: 400, usage: snapshot, error }), { timeScale: 60 });
    expect(scaled?.blockForMs).toBe(5_000);
  });

  it('blocks the whole account for a score limit (17/2446079) for the error’s retry time', () => {
    // meta-client computed 300 s (the longer of reset_time_duration 300 s and a regain time of 1 minute).
    const snapshot = usage({
      businessUseCase: [bucEntry('ads_insights', 40, 1)],
      adAccount: { accIdUtilPct: 100, resetTimeDurationSeconds: 300 },
    });
    const error = apiError('account_throttle', 17, 2446079, snapshot, 300_000);
    const reports = usageReportsFor(event({ status: 400, usage: snapshot, error }));
    expect(reports).toContainEqual({
      scope: 'account',
      adAccountId: ACCOUNT,
      buc: '*',
      utilizationPct: 100,
      throttled: true,
      blockForMs: 300_000,
      reason: 'meta 17/2446079',
    });
  });

  it('never calls into a full account: X-Ad-Account-Usage at 100 % blocks until its reset, without an error', () => {
    const snapshot = usage({ adAccount: { accIdUtilPct: 100, resetTimeDurationSeconds: 90 } });
    expect(usageReportsFor(event({ usage: snapshot }), { timeScale: 3 })).toEqual([
      {
        scope: 'account',
        adAccountId: ACCOUNT,
        buc: '*',
        utilizationPct: 100,
        blockForMs: 30_000,
        reason: 'account usage 100%',
      },
    ]);
  });

  it('falls back to the booked call’s BUC, then the path, when the error carries no usage header', () => {
    const error = apiError('account_throttle', 80000, 2446079, usage());
    const [report] = usageReportsFor(event({ status: 400, error }));
    expect(report).toMatchObject({ buc: 'ads_insights', throttled: true });
    expect(report?.blockForMs).toBeUndefined(); // the limiter's fallback block applies
    const booked = { buc: 'ads_management', member: '7', slotAt: 1 };
    const [own] = usageReportsFor(event({ status: 400, error }), { booked });
    expect(own).toMatchObject({ buc: 'ads_management', throttled: true, member: '7' });
  });

  it('reports the app’s usage (the highest of X-App-Usage and app_id_util_pct) and app-level throttles', () => {
    const appUsage = usage({
      app: { callCount: 12, totalTime: 30, totalCputime: 5 },
      insightsThrottle: { appIdUtilPct: 25, accIdUtilPct: 1 },
    });
    expect(usageReportsFor(event({ usage: appUsage }))).toContainEqual({ scope: 'app', utilizationPct: 30 });
    const error = apiError('app_throttle', 4, 1504022, usage(), 30_000);
    expect(usageReportsFor(event({ status: 400, error }))).toContainEqual({
      scope: 'app',
      throttled: true,
      reason: 'meta 4/1504022',
      blockForMs: 30_000,
    });
    // Tracked app, an answer without app headers: still counted.
    expect(usageReportsFor(event({}), { trackApp: true })).toContainEqual({ scope: 'app' });
  });

  it('ignores calls without an account', () => {
    const { adAccountId: _omit, ...noAccount } = event({ path: '/v26.0/debug_token' });
    expect(usageReportsFor(noAccount as MetaResponseEvent)).toEqual([]);
  });
});

describe('createMetaFeedback', () => {
  const setup = () => {
    type Report = { scope: 'account' | 'app'; throttled?: boolean };
    const recordUsages = vi.fn(async (reports: readonly Report[]) =>
      reports.map((report) => {
        const blocked = report.scope === 'app' && report.throttled === true;
        return {
          scope: report.scope,
          factor: 1,
          blockedForMs: blocked ? 30_000 : 0,
          blockedUntil: blocked ? Date.now() + 30_000 : null,
        };
      }),
    );
    const rateLimit = vi.fn(async () => {});
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const app = { active: false };
    const feedback = createMetaFeedback({
      limiter: { recordUsages },
      queues: () => [{ rateLimit }, { rateLimit }],
      metrics,
      logger,
      app,
    });
    return { feedback, recordUsages, rateLimit, metrics, lines, app };
  };

  it('rate-limits every queue on an app-level throttle, logs it once, and counts calls by category', async () => {
    const { feedback, rateLimit, metrics, lines } = setup();
    const throttle = event({ status: 400, error: apiError('app_throttle', 4, undefined, usage(), 30_000) });
    await feedback.onResponse(throttle);
    await feedback.settled();
    await feedback.onResponse(throttle);
    await feedback.onResponse(event({}));
    await feedback.settled();
    expect(rateLimit).toHaveBeenCalledTimes(2);
    expect(rateLimit).toHaveBeenCalledWith(30_000);
    expect(lines.filter((line) => line.includes('the Meta app is blocked'))).toHaveLength(1);
    const calls = await metrics.metaCalls.get();
    expect(calls.values.map((v) => [v.labels.category, v.value]).sort()).toEqual([
      ['app_throttle', 2],
      ['ok', 1],
    ]);
  });

  it('starts tracking the app (every call counted) once Meta reports the app’s usage', async () => {
    const { feedback, app, recordUsages } = setup();
    await feedback.onResponse(event({}));
    expect(app.active).toBe(false);
    await feedback.onResponse(
      event({ usage: usage({ app: { callCount: 5, totalTime: 1, totalCputime: 1 } }) }),
    );
    expect(app.active).toBe(true);
    recordUsages.mockClear();
    await feedback.onResponse(event({}));
    expect(recordUsages).toHaveBeenCalledWith([{ scope: 'app' }]);
  });

  it('never throws, even when the limiter is unreachable', async () => {
    const { feedback, recordUsages, lines } = setup();
    recordUsages.mockRejectedValueOnce(new Error('redis down'));
    await expect(
      feedback.onResponse(event({ usage: usage({ businessUseCase: [bucEntry('ads_insights', 10)] }) })),
    ).resolves.toBeUndefined();
    await feedback.settled();
    expect(lines.filter((line) => line.includes('could not record Meta usage'))).toHaveLength(1);
  });

  it('sends the reports at once and lets the call return before their answers come', async () => {
    const { feedback, recordUsages } = setup();
    let answer: (() => void) | undefined;
    recordUsages.mockImplementationOnce(
      (reports) =>
        new Promise((resolve) => {
          answer = () =>
            resolve(
              reports.map((report) => ({
                scope: report.scope,
                factor: 1,
                blockedForMs: 0,
                blockedUntil: null,
              })),
            );
        }),
    );
    await feedback.onResponse(event({ usage: usage({ businessUseCase: [bucEntry('ads_insights', 10)] }) }));
    // Sent (the job's next limiter command goes after it on the same connection), not yet answered.
    expect(recordUsages).toHaveBeenCalledTimes(1);
    let settled = false;
    const waiting = feedback.settled().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    answer?.();
    await waiting;
    expect(settled).toBe(true);
  });
});
