/**
 * Migration 0007 and repo/campaign-summaries on the app's real `campaign_summaries` (its columns, CHECK
 * weekly_must_be_monday, UNIQUE per platform and the check_data_freshness_trigger), through PostgREST.
 */
import { randomUUID } from 'node:crypto';
import { startLocalStack } from '@meta-engine/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbError } from './errors/db-error.ts';
import { isInvalidRowError } from './errors/invalid-row-error.ts';
import { migrate } from './migrate.ts';
import type { CampaignSummaryColumns } from './repo/campaign-summaries.ts';
import { createRepository, type Repository } from './repository.ts';
import { APP_CAMPAIGN_SUMMARIES_SQL, APP_SCHEMA_SQL } from './test-support/app-schema.ts';
import { type LocalStack, sqlAdmin } from './test-support/stack.ts';

let stack: LocalStack;
let repo: Repository;
let clientId: string;
let adminId: string;

function row(overrides: Partial<CampaignSummaryColumns> = {}): CampaignSummaryColumns {
  return {
    client_id: clientId,
    summary_type: 'monthly',
    summary_date: '2026-11-01',
    platform: 'meta',
    total_spend: 1234.56,
    total_impressions: 100_000,
    total_clicks: 2_000,
    total_conversions: 12,
    average_ctr: 1.84,
    average_cpc: 0.62,
    average_cpa: 102.88,
    active_campaigns: 3,
    total_campaigns: 4,
    active_campaign_count: 3,
    click_to_call: 5,
    email_contacts: 2,
    booking_step_1: 300,
    booking_step_2: 120,
    booking_step_3: 40,
    reservations: 12,
    reservation_value: 9_600.5,
    roas: 7.78,
    cost_per_reservation: 102.88,
    reach: 45_000,
    campaign_data: [{ campaign_id: '1', spend: '1234.56', reservations: 12 }],
    meta_tables: {
      placementPerformance: [],
      demographicPerformance: [],
      adRelevanceResults: [],
      geographicPerformance: [],
    },
    data_source: 'meta_api',
    ...overrides,
  };
}

const period = { periodEnd: '2026-11-30', fetchedOn: '2026-12-05', contentHash: 'a'.repeat(64), runId: 'r1' };
const created = {
  change: 'created' as const,
  previousSource: null,
  previousLastUpdated: null,
  metrics: {},
  tables: {},
};

async function stored(type: string, date: string): Promise<Record<string, unknown> | undefined> {
  return sqlAdmin(stack.databaseUrl, async (sql) => {
    const [found] = await sql<Record<string, unknown>[]>`
      select row_to_json(s)::text as json, s.* from campaign_summaries s
      where client_id = ${clientId} and summary_type = ${type} and summary_date = ${date}`;
    return found;
  });
}

beforeAll(async () => {
  stack = await startLocalStack({
    redis: false,
    prepareDatabase: async (url) => {
      await sqlAdmin(url, async (sql) => {
        await sql.unsafe(APP_SCHEMA_SQL);
        await sql.unsafe(APP_CAMPAIGN_SUMMARIES_SQL);
      });
      await migrate(url);
    },
  });
  await sqlAdmin(stack.databaseUrl, async (sql) => {
    const [admin] = await sql<{ id: string }[]>`
      insert into profiles (email, role) values ('admin@summaries.test', 'admin') returning id`;
    adminId = admin!.id;
    const [client] = await sql<{ id: string }[]>`
      insert into clients (admin_id, name, email, ad_account_id, api_status)
      values (${adminId}, 'Hotel Summaries', 'summaries@example.test', 'act_4242', 'valid') returning id`;
    clientId = client!.id;
  });
  repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
});

afterAll(async () => {
  await stack?.stop();
});

describe('campaign_summaries through meta_write_campaign_summary', () => {
  it('creates a row in the app shape with its bookkeeping and history, last_updated = now()', async () => {
    const result = await repo.writeCampaignSummary({
      row: row(),
      adAccountId: '4242',
      expected: { exists: false, lastUpdated: null },
      period,
      change: created,
    });
    expect(result.outcome).toBe('written');
    const saved = await stored('monthly', '2026-11-01');
    expect(saved).toMatchObject({
      platform: 'meta',
      total_spend: '1234.56',
      total_impressions: '100000',
      reach: '45000',
      data_source: 'meta_api',
      offline_reservations: '0',
    });
    expect(Math.abs(Date.now() - (saved!.last_updated as Date).getTime())).toBeLessThan(60_000);
    const [state] = await repo.listSummaryStates({
      clientId,
      summaryType: 'monthly',
      from: '2026-01-01',
      to: '2026-12-01',
    });
    expect(state).toMatchObject({
      summaryDate: '2026-11-01',
      row: { lastUpdated: result.lastUpdated, dataSource: 'meta_api' },
      book: {
        periodEnd: '2026-11-30',
        outcome: 'written',
        fetchedOn: '2026-12-05',
        writtenAt: result.lastUpdated,
      },
    });
    const [change] = await repo.listSummaryChanges({ clientId });
    expect(change).toMatchObject({ summaryDate: '2026-11-01', change: 'created', runId: 'r1' });
  });

  it('rewrites only the row it read: a row changed since (another writer) is a conflict and stays', async () => {
    const before = await stored('monthly', '2026-11-01');
    const conflict = await repo.writeCampaignSummary({
      row: row({ total_spend: 1 }),
      adAccountId: '4242',
      expected: { exists: true, lastUpdated: '2026-01-01T00:00:00+00:00' },
      period,
      change: { ...created, change: 'restated' },
    });
    expect(conflict.outcome).toBe('conflict');
    const missing = await repo.writeCampaignSummary({
      row: row({ total_spend: 1 }),
      adAccountId: '4242',
      expected: { exists: false, lastUpdated: null },
      period,
      change: created,
    });
    expect(missing.outcome).toBe('conflict');
    expect((await stored('monthly', '2026-11-01'))?.json).toBe(before?.json);
  });

  it('writes nothing for a client whose ad account changed since the job was planned', async () => {
    const result = await repo.writeCampaignSummary({
      row: row({ summary_date: '2026-10-01' }),
      adAccountId: '9999',
      expected: { exists: false, lastUpdated: null },
      period: { ...period, periodEnd: '2026-10-31' },
      change: created,
    });
    expect(result.outcome).toBe('superseded');
    expect(await stored('monthly', '2026-10-01')).toBeUndefined();
  });

  it('an update sets last_updated = now(), so the app freshness trigger logs nothing', async () => {
    const [state] = await repo.listSummaryStates({
      clientId,
      summaryType: 'monthly',
      from: '2026-11-01',
      to: '2026-11-01',
    });
    const result = await repo.writeCampaignSummary({
      row: row({ total_spend: 1300 }),
      adAccountId: '4242',
      expected: { exists: true, lastUpdated: state!.row!.lastUpdated },
      period,
      change: {
        change: 'restated',
        previousSource: 'meta_api',
        previousLastUpdated: state!.row!.lastUpdated,
        metrics: { total_spend: { before: 1234.56, after: 1300, delta: 65.44 } },
        tables: {},
      },
    });
    expect(result.outcome).toBe('written');
    expect((await stored('monthly', '2026-11-01'))?.total_spend).toBe('1300');
    const logs = await sqlAdmin(stack.databaseUrl, (sql) => sql`select * from system_logs`);
    expect(logs).toHaveLength(0);
    // The trigger is live: an update with an old last_updated (what the app's archive did) is logged.
    await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql`update campaign_summaries set last_updated = now() - interval '9 days'
                   where client_id = ${clientId} and summary_date = '2026-11-01'`,
    );
    expect(await sqlAdmin(stack.databaseUrl, (sql) => sql`select * from system_logs`)).toHaveLength(1);
    const changes = await repo.listSummaryChanges({ clientId, summaryDate: '2026-11-01' });
    expect(changes.map((c) => c.change)).toEqual(['restated', 'created']);
    expect(changes[0]?.metrics).toEqual({ total_spend: { before: 1234.56, after: 1300, delta: 65.44 } });
  });

  it('weekly rows go on the ISO Monday; the database CHECK agrees with the client-side one', async () => {
    await expect(
      repo.writeCampaignSummary({
        row: row({ summary_type: 'weekly', summary_date: '2026-12-29' }),
        adAccountId: '4242',
        expected: { exists: false, lastUpdated: null },
        period: { ...period, periodEnd: '2027-01-04' },
        change: created,
      }),
    ).rejects.toSatisfy(isInvalidRowError);
    await expect(
      sqlAdmin(
        stack.databaseUrl,
        (sql) => sql`insert into campaign_summaries (client_id, summary_type, summary_date)
                     values (${clientId}, 'weekly', '2026-12-29')`,
      ),
    ).rejects.toThrow(/weekly_must_be_monday/);
    const monday = await repo.writeCampaignSummary({
      row: row({ summary_type: 'weekly', summary_date: '2026-12-28' }),
      adAccountId: '4242',
      expected: { exists: false, lastUpdated: null },
      period: { ...period, periodEnd: '2027-01-03' },
      change: created,
    });
    expect(monday.outcome).toBe('written');
  });

  it('refuses a fractional BIGINT before sending anything', async () => {
    await expect(
      repo.writeCampaignSummary({
        row: row({ summary_date: '2026-09-01', total_impressions: 10.5 }),
        adAccountId: '4242',
        expected: { exists: false, lastUpdated: null },
        period: { ...period, periodEnd: '2026-09-30' },
        change: created,
      }),
    ).rejects.toThrow(/total_impressions: BIGINT columns take integers, got 10.5/);
  });

  it('a fetch that wrote nothing keeps the bookkeeping of the last write', async () => {
    const [before] = await repo.listSummaryStates({
      clientId,
      summaryType: 'monthly',
      from: '2026-11-01',
      to: '2026-11-01',
    });
    await repo.recordSummaryFetch({
      clientId,
      summaryType: 'monthly',
      summaryDate: '2026-11-01',
      periodEnd: '2026-11-30',
      outcome: 'unchanged',
      fetchedOn: '2026-12-08',
      runId: 'r2',
    });
    const [after] = await repo.listSummaryStates({
      clientId,
      summaryType: 'monthly',
      from: '2026-11-01',
      to: '2026-11-01',
    });
    expect(after?.book).toEqual({
      ...before!.book,
      outcome: 'unchanged',
      fetchedOn: '2026-12-08',
      runId: 'r2',
    });
  });

  it('records drift per table and metric, with delta and percent', async () => {
    const checkId = randomUUID();
    await repo.recordDrift([
      {
        checkId,
        clientId,
        summaryType: 'monthly',
        summaryDate: '2026-11-01',
        tableName: 'campaign_summaries',
        metric: 'total_spend',
        stored: 200,
        fresh: 210,
        runId: 'd1',
      },
      {
        checkId,
        clientId,
        summaryType: 'monthly',
        summaryDate: '2026-11-01',
        tableName: 'daily_kpi_data',
        metric: 'reservations',
        stored: 0,
        fresh: 3,
        runId: 'd1',
      },
    ]);
    const rows = await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql<{ metric: string; delta: string; delta_pct: string | null }[]>`
        select metric, delta, delta_pct from meta_summary_drift where check_id = ${checkId} order by metric`,
    );
    expect(rows).toEqual([
      { metric: 'reservations', delta: '3', delta_pct: null },
      { metric: 'total_spend', delta: '10', delta_pct: '5' },
    ]);
  });

  it('reads each client’s ad account time zone from its newest validation that had one', async () => {
    await sqlAdmin(
      stack.databaseUrl,
      (
        sql,
      ) => sql`insert into meta_ad_account_validations (client_id, ad_account_id, checked_at, outcome, timezone_name)
                   values (${clientId}, '4242', now() - interval '2 days', 'active', 'Pacific/Auckland'),
                          (${clientId}, '4242', now() - interval '1 day', 'active', 'America/Los_Angeles'),
                          (${clientId}, '4242', now(), 'check_failed', null)`,
    );
    const other = randomUUID();
    const zones = await repo.getClientTimeZones([clientId, other]);
    expect(zones.get(clientId)).toBe('America/Los_Angeles');
    expect(zones.get(other)).toBeNull();
  });

  it('is not readable with the anon role', async () => {
    const { createClient } = await import('@supabase/supabase-js');
    const anon = createClient(stack.supabaseUrl, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    const { error } = await anon.from('meta_summary_changes').select('*').limit(1);
    expect(error).not.toBeNull();
    expect(isDbError(error)).toBe(false);
  });
});
