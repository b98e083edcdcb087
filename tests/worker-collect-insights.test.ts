/**
 * Acceptance (issue 6): collect-insights. 60 days for a client land once (raw rows = the campaign-days
 * with delivery, daily_kpi_data = 60 days); a second run re-collects the lookback window without
 * duplicates; a range the sandbox calls too large is split and completes; a long range goes through the
 * async step-job path (parked between polls); a report run that fails as too large falls back to sync
 * chunks. Issue 12: Meta refusing to CREATE a report run as too large falls back the same way (12.4);
 * empty pages whose cursors equal the next page's are read through, sync and async (12.3); days before
 * Meta's 37 months fail the job saying so instead of "succeeding" with nothing (12.6).
 */
import { createMetaClient, type MetaClient } from '@meta-engine/meta-client';
import { DEFAULT_ACCOUNT_IDS } from '@meta-engine/meta-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, buildCollectInsightsRequest } from '../apps/worker/src/transform/index.ts';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.ts';

const [ACCOUNT_1, ACCOUNT_2] = DEFAULT_ACCOUNT_IDS;
/** 12:00 in Warsaw: the account's today is 2026-06-15, yesterday 2026-06-14. */
const START = '2026-06-15T10:00:00Z';
const YESTERDAY = '2026-06-14';

describe('worker: collect-insights', () => {
  let h: WorkerHarness;
  let direct: MetaClient;

  /** What the sandbox has for a range: campaign-day rows (only days with delivery) and their days. */
  const expected = async (adAccountId: string, since: string, until: string) => {
    const { data } = await direct.getInsights(
      adAccountId,
      buildCollectInsightsRequest({ since, until }).params,
    );
    return { rows: data.length, days: new Set(data.map((row) => row.date_start)).size };
  };
  const counts = async (clientId: string) => {
    const [raw] = await h.sql<{ n: number; distinct_keys: number; days: number }[]>`
      select count(*)::int as n, count(distinct (campaign_id, date))::int as distinct_keys,
             count(distinct date)::int as days
      from meta_campaign_insights where client_id = ${clientId}`;
    const [kpi] = await h.sql<{ n: number; first: string | null; last: string | null }[]>`
      select count(*)::int as n, min(date)::text as first, max(date)::text as last
      from daily_kpi_data where client_id = ${clientId}`;
    return { raw: raw!, kpi: kpi! };
  };

  beforeAll(async () => {
    h = await startWorkerHarness({
      sandbox: {
        startTime: START,
        seed: 5,
        asyncJobs: { notStartedSeconds: 0.1, startedSeconds: 0.1, runningSeconds: 0.4 },
      },
    });
    direct = createMetaClient({ accessToken: h.token, baseUrl: h.sandbox.url });
    await h.startApp({ settings: { backfillDays: 60, lookbackDays: 28, asyncThresholdDays: 62 } });
  });
  afterAll(async () => {
    await direct?.close();
    await h?.close();
  });

  it('lands 60 days once, then re-collects the 28-day lookback without duplicates', async () => {
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_1 });
    const first = await h.addJob('collect-insights', { clientId, adAccountId: ACCOUNT_1, runId: 'c1' });
    const [done] = await h.waitForJobs('collect-insights', [first.id!], { states: ['completed'] });
    const since = addDays(YESTERDAY, -59);
    expect(done?.returnvalue).toMatchObject({ mode: 'sync', since, until: YESTERDAY, days: 60, parts: 1 });

    const want = await expected(ACCOUNT_1, since, YESTERDAY);
    expect(want.days).toBe(60);
    const afterFirst = await counts(clientId);
    expect(afterFirst.raw).toEqual({ n: want.rows, distinct_keys: want.rows, days: 60 });
    expect(afterFirst.kpi).toEqual({ n: 60, first: since, last: YESTERDAY });
    const [state] = await h.sql<{ high_water_date: string }[]>`
      select high_water_date::text from meta_sync_state where client_id = ${clientId} and task = 'collect-insights'`;
    expect(state?.high_water_date).toBe(YESTERDAY);

    const second = await h.addJob('collect-insights', { clientId, adAccountId: ACCOUNT_1, runId: 'c2' });
    const [again] = await h.waitForJobs('collect-insights', [second.id!], { states: ['completed'] });
    expect(again?.returnvalue).toMatchObject({
      mode: 'sync',
      since: addDays(YESTERDAY, -28),
      until: YESTERDAY,
      days: 29,
    });
    expect(await counts(clientId)).toEqual(afterFirst);
  });

  it('splits a range the sandbox calls too large and completes', async () => {
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_2 });
    // App-wide fault: the sandbox applies per-account `reduceData` overrides only to transport faults.
    h.sandbox.setFaults({ reduceData: { maxRows: 60 } });
    try {
      const job = await h.addJob('collect-insights', { clientId, adAccountId: ACCOUNT_2, runId: 'big' });
      const [done] = await h.waitForJobs('collect-insights', [job.id!], { states: ['completed'] });
      expect(done?.returnvalue.mode).toBe('sync');
      expect(done?.returnvalue.parts).toBeGreaterThan(1);
      const want = await expected(ACCOUNT_2, addDays(YESTERDAY, -59), YESTERDAY);
      const got = await counts(clientId);
      expect(got.raw).toEqual({ n: want.rows, distinct_keys: want.rows, days: want.days });
      expect(got.kpi.n).toBe(want.days);
    } finally {
      h.sandbox.setFaults({ reduceData: { maxRows: null } });
    }
  });

  it('runs a long range as a step job over an async report run, parked between polls', async () => {
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_1 });
    const since = addDays(YESTERDAY, -119);
    const job = await h.addJob('collect-insights', {
      clientId,
      adAccountId: ACCOUNT_1,
      since,
      until: YESTERDAY,
      runId: 'long',
    });
    const [done] = await h.waitForJobs('collect-insights', [job.id!], { states: ['completed'] });
    expect(done?.returnvalue).toMatchObject({ mode: 'async', since, until: YESTERDAY, days: 120 });
    expect(done?.returnvalue.polls).toBeGreaterThanOrEqual(1);
    // Parked (submit + every unfinished poll) without using attempts.
    expect(done!.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(done!.attemptsMade).toBe(1); // the completion itself; no failed attempt
    expect(done!.data.step).toMatchObject({
      phase: 'report_pending',
      chunkSince: since,
      chunkUntil: YESTERDAY,
    });
    const want = await expected(ACCOUNT_1, since, YESTERDAY);
    const got = await counts(clientId);
    expect(got.raw).toEqual({ n: want.rows, distinct_keys: want.rows, days: want.days });
    expect(got.kpi.n).toBe(want.days);
    expect(h.metaEvents.some((event) => /^\/v\d+\.\d+\/\d+$/.test(event.path))).toBe(true);
  });

  it('falls back to sync chunks when the report run fails as too large', async () => {
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_2 });
    h.sandbox.setFaults({ reduceData: { asyncMaxRows: 10 } });
    try {
      const since = addDays(YESTERDAY, -89);
      const job = await h.addJob('collect-insights', {
        clientId,
        adAccountId: ACCOUNT_2,
        since,
        until: YESTERDAY,
        runId: 'fallback',
      });
      const [done] = await h.waitForJobs('collect-insights', [job.id!], { states: ['completed'] });
      expect(done?.returnvalue).toMatchObject({ mode: 'sync_chunks', since, until: YESTERDAY, days: 90 });
      const want = await expected(ACCOUNT_2, since, YESTERDAY);
      expect((await counts(clientId)).raw).toEqual({
        n: want.rows,
        distinct_keys: want.rows,
        days: want.days,
      });
    } finally {
      h.sandbox.setFaults({ reduceData: { asyncMaxRows: null } });
    }
  });

  it('"Please reduce the amount of data" on creating the report run falls back to sync chunks (12.4)', async () => {
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_1 });
    h.sandbox.setFaults({ reduceData: { asyncCreateMaxDays: 30 } });
    try {
      const since = addDays(YESTERDAY, -89);
      const job = await h.addJob('collect-insights', {
        clientId,
        adAccountId: ACCOUNT_1,
        since,
        until: YESTERDAY,
        runId: 'refused-create',
      });
      const [done] = await h.waitForJobs('collect-insights', [job.id!]);
      expect(await done!.getState(), done!.failedReason).toBe('completed');
      expect(done!.returnvalue).toMatchObject({ mode: 'sync_chunks', since, until: YESTERDAY, days: 90 });
      const want = await expected(ACCOUNT_1, since, YESTERDAY);
      const got = await counts(clientId);
      expect(got.raw).toEqual({ n: want.rows, distinct_keys: want.rows, days: want.days });
      expect(got.kpi.n).toBe(want.days);
    } finally {
      h.sandbox.setFaults({ reduceData: { asyncCreateMaxDays: null } });
    }
  });

  it("empty pages whose cursors equal the next page's: every row of a report run collected (12.3)", async () => {
    // 100 days are read as an async report run whose result spans several 500-row pages (the sync
    // paging itself is covered in tests/meta-client-sandbox.test.ts).
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_2 });
    const since = addDays(YESTERDAY, -99);
    h.sandbox.setFaults({ emptyPageSharedCursorRate: 1 });
    try {
      const job = await h.addJob('collect-insights', {
        clientId,
        adAccountId: ACCOUNT_2,
        since,
        until: YESTERDAY,
        runId: 'quirky',
      });
      const [done] = await h.waitForJobs('collect-insights', [job.id!]);
      expect(await done!.getState(), done!.failedReason).toBe('completed');
      expect(done!.returnvalue).toMatchObject({ mode: 'async', days: 100 });
    } finally {
      h.sandbox.setFaults({ emptyPageSharedCursorRate: 0 });
    }
    const want = await expected(ACCOUNT_2, since, YESTERDAY);
    expect(want.rows).toBeGreaterThan(500);
    const got = await counts(clientId);
    expect(got.raw).toEqual({ n: want.rows, distinct_keys: want.rows, days: want.days });
    expect(got.kpi.n).toBe(want.days);
  });

  it("days before Meta's 37 months fail the job saying so; nothing is recorded as a success (12.6)", async () => {
    const clientId = await h.seedClient({ adAccountId: ACCOUNT_1 });
    const job = await h.addJob('collect-insights', {
      clientId,
      adAccountId: ACCOUNT_1,
      since: '1900-01-01',
      until: '1900-01-31',
      runId: 'ancient',
    });
    const [done] = await h.waitForJobs('collect-insights', [job.id!]);
    expect(await done!.getState()).toBe('failed');
    expect(done!.failedReason).toMatch(
      /^request_bug: 1900-01-01\.\.1900-01-31 is before \d{4}-\d{2}-\d{2}: Meta keeps insights for 37 months$/,
    );
    const state = await h.repo.getSyncState(clientId, 'collect-insights');
    expect(state?.lastSuccessAt).toBeNull();
    expect(state?.lastError?.category).toBe('request_bug');
  });
});
