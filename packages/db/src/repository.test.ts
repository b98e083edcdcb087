import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbError } from './errors/db-error.ts';
import { isInvalidRowError } from './errors/invalid-row-error.ts';
import type { CampaignInsightRow } from './repo/campaign-insights.ts';
import { API_STATUSES, type Client, type InvalidClient } from './repo/clients.ts';
import { createRepository, type Repository } from './repository.ts';
import { createAdmin, type LocalStack, migrateAndWait, sqlAdmin, startStack } from './test-support/stack.ts';

let stack: LocalStack;
let repo: Repository;
let adminId: string;

/** Inserts `count` clients named c00001… with ad account ids 1000001…; returns nothing (query by name). */
async function seedClients(count: number, prefix: string, apiStatus = 'valid'): Promise<void> {
  await sqlAdmin(stack.databaseUrl, (sql) =>
    sql.unsafe(
      `insert into clients (admin_id, name, email, ad_account_id, api_status)
       select $1, $2 || lpad(n::text, 5, '0'), $2 || n || '@example.test', (1000000 + n)::text, $3::api_status
       from generate_series(1, $4) as n`,
      [adminId, prefix, apiStatus, count],
    ),
  );
}

async function clientIdsByPrefix(prefix: string): Promise<string[]> {
  return sqlAdmin(stack.databaseUrl, async (sql) =>
    (await sql<{ id: string }[]>`select id from clients where name like ${`${prefix}%`} order by id`).map(
      (r) => r.id,
    ),
  );
}

async function newClient(name: string, adAccountId = '555', apiStatus = 'valid'): Promise<string> {
  return sqlAdmin(stack.databaseUrl, async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into clients (admin_id, name, email, ad_account_id, api_status)
      values (${adminId}, ${name}, ${`${name.replaceAll(' ', '-')}@example.test`}, ${adAccountId}, ${apiStatus}::api_status)
      returning id`;
    return row!.id;
  });
}

beforeAll(async () => {
  stack = await startStack();
  await migrateAndWait(stack);
  adminId = await sqlAdmin(stack.databaseUrl, (sql) => createAdmin(sql));
  repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
});

afterAll(async () => {
  await stack?.stop();
});

describe('ping', () => {
  it('answers within the timeout', async () => {
    const { latencyMs } = await repo.ping({ timeoutMs: 2000 });
    expect(latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('throws a DbError when the API is unreachable', async () => {
    const down = createRepository({ supabaseUrl: 'http://127.0.0.1:1', serviceRoleKey: 'x' });
    const error = await down.ping({ timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isDbError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^select on clients failed/);
  });
});

describe('listEligibleClients', () => {
  const prefix = 'page-';
  let ids: string[];

  beforeAll(async () => {
    await seedClients(2500, prefix);
    await seedClients(30, 'pending-', 'pending');
    await seedClients(20, 'invalid-', 'invalid');
    await newClient('google only', '');
    ids = await clientIdsByPrefix(prefix);
  });

  it('pages past the 1000-row cap in id order, every valid client exactly once', async () => {
    const seen: string[] = [];
    const pageSizes: number[] = [];
    for await (const page of repo.listEligibleClients({ pageSize: 1000 })) {
      pageSizes.push(page.clients.length + page.invalid.length);
      seen.push(...page.clients.map((c) => c.id));
      expect(page.lastId).toBe(page.clients.at(-1)?.id ?? page.invalid.at(-1)?.client.id);
    }
    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(seen).toEqual(ids);
    expect(new Set(seen).size).toBe(2500);
  });

  it('resumes after a given id and honours small pages', async () => {
    const pages: Client[][] = [];
    for await (const page of repo.listEligibleClients({ pageSize: 7, afterId: ids[2489] }))
      pages.push(page.clients);
    expect(pages.map((p) => p.length)).toEqual([7, 3]);
    expect(pages.flat().map((c) => c.id)).toEqual(ids.slice(2490));
  });

  it('includes pending (or every status) when asked; never clients without an ad account', async () => {
    const withPending = await repo.collectEligibleClients({ statuses: ['valid', 'pending'] });
    expect(withPending.clients).toHaveLength(2530);
    const every = await repo.collectEligibleClients({ statuses: API_STATUSES });
    expect(every.clients).toHaveLength(2550);
    expect(every.clients.some((c) => c.name === 'google only')).toBe(false);
  });

  it('returns the parsed ad account id and the client columns, no tokens', async () => {
    const { clients } = await repo.collectEligibleClients({ pageSize: 1000 });
    const first = clients.find((c) => c.name === `${prefix}00001`)!;
    expect(first).toMatchObject({ adAccountId: '1000001', rawAdAccountId: '1000001', apiStatus: 'valid' });
    expect(Object.keys(first)).not.toContain('systemUserToken');
    expect(JSON.stringify(first)).not.toMatch(/token"?:\s*"EAA/);
  });
});

describe('malformed ad_account_id rows', () => {
  let bad: string[];
  let good: string;

  beforeAll(async () => {
    bad = [
      await newClient('bad letters', 'act_12a'),
      await newClient('bad zero', '0'),
      await newClient('bad space', '12 34'),
    ];
    good = await newClient('good act prefix', ' act_987654 ');
  });

  it('are reported with the reason, not skipped, and do not stop the listing', async () => {
    const { clients, invalid } = await repo.collectEligibleClients({ statuses: ['valid'] });
    expect(invalid.map((i) => i.client.id).sort()).toEqual([...bad].sort());
    const letters = invalid.find((i) => i.client.id === bad[0]) as InvalidClient;
    expect(letters.problem).toBe('Invalid ad account id "act_12a": expected "act_<digits>" or "<digits>"');
    expect(clients.find((c) => c.id === good)?.adAccountId).toBe('987654');
  });

  it('are reported by getClientsByIds and getClient too; unknown ids are listed', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const result = await repo.getClientsByIds([good, bad[0]!, missing, 'not-a-uuid', good]);
    expect(result.clients.map((c) => c.id)).toEqual([good]);
    expect(result.invalid.map((i) => i.client.id)).toEqual([bad[0]]);
    expect(result.unknownIds.sort()).toEqual([missing, 'not-a-uuid'].sort());
    expect(await repo.getClient(missing)).toBeNull();
    expect(await repo.getClient('nope')).toBeNull();
    expect(await repo.getClient(bad[1]!)).toMatchObject({ problem: expect.stringMatching(/"0"/) });
    expect(await repo.getClient(good)).toMatchObject({ id: good, adAccountId: '987654' });
  });
});

describe('campaign insights bulk upsert', () => {
  let clientId: string;

  function rows(count: number, spend: number): CampaignInsightRow[] {
    // 50 campaigns × 1000 days: every (ad account, campaign, date) distinct.
    return Array.from({ length: count }, (_, i) => {
      const day = new Date(Date.UTC(2023, 0, 1) + Math.floor(i / 50) * 86_400_000).toISOString().slice(0, 10);
      return {
        clientId,
        adAccountId: 'act_4242',
        campaignId: `c${i % 50}`,
        date: day,
        campaignName: `Campaign ${i % 50}`,
        spend,
        impressions: 1000.4,
        clicks: 10,
        inlineLinkClicks: 7,
        reach: 800,
        ctr: 1.23,
        actions: [{ action_type: 'omni_purchase', value: '2' }],
        actionValues: [{ action_type: 'omni_purchase', value: '450.00' }],
        conversions: [],
      };
    });
  }

  async function count(): Promise<number> {
    return sqlAdmin(stack.databaseUrl, async (sql) =>
      Number(
        (await sql`select count(*)::int as n from meta_campaign_insights where client_id = ${clientId}`)[0]!
          .n,
      ),
    );
  }

  beforeAll(async () => {
    clientId = await newClient('insights client', '4242');
  });

  it('writes 50,000 rows in chunks; writing them again keeps 50,000 and updates values', async () => {
    const first = await repo.upsertCampaignInsights(rows(50_000, 1.5));
    expect(first).toEqual({ rows: 50_000, chunks: 50 });
    expect(await count()).toBe(50_000);
    const second = await repo.upsertCampaignInsights(rows(50_000, 2.25));
    expect(second.rows).toBe(50_000);
    expect(await count()).toBe(50_000);
    await sqlAdmin(stack.databaseUrl, async (sql) => {
      const [row] =
        await sql`select ad_account_id, spend::float8 as spend, impressions::int as impressions, actions
                              from meta_campaign_insights where campaign_id = 'c7' and date = '2023-01-01'`;
      expect(row).toEqual({
        ad_account_id: '4242',
        spend: 2.25,
        impressions: 1000,
        actions: [{ action_type: 'omni_purchase', value: '2' }],
      });
      const [spread] =
        await sql`select count(distinct spend)::int as n from meta_campaign_insights where client_id = ${clientId}`;
      expect(spread!.n).toBe(1);
    });
  });

  it('keeps the last of duplicate keys within one call', async () => {
    const [a, b] = [rows(1, 3)[0]!, rows(1, 4)[0]!];
    expect(await repo.upsertCampaignInsights([a, b])).toEqual({ rows: 1, chunks: 1 });
  });

  it('rejects a malformed row before writing anything', async () => {
    const batch = rows(3, 9);
    batch[2] = { ...batch[2]!, adAccountId: 'act_x' };
    const error = await repo.upsertCampaignInsights(batch).catch((e: unknown) => e);
    expect(isInvalidRowError(error)).toBe(true);
    expect((error as Error).message).toMatch(/meta_campaign_insights\.ad_account_id \(row 2\)/);
    batch[2] = { ...batch[2]!, adAccountId: '4242', spend: Number.NaN };
    await expect(repo.upsertCampaignInsights(batch)).rejects.toThrow(
      /spend \(row 2\): expected a finite number/,
    );
  });
});

describe('daily_kpi_data upsert', () => {
  it('is idempotent on client_id,date with the app’s conventions', async () => {
    const clientId = await newClient('kpi client');
    const row = {
      clientId,
      date: '2026-07-19',
      totalSpend: 120.456,
      totalImpressions: 15000.6,
      totalClicks: 310,
      totalConversions: 4,
      reservations: 4,
      reservationValue: 1800,
      averageCtr: 2.07,
    };
    await repo.upsertDailyKpi([row]);
    await repo.upsertDailyKpi([{ ...row, totalClicks: 311 }]);
    const rows = await sqlAdmin(
      stack.databaseUrl,
      (
        sql,
      ) => sql`select total_clicks::int, total_impressions::int, total_spend::float8, data_source, platform,
                          booking_step_1::int, last_updated from daily_kpi_data where client_id = ${clientId}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      total_clicks: 311,
      total_impressions: 15001,
      total_spend: 120.46,
      data_source: 'meta_api',
      platform: 'meta',
      booking_step_1: 0,
    });
    expect(Date.now() - (rows[0]!.last_updated as Date).getTime()).toBeLessThan(60_000);
  });

  it('turns a constraint violation into a DbError naming table and operation', async () => {
    const error = await repo
      .upsertDailyKpi([
        {
          clientId: '00000000-0000-4000-8000-00000000abcd',
          date: '2026-07-19',
          totalSpend: 1,
          totalImpressions: 1,
          totalClicks: 1,
          totalConversions: 0,
        },
      ])
      .catch((e: unknown) => e);
    expect(isDbError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'DbError',
      table: 'daily_kpi_data',
      operation: 'upsert',
      code: '23503',
    });
    expect((error as Error).message).toMatch(/^upsert on daily_kpi_data failed \(23503\): .*foreign key/);
    expect((error as { details: string }).details).toMatch(/is not present in table "clients"/);
  });
});

describe('current month / week cache', () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = await newClient('cache client');
  });

  it('upserts the month row on client_id,period_id, one row, fresh last_updated', async () => {
    await repo.upsertMonthCache({ clientId, periodId: '2026-07', cacheData: { stats: { totalSpend: 1 } } });
    const first = await repo.getCache({ kind: 'month', clientId, periodId: '2026-07' });
    await new Promise((r) => setTimeout(r, 10));
    await repo.upsertMonthCache({ clientId, periodId: '2026-07', cacheData: { stats: { totalSpend: 2 } } });
    const second = await repo.getCache({ kind: 'month', clientId, periodId: '2026-07' });
    expect(second?.cacheData).toEqual({ stats: { totalSpend: 2 } });
    expect(Date.parse(second!.lastUpdated)).toBeGreaterThan(Date.parse(first!.lastUpdated));
    const n = await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql`select 1 from current_month_cache where client_id = ${clientId}`,
    );
    expect(n).toHaveLength(1);
  });

  it('upserts the week row and checks the app’s rules first', async () => {
    const cacheData = { dateRange: { start: '2026-07-13', end: '2026-07-19' }, campaigns: [] };
    await repo.upsertWeekCache({ clientId, periodId: '2026-W29', cacheData });
    await repo.upsertWeekCache({ clientId, periodId: '2026-W29', cacheData });
    expect((await repo.getCache({ kind: 'week', clientId, periodId: '2026-W29' }))?.cacheData).toEqual(
      cacheData,
    );
    expect(await repo.getCache({ kind: 'week', clientId, periodId: '2026-W30' })).toBeNull();
    await expect(repo.upsertWeekCache({ clientId, periodId: '2026-W5', cacheData })).rejects.toThrow(
      /period_id/,
    );
    await expect(repo.upsertWeekCache({ clientId, periodId: '2026-W05', cacheData: {} })).rejects.toThrow(
      /dateRange/,
    );
    await expect(repo.upsertMonthCache({ clientId, periodId: '2026-13', cacheData: {} })).rejects.toThrow(
      /YYYY-MM/,
    );
    await expect(
      repo.upsertWeekCache({
        clientId,
        periodId: '2026-W05',
        cacheData: { ...cacheData, client: { system_user_token: 'x' } },
      }),
    ).rejects.toThrow(/cache_data\.client\.system_user_token looks like a secret/);
  });
});

describe('conversion mappings', () => {
  it('reads client_dashboard_config.conversion_mappings; no row → null', async () => {
    const withRow = await newClient('mapped client');
    const withoutRow = await newClient('unmapped client');
    await sqlAdmin(
      stack.databaseUrl,
      (sql) =>
        sql`insert into client_dashboard_config (client_id, conversion_mappings)
          values (${withRow}, '{"meta": {"reservations": ["offsite_conversion.fb_pixel_purchase"]}}')`,
    );
    expect(await repo.getConversionMappings(withRow)).toEqual({
      meta: { reservations: ['offsite_conversion.fb_pixel_purchase'] },
    });
    expect(await repo.getConversionMappings(withoutRow)).toBeNull();
  });
});

describe('sync state', () => {
  it('records success and failure per client and task; high water never moves back', async () => {
    const clientId = await newClient('sync client');
    expect(await repo.getSyncState(clientId, 'collect-insights')).toBeNull();
    await repo.recordSyncSuccess({
      clientId,
      task: 'collect-insights',
      highWaterDate: '2026-07-18',
      runId: 'run-1',
    });
    await repo.recordSyncFailure({
      clientId,
      task: 'collect-insights',
      error: { category: 'account_throttle', code: 80004, message: 'too many calls' },
      runId: 'run-2',
    });
    await repo.recordSyncSuccess({
      clientId,
      task: 'collect-insights',
      highWaterDate: '2026-06-30',
      runId: 'run-3',
    });
    await repo.recordSyncSuccess({
      clientId,
      task: 'collect-insights',
      highWaterDate: '2026-06-30',
      runId: 'run-3',
    });
    const state = await repo.getSyncState(clientId, 'collect-insights');
    expect(state).toMatchObject({
      clientId,
      task: 'collect-insights',
      highWaterDate: '2026-07-18',
      lastRunId: 'run-3',
      lastError: { category: 'account_throttle', code: 80004, message: 'too many calls' },
    });
    expect(Date.parse(state!.lastSuccessAt!)).toBeGreaterThanOrEqual(Date.parse(state!.lastErrorAt!));
    expect(await repo.getSyncState(clientId, 'refresh-cache')).toBeNull();
    await expect(repo.getSyncState(clientId, 'Bad Task')).rejects.toThrow(/task/);
  });
});

describe('token state', () => {
  it('saves and reads the state per fingerprint; the newest is current', async () => {
    expect(await repo.getTokenState()).toBeNull();
    const debugToken = {
      type: 'SYSTEM_USER',
      app_id: '42',
      expires_at: 0,
      is_valid: true,
      scopes: ['ads_read'],
    };
    await repo.saveTokenState({ fingerprint: 'aaaaaaaa11111111', status: 'ok', debugToken });
    await new Promise((r) => setTimeout(r, 5));
    await repo.saveTokenState({
      fingerprint: 'bbbbbbbb22222222',
      status: 'token_fatal',
      pausedReason: 'code 190',
    });
    expect(await repo.getTokenState()).toMatchObject({
      fingerprint: 'bbbbbbbb22222222',
      status: 'token_fatal',
      pausedReason: 'code 190',
      debugToken: null,
    });
    await repo.saveTokenState({ fingerprint: 'aaaaaaaa11111111', status: 'ok' });
    expect(await repo.getTokenState('aaaaaaaa11111111')).toMatchObject({
      status: 'ok',
      debugToken,
      pausedReason: null,
    });
    await expect(repo.saveTokenState({ fingerprint: 'EAAB1234567890', status: 'ok' })).rejects.toThrow(
      /fingerprint/,
    );
  });
});

describe('row-level security', () => {
  const ours = [
    'meta_campaign_insights',
    'meta_ad_account_validations',
    'meta_sync_state',
    'meta_token_state',
  ];

  it('the anon key cannot read this system’s tables; the service-role key can', async () => {
    const anon = createClient(stack.supabaseUrl, stack.anonKey, { auth: { persistSession: false } });
    const service = createClient(stack.supabaseUrl, stack.serviceRoleKey, {
      auth: { persistSession: false },
    });
    for (const table of [...ours, 'meta_engine_migrations']) {
      const denied = await anon.from(table).select('*').limit(1);
      expect(denied.error?.code, table).toBe('42501');
      expect(denied.data).toBeNull();
      const allowed = await service.from(table).select('*').limit(1);
      expect(allowed.error, table).toBeNull();
    }
    const rows = await service.from('meta_campaign_insights').select('campaign_id').limit(1);
    expect(rows.data).toHaveLength(1);
  });
});
