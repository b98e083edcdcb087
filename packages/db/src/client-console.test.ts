import { startLocalStack } from '@meta-engine/local-stack';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbError } from './errors/db-error.ts';
import { isInvalidRowError } from './errors/invalid-row-error.ts';
import { migrate } from './migrate.ts';
import { createRepository, type Repository } from './repository.ts';
import { createAdmin, type LocalStack, sqlAdmin } from './test-support/stack.ts';

let stack: LocalStack;
let repo: Repository;
let adminId: string;

async function newClient(name: string, adAccountId: string, apiStatus = 'valid'): Promise<string> {
  return sqlAdmin(stack.databaseUrl, async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into clients (admin_id, name, email, ad_account_id, api_status)
      values (${adminId}, ${name}, ${`${name.replaceAll(' ', '-')}@example.test`}, ${adAccountId}, ${apiStatus}::api_status)
      returning id`;
    return row!.id;
  });
}

beforeAll(async () => {
  // Migrated before PostgREST starts, so its first schema cache already has the 0005 table and function.
  stack = await startLocalStack({ redis: false, prepareDatabase: async (url) => void (await migrate(url)) });
  adminId = await sqlAdmin(stack.databaseUrl, (sql) => createAdmin(sql));
  repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
});

afterAll(async () => {
  await stack?.stop();
});

describe('client controls (pause / resume)', () => {
  it('pauses with a reason, lists the paused ids, resumes keeping the last pause visible', async () => {
    const a = await newClient('Pause A', '7001');
    const b = await newClient('Pause B', '7002');
    expect(await repo.getClientControl(a)).toBeNull();

    const paused = await repo.setClientPaused({
      clientId: a,
      paused: true,
      reason: '  contract ended  ',
      by: 'operator',
    });
    expect(paused).toMatchObject({
      clientId: a,
      paused: true,
      reason: 'contract ended',
      changedBy: 'operator',
    });
    expect(paused.pausedAt).not.toBeNull();
    expect(paused.resumedAt).toBeNull();
    await repo.setClientPaused({ clientId: b, paused: true });
    expect((await repo.listPausedClientIds()).sort()).toEqual([a, b].sort());

    const resumed = await repo.setClientPaused({ clientId: a, paused: false, by: 'operator' });
    expect(resumed.paused).toBe(false);
    expect(resumed.resumedAt).not.toBeNull();
    expect(resumed.pausedAt).toBe(paused.pausedAt);
    expect(resumed.reason).toBe('contract ended');
    expect(await repo.listPausedClientIds()).toEqual([b]);
    expect(await repo.getClientControl(a)).toEqual(resumed);
  });

  it('refuses an unknown client (23503), a bad id and an over-long reason', async () => {
    const unknown = '00000000-0000-4000-8000-00000000dead';
    const error = await repo.setClientPaused({ clientId: unknown, paused: true }).catch((e: unknown) => e);
    expect(isDbError(error) && error.code).toBe('23503');
    const bad = await repo.setClientPaused({ clientId: 'nope', paused: true }).catch((e: unknown) => e);
    expect(isInvalidRowError(bad)).toBe(true);
    const id = await newClient('Pause C', '7003');
    const long = await repo
      .setClientPaused({ clientId: id, paused: true, reason: 'x'.repeat(501) })
      .catch((e: unknown) => e);
    expect(isInvalidRowError(long) && long.field).toBe('reason');
  });

  it('is closed to anon (RLS on, no privileges) and open to the service role', async () => {
    const anon = createClient(stack.supabaseUrl, stack.anonKey, { auth: { persistSession: false } });
    const { error } = await anon.from('meta_client_controls').select('*').limit(1);
    expect(error?.code).toBe('42501');
    const rpc = await anon.rpc('meta_client_overview', { p_limit: 1 });
    expect(rpc.error?.code).toBe('42501');
  });
});

describe('client overview (one request per 1,000 clients)', () => {
  it('gathers client, control, newest validation, sync state, caches and collected days', async () => {
    const id = await newClient('Overview Hotel', 'act_8001');
    await repo.recordValidation({
      clientId: id,
      adAccountId: '8001',
      outcome: 'active',
      checkedAt: new Date('2026-07-19T06:00:00Z'),
      accountStatus: 1,
      accountName: 'Overview Hotel',
      timezoneName: 'Europe/Warsaw',
      tokenFingerprint: 'abcdef0123456789',
      runId: 'run-1',
    });
    await repo.recordValidation({
      clientId: id,
      adAccountId: '8001',
      outcome: 'check_failed',
      checkedAt: new Date('2026-07-20T06:00:00Z'),
      error: { code: 2, message: 'temporary' },
      runId: 'run-2',
    });
    await repo.recordSyncSuccess({
      clientId: id,
      task: 'collect-insights',
      highWaterDate: '2026-07-19',
      runId: 'run-3',
    });
    await repo.recordSyncFailure({
      clientId: id,
      task: 'refresh-cache',
      error: { category: 'account_throttle', code: 80004, message: 'too many calls' },
      runId: 'run-4',
    });
    await repo.upsertMonthCache({ clientId: id, periodId: '2026-06', cacheData: { stats: {} } });
    await repo.upsertMonthCache({ clientId: id, periodId: '2026-07', cacheData: { stats: {} } });
    await repo.upsertDailyKpi([
      {
        clientId: id,
        date: '2026-07-18',
        totalSpend: 1,
        totalImpressions: 1,
        totalClicks: 1,
        totalConversions: 0,
      },
      {
        clientId: id,
        date: '2026-07-19',
        totalSpend: 1,
        totalImpressions: 1,
        totalClicks: 1,
        totalConversions: 0,
      },
    ]);
    await repo.setClientPaused({ clientId: id, paused: true, reason: 'audit', by: 'op' });

    const overview = await repo.getClientOverview(id);
    expect(overview).toMatchObject({
      id,
      name: 'Overview Hotel',
      rawAdAccountId: 'act_8001',
      apiStatus: 'valid',
      control: { paused: true, reason: 'audit', changedBy: 'op' },
      lastValidation: { outcome: 'check_failed', errorCode: 2, errorMessage: 'temporary', runId: 'run-2' },
      timezone: 'Europe/Warsaw',
      syncState: {
        'collect-insights': { highWaterDate: '2026-07-19', lastRunId: 'run-3', lastError: null },
        'refresh-cache': {
          lastSuccessAt: null,
          lastError: { category: 'account_throttle', code: 80004, message: 'too many calls' },
        },
      },
      collected: { days: 2, firstDay: '2026-07-18', lastDay: '2026-07-19' },
      weekCache: [],
    });
    expect(new Date(overview!.lastConclusiveCheckAt!).toISOString()).toBe('2026-07-19T06:00:00.000Z');
    // Newest write first.
    expect(overview!.monthCache.map((m) => m.periodId)).toEqual(['2026-07', '2026-06']);
    // Listings give the first and last day only (counting is for one client).
    const listed = (await repo.collectClientOverviews()).find((c) => c.id === id);
    expect(listed?.collected).toEqual({ days: null, firstDay: '2026-07-18', lastDay: '2026-07-19' });
    expect(await repo.getClientOverview('00000000-0000-4000-8000-00000000beef')).toBeNull();
    expect(await repo.getClientOverview('not-a-uuid')).toBeNull();
  });

  it('pages 2,500 clients in id order, every client once, one request per page', async () => {
    await sqlAdmin(stack.databaseUrl, async (sql) => {
      await sql`
        insert into clients (admin_id, name, email, ad_account_id, api_status)
        select ${adminId}, 'Paged ' || n, 'paged-' || n || '@example.test', (900000 + n)::text, 'valid'
        from generate_series(1, 2500) n`;
      // A Google-only client (no ad account) is not one of ours.
      await sql`insert into clients (admin_id, name, email, ad_account_id) values (${adminId}, 'Google only', 'g@example.test', '')`;
    });
    let requests = 0;
    const counting = createRepository({
      supabaseUrl: stack.supabaseUrl,
      serviceRoleKey: stack.serviceRoleKey,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const page of counting.listClientOverviews()) {
      sizes.push(page.length);
      ids.push(...page.map((c) => c.id));
    }
    const expected = await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql<{ id: string }[]>`select id from clients where ad_account_id <> '' order by id`,
    );
    expect(ids).toEqual(expected.map((r) => r.id));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(sizes.every((s) => s <= 1000)).toBe(true);
    // A full last page costs one more (empty) request.
    expect(requests).toBe(Math.floor(expected.length / 1000) + 1);
    expect((await counting.collectClientOverviews({ pageSize: 700 })).length).toBe(expected.length);
  });
});
