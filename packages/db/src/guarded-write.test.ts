/**
 * Migration 0006 on real Postgres through PostgREST: a job's writes land only while the client still has
 * the job's ad account (and exists, and is not paused); otherwise nothing is written, the refusal is noted
 * in the task's sync state and `ClientSupersededError` says why (issue 12.1). Validations take the same
 * check and record the validate task's success in the same request.
 */

import { type LocalStack, startLocalStack } from '@meta-engine/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientSupersededError, isClientSupersededError } from './errors/client-superseded-error.ts';
import { isInvalidRowError } from './errors/invalid-row-error.ts';
import { migrate } from './migrate.ts';
import type { GuardedWrites } from './repo/guarded-write.ts';
import { createRepository, type Repository } from './repository.ts';
import { createAdmin, sqlAdmin } from './test-support/stack.ts';

let stack: LocalStack;
let repo: Repository;
let adminId: string;
let seq = 0;

beforeAll(async () => {
  // Migrated before PostgREST starts: its first schema cache already holds 0006's functions.
  stack = await startLocalStack({ redis: false, prepareDatabase: async (url) => void (await migrate(url)) });
  adminId = await sqlAdmin(stack.databaseUrl, (sql) => createAdmin(sql));
  repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
});

afterAll(async () => {
  await stack?.stop();
});

async function newClient(adAccountId: string | null): Promise<string> {
  seq++;
  return sqlAdmin(stack.databaseUrl, async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into clients (admin_id, name, email, ad_account_id, api_status)
      values (${adminId}, ${`guarded ${seq}`}, ${`guarded-${seq}@example.test`}, ${adAccountId ?? ''}, 'valid')
      returning id`;
    return row!.id;
  });
}

const sql = <T>(work: Parameters<typeof sqlAdmin<T>>[1]) => sqlAdmin(stack.databaseUrl, work);

function refreshWrites(marker: number): GuardedWrites {
  return {
    monthCache: { periodId: '2026-07', cacheData: { marker } },
    weekCache: {
      periodId: '2026-W29',
      cacheData: { marker, dateRange: { start: '2026-07-13', end: '2026-07-19' } },
    },
    syncSuccess: {},
  };
}

function collectWrites(days: string[], highWaterDate: string): GuardedWrites {
  return {
    campaignInsights: days.map((date) => ({
      campaignId: '6001',
      date,
      spend: 12.5,
      impressions: 1000,
      clicks: 40,
      actions: [{ action_type: 'link_click', value: '40' }],
    })),
    dailyKpi: days.map((date) => ({
      date,
      totalSpend: 12.5,
      totalImpressions: 1000,
      totalClicks: 40,
      totalConversions: 1,
    })),
    syncSuccess: { highWaterDate },
  };
}

async function rowsOf(clientId: string) {
  return sql(async (q) => {
    const [month] = await q`select cache_data from current_month_cache where client_id = ${clientId}`;
    const [week] = await q`select cache_data from current_week_cache where client_id = ${clientId}`;
    const insights =
      await q`select ad_account_id, date::text from meta_campaign_insights where client_id = ${clientId} order by date`;
    const [kpi] = await q<
      { n: number }[]
    >`select count(*)::int as n from daily_kpi_data where client_id = ${clientId}`;
    const validations =
      await q`select ad_account_id from meta_ad_account_validations where client_id = ${clientId}`;
    return {
      month: month?.cache_data ?? null,
      week: week?.cache_data ?? null,
      insights: insights.map((r) => `${r.ad_account_id}|${r.date}`),
      kpi: kpi!.n,
      validations: validations.map((r) => r.ad_account_id as string),
    };
  });
}

describe('guardedWrite (meta_guarded_write)', () => {
  it('writes caches, rows and the sync state when the client still has the account (stored as " act_<id> ")', async () => {
    const clientId = await newClient(' act_5001 ');
    const guard = { clientId, adAccountId: '5001', task: 'refresh-cache', runId: 'r1' };
    expect(await repo.guardedWrite(guard, refreshWrites(1))).toEqual({
      campaignInsights: 0,
      dailyKpi: 0,
      requests: 1,
    });
    const collect = { ...guard, task: 'collect-insights' };
    const written = await repo.guardedWrite(
      collect,
      collectWrites(['2026-07-01', '2026-07-02'], '2026-07-02'),
    );
    // The campaign rows and the daily KPIs of a collect share one request.
    expect(written).toEqual({ campaignInsights: 2, dailyKpi: 2, requests: 1 });
    const rows = await rowsOf(clientId);
    expect(rows).toMatchObject({ month: { marker: 1 }, week: { marker: 1 }, kpi: 2 });
    expect(rows.insights).toEqual(['5001|2026-07-01', '5001|2026-07-02']);
    const state = await repo.getSyncState(clientId, 'collect-insights');
    expect(state).toMatchObject({ highWaterDate: '2026-07-02', adAccountId: '5001', lastRunId: 'r1' });
    expect(state?.lastSuccessAt).not.toBeNull();
  });

  it('writes nothing for an account the client no longer has, says so, and notes it in the sync state', async () => {
    const clientId = await newClient('5002');
    const guard = { clientId, adAccountId: '5002', task: 'refresh-cache', runId: 'r-old' };
    await repo.guardedWrite(guard, refreshWrites(1));
    await sql((q) => q`update clients set ad_account_id = 'act_5099' where id = ${clientId}`);

    const error = await repo.guardedWrite(guard, refreshWrites(2)).catch((e: unknown) => e);
    expect(isClientSupersededError(error)).toBe(true);
    expect(error).toMatchObject({
      reason: 'account_changed',
      adAccountId: '5002',
      currentAdAccountId: 'act_5099',
      task: 'refresh-cache',
    });
    expect((error as Error).message).toBe(
      `client ${clientId} no longer has ad account 5002 (it now has "act_5099"): nothing written for refresh-cache`,
    );
    const collect = await repo
      .guardedWrite({ ...guard, task: 'collect-insights' }, collectWrites(['2026-07-01'], '2026-07-01'))
      .catch((e: unknown) => e);
    expect(collect).toBeInstanceOf(ClientSupersededError);
    const rows = await rowsOf(clientId);
    expect(rows).toMatchObject({ month: { marker: 1 }, week: { marker: 1 }, insights: [], kpi: 0 });
    const state = await repo.getSyncState(clientId, 'refresh-cache');
    expect(state?.lastSuperseded).toMatchObject({
      reason: 'account_changed',
      runId: 'r-old',
      adAccountId: '5002',
      currentAdAccountId: 'act_5099',
    });
    expect(state?.lastError).toBeNull();
    // The client's current account is served.
    await repo.guardedWrite({ ...guard, adAccountId: '5099', runId: 'r-new' }, refreshWrites(3));
    expect((await rowsOf(clientId)).month).toEqual({ marker: 3 });
  });

  it('refuses a paused client, a client without an ad account and a deleted client', async () => {
    const paused = await newClient('5003');
    await repo.setClientPaused({ clientId: paused, paused: true, reason: 'moving', by: 'test' });
    const guard = (clientId: string) => ({
      clientId,
      adAccountId: '5003',
      task: 'refresh-cache',
      runId: 'r',
    });
    await expect(repo.guardedWrite(guard(paused), refreshWrites(1))).rejects.toMatchObject({
      reason: 'paused',
    });
    expect((await rowsOf(paused)).month).toBeNull();

    const emptied = await newClient('5003');
    await sql((q) => q`update clients set ad_account_id = '' where id = ${emptied}`);
    await expect(repo.guardedWrite(guard(emptied), refreshWrites(1))).rejects.toMatchObject({
      reason: 'account_changed',
      currentAdAccountId: null,
    });

    const deleted = await newClient('5003');
    await sql((q) => q`delete from clients where id = ${deleted}`);
    await expect(
      repo.guardedWrite(guard(deleted), { syncFailure: { category: 'transient', message: 'x' } }),
    ).rejects.toMatchObject({
      reason: 'client_gone',
    });
  });

  it('a high-water date of another account is replaced, the same account never moves it backwards', async () => {
    const clientId = await newClient('5004');
    const guard = { clientId, adAccountId: '5004', task: 'collect-insights', runId: 'r' };
    await repo.guardedWrite(guard, { syncSuccess: { highWaterDate: '2026-07-20' } });
    await repo.guardedWrite(guard, { syncSuccess: { highWaterDate: '2026-07-10' } });
    expect((await repo.getSyncState(clientId, 'collect-insights'))?.highWaterDate).toBe('2026-07-20');
    await sql((q) => q`update clients set ad_account_id = '5005' where id = ${clientId}`);
    await repo.guardedWrite(
      { ...guard, adAccountId: '5005' },
      { syncSuccess: { highWaterDate: '2026-07-05' } },
    );
    expect(await repo.getSyncState(clientId, 'collect-insights')).toMatchObject({
      highWaterDate: '2026-07-05',
      adAccountId: '5005',
    });
  });

  it('refuses a cache holding a secret-like key before the first request (rows included); a word elsewhere is no finding', async () => {
    const clientId = await newClient('5007');
    const guard = { clientId, adAccountId: '5007', task: 'refresh-cache', runId: 'r' };
    const leaking: GuardedWrites = {
      ...collectWrites(['2026-07-01'], '2026-07-01'),
      ...refreshWrites(7),
      monthCache: { periodId: '2026-07', cacheData: { client: { meta_access_token: 'EAAB-leak' } } },
    };
    const error = await repo.guardedWrite(guard, leaking).catch((caught: unknown) => caught);
    expect(isInvalidRowError(error)).toBe(true);
    expect(error).toMatchObject({ secret: true });
    expect((error as Error).message).toContain('cache_data.client.meta_access_token');
    expect((error as Error).message).not.toContain('EAAB-leak');
    expect(await rowsOf(clientId)).toMatchObject({ month: null, week: null, insights: [], kpi: 0 });

    // The same request text mentions "token" outside the caches (a campaign named so): the caches are clean.
    const named: GuardedWrites = {
      ...refreshWrites(8),
      campaignInsights: [
        { ...collectWrites(['2026-07-01'], '2026-07-01').campaignInsights![0]!, campaignName: 'Token sale' },
      ],
    };
    await repo.guardedWrite(guard, named);
    expect(await rowsOf(clientId)).toMatchObject({ month: { marker: 8 }, insights: ['5007|2026-07-01'] });
  });

  it("refuses a cache holding one of the caller's secrets (its token) anywhere, naming the path, never the secret", async () => {
    const clientId = await newClient('5009');
    const guard = { clientId, adAccountId: '5009', task: 'refresh-cache', runId: 'r' };
    const token = 'EAABsecretTokenValue42';
    const leaking: GuardedWrites = {
      ...refreshWrites(9),
      weekCache: {
        periodId: '2026-W29',
        cacheData: {
          dateRange: { start: '2026-07-13', end: '2026-07-19' },
          campaigns: [{ name: 'ok' }, { next: `https://graph.facebook.com/act_1/insights?t=${token}` }],
        },
      },
    };
    const error = await repo
      .guardedWrite(guard, leaking, { secrets: [token, ''] })
      .catch((caught: unknown) => caught);
    expect(isInvalidRowError(error)).toBe(true);
    expect(error).toMatchObject({ secret: true, table: 'current_week_cache', field: 'cache_data' });
    expect((error as Error).message).toContain('cache_data.campaigns[1].next');
    expect((error as Error).message).not.toContain(token);
    expect(await rowsOf(clientId)).toMatchObject({ month: null, week: null });

    // Without the secret the value is just text, and other secrets do not match it: written.
    await repo.guardedWrite(guard, leaking, { secrets: ['EAABanotherOne'] });
    expect(await rowsOf(clientId)).toMatchObject({ month: { marker: 9 } });
  });

  it('pairs the chunks of campaign rows and daily KPIs, and sends the sync state with the last request', async () => {
    const clientId = await newClient('5008');
    const chunked = createRepository({
      supabaseUrl: stack.supabaseUrl,
      serviceRoleKey: stack.serviceRoleKey,
      chunkSize: 2,
    });
    const days = ['2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05'];
    const writes = collectWrites(days, '2026-07-05');
    // 5 campaign rows in 3 chunks, 2 KPI rows in 1: three requests, the first one carrying both.
    writes.dailyKpi = writes.dailyKpi!.slice(0, 2);
    const guard = { clientId, adAccountId: '5008', task: 'collect-insights', runId: 'r' };
    expect(await chunked.guardedWrite(guard, writes)).toEqual({
      campaignInsights: 5,
      dailyKpi: 2,
      requests: 3,
    });
    const rows = await rowsOf(clientId);
    expect(rows.insights).toEqual(days.map((day) => `5008|${day}`));
    expect(rows.kpi).toBe(2);
    expect(await chunked.getSyncState(clientId, 'collect-insights')).toMatchObject({
      highWaterDate: '2026-07-05',
    });
  });

  it('records a failure in the sync state under the guard', async () => {
    const clientId = await newClient('5006');
    await repo.guardedWrite(
      { clientId, adAccountId: '5006', task: 'validate', runId: 'r' },
      { syncFailure: { category: 'transient', code: 2, message: 'service unavailable' } },
    );
    expect((await repo.getSyncState(clientId, 'validate'))?.lastError).toEqual({
      category: 'transient',
      code: 2,
      message: 'service unavailable',
    });
  });
});

describe('recordValidation with ifCurrentAccount (meta_record_validations, 0006)', () => {
  it('records the check and the validate sync success together while the client has the account', async () => {
    const clientId = await newClient('6001');
    const result = await repo.recordValidation({
      clientId,
      adAccountId: '6001',
      outcome: 'active',
      runId: 'run-1',
      ifCurrentAccount: true,
      recordSyncSuccess: true,
    });
    expect(result.apiStatus).toBe('valid');
    expect((await rowsOf(clientId)).validations).toEqual(['6001']);
    expect(await repo.getSyncState(clientId, 'validate')).toMatchObject({
      lastRunId: 'run-1',
      adAccountId: '6001',
    });
  });

  it('records nothing for a foreign account (a job pushed with a pair that does not match the client)', async () => {
    const clientId = await newClient('6002');
    const error = await repo
      .recordValidation({
        clientId,
        adAccountId: 'act_6099',
        outcome: 'active',
        runId: 'run-2',
        ifCurrentAccount: true,
        recordSyncSuccess: true,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientSupersededError);
    expect(error).toMatchObject({
      reason: 'account_changed',
      adAccountId: '6099',
      currentAdAccountId: '6002',
    });
    expect((await rowsOf(clientId)).validations).toEqual([]);
    const state = await repo.getSyncState(clientId, 'validate');
    expect(state?.lastSuccessAt).toBeNull();
    expect(state?.lastSuperseded?.reason).toBe('account_changed');
  });

  it('without ifCurrentAccount the check is recorded as before', async () => {
    const clientId = await newClient('6003');
    await repo.recordValidation({ clientId, adAccountId: '7777', outcome: 'active' });
    expect((await rowsOf(clientId)).validations).toEqual(['7777']);
  });
});
