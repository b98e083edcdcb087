/**
 * The demo flow end to end (what `pnpm demo --once` runs), then the database contents row by row for a
 * normal, a disabled, an unreadable and a heavy (throttled) client.
 */
import { randomUUID } from 'node:crypto';
import { type DemoHandle, runDemoTasks, startDemo } from '@meta-engine/demo';
import { createMetaClient } from '@meta-engine/meta-client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLIENTS = 8;
let demo: DemoHandle;
let sql: postgres.Sql;
let outcome: Awaited<ReturnType<typeof runDemoTasks>>;
const logLines: string[] = [];
const output: string[] = [];

function clientOf(role: string) {
  const client = demo.clients.find((c) => c.role === role);
  if (!client) throw new Error(`no ${role} client`);
  return client;
}

/** The account's local date, as the worker computes periods. */
function localDate(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

beforeAll(async () => {
  demo = await startDemo({
    clients: CLIENTS,
    port: 0,
    queuePrefix: `{e2e-${randomUUID().slice(0, 8)}}`,
    out: Object.assign(
      { write: (chunk: string) => output.push(chunk) },
      { isTTY: false },
    ) as unknown as NodeJS.WriteStream,
    logDestination: { write: (line: string) => logLines.push(line) },
  });
  outcome = await runDemoTasks(demo);
  sql = postgres(demo.stack.databaseUrl, { max: 2, onnotice: () => {} });
}, 180_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await demo?.close();
});

describe('pnpm demo --once flow', () => {
  it('ends with every client as expected and shows progress', () => {
    expect(outcome.problems).toEqual([]);
    expect(output.join('')).toMatch(/run-validate-.*finished/);
    expect(output.join('')).toMatch(/run-collect-insights-.*finished/);
  });

  it('an active client: validation, clients columns, both caches and 90 days of KPI rows', async () => {
    const client = clientOf('normal');
    const [row] =
      await sql`select api_status, token_health_status, last_token_validation from clients where id = ${client.id}`;
    expect(row).toMatchObject({ api_status: 'valid', token_health_status: 'valid' });
    expect(row?.last_token_validation).toBeInstanceOf(Date);

    const validations = await sql`
      select outcome, account_status, account_name, currency, timezone_name, token_fingerprint
      from meta_ad_account_validations where client_id = ${client.id}`;
    expect(validations).toHaveLength(1);
    expect(validations[0]).toMatchObject({
      outcome: 'active',
      account_status: 1,
      account_name: client.name,
      currency: client.currency,
      timezone_name: client.timezone,
    });
    expect(String(validations[0]?.token_fingerprint)).toMatch(/^[0-9a-f]{8,}$/);

    const today = localDate(client.timezone);
    const [month] =
      await sql`select period_id, cache_data, last_updated from current_month_cache where client_id = ${client.id}`;
    expect(month?.period_id).toBe(today.slice(0, 7));
    expect(month?.cache_data.client).toEqual({
      id: client.id,
      name: client.name,
      adAccountId: client.adAccountId,
    });
    expect(month?.cache_data.campaigns.length).toBeGreaterThan(0);
    expect(month?.cache_data.fromCache).toBe(false);
    const [week] =
      await sql`select period_id, cache_data from current_week_cache where client_id = ${client.id}`;
    expect(week?.period_id).toMatch(/^\d{4}-W\d{2}$/);
    expect(week?.cache_data.dateRange.end).toBe(today);

    const kpi =
      await sql`select date, total_spend, total_impressions, data_source, platform from daily_kpi_data
      where client_id = ${client.id} order by date`;
    expect(kpi).toHaveLength(90);
    expect(new Set(kpi.map((r) => r.data_source))).toEqual(new Set(['meta_api']));
    expect(kpi.at(-1)?.date.toISOString().slice(0, 10) < today).toBe(true);
  });

  it("raw campaign-day rows add up to Meta's own account-level numbers", async () => {
    const client = clientOf('normal');
    const [day] =
      await sql`select max(date)::text as d from meta_campaign_insights where client_id = ${client.id}`;
    const date = String(day?.d);
    const [sum] = await sql`select sum(spend)::float as spend, sum(impressions)::bigint as impressions
      from meta_campaign_insights where client_id = ${client.id} and date = ${date}`;
    const meta = createMetaClient({ accessToken: demo.env.META_ACCESS_TOKEN!, baseUrl: demo.sandbox.url });
    try {
      const account = await meta.getInsights(client.adAccountId, {
        level: 'account',
        fields: ['spend', 'impressions'],
        time_range: { since: date, until: date },
      });
      expect(Number(sum?.impressions)).toBe(Number(account.data[0]?.impressions));
      expect(sum?.spend).toBeCloseTo(Number(account.data[0]?.spend), 2);
    } finally {
      await meta.close();
    }
    const dupes = await sql`select ad_account_id, campaign_id, date from meta_campaign_insights
      group by 1, 2, 3 having count(*) > 1`;
    expect(dupes).toHaveLength(0);
  });

  it('a disabled account is recorded as inactive and its client stays in the jobs', async () => {
    const client = clientOf('disabled');
    const [v] =
      await sql`select outcome, account_status, disable_reason from meta_ad_account_validations where client_id = ${client.id}`;
    expect(v).toMatchObject({ outcome: 'account_inactive', account_status: 2, disable_reason: 3 });
    const [row] = await sql`select api_status from clients where id = ${client.id}`;
    expect(row?.api_status).toBe('valid');
  });

  it('an account the token cannot read is recorded as no_access and left out of later runs', async () => {
    const client = clientOf('unassigned');
    const [v] =
      await sql`select outcome, error_code, error_subcode from meta_ad_account_validations where client_id = ${client.id}`;
    expect(v).toMatchObject({ outcome: 'no_access', error_code: 100, error_subcode: 33 });
    const [row] = await sql`select api_status, token_health_status from clients where id = ${client.id}`;
    expect(row).toMatchObject({ api_status: 'invalid', token_health_status: 'invalid' });
    const caches = await sql`select 1 from current_month_cache where client_id = ${client.id}`;
    expect(caches).toHaveLength(0);
  });

  it('the heavy account ran out of its quota: learned, it waited for the next window instead of being throttled, and completed', async () => {
    const client = clientOf('heavy');
    const account = demo.sandbox.counters().accounts[client.adAccountId];
    const throttles = Object.values(account ?? {}).reduce((n, b) => n + b.throttles, 0);
    // Nobody told the engine its 6 calls per window: it learned them from the headers and waited instead.
    expect(throttles).toBeLessThanOrEqual(1);
    const summary = outcome.summaries.find((s) => s.client.id === client.id);
    const waits =
      (summary?.jobs['refresh-cache'].waits ?? 0) + (summary?.jobs['collect-insights'].waits ?? 0);
    expect(waits).toBeGreaterThan(0);
    expect(summary?.jobs['refresh-cache'].state).toBe('completed');
    expect(summary?.jobs['collect-insights'].state).toBe('completed');
    expect(summary?.daysCollected).toBe(90);
  });

  it('writes campaign_summaries for every readable client: the closed months and ISO weeks, in the app shape', async () => {
    expect(output.join('')).toMatch(/run-summaries-.*finished/);
    const client = clientOf('normal');
    const rows = await sql<
      { summary_type: string; summary_date: string; dow: number; data_source: string }[]
    >`
      select summary_type, to_char(summary_date, 'YYYY-MM-DD') as summary_date,
             extract(isodow from summary_date)::int as dow, data_source
      from campaign_summaries where client_id = ${client.id} and platform = 'meta'
      order by summary_type, summary_date desc`;
    const today = localDate(client.timezone);
    const monthly = rows.filter((r) => r.summary_type === 'monthly');
    const weekly = rows.filter((r) => r.summary_type === 'weekly');
    expect(monthly).toHaveLength(3);
    expect(weekly).toHaveLength(4);
    // Closed periods only: the last month before today's, the last Monday-to-Sunday week before today's.
    expect(monthly[0]!.summary_date < `${today.slice(0, 7)}-01`).toBe(true);
    expect(weekly.every((w) => w.dow === 1)).toBe(true);
    expect(rows.every((r) => r.data_source === 'meta_api')).toBe(true);
    for (const summary of outcome.summaries.filter((s) => s.client.role !== 'unassigned')) {
      expect(summary.jobs.summaries.state, summary.client.name).toBe('completed');
    }
  });

  it('the token appears in no log line, job, or database row', async () => {
    const token = demo.env.META_ACCESS_TOKEN!;
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(token);
    const dump = await sql`select string_agg(t::text, E'\n') as text from (
      select c::text as t from clients c union all select v::text from meta_ad_account_validations v
      union all select m::text from current_month_cache m union all select w::text from current_week_cache w
      union all select s::text from meta_sync_state s union all select k::text from meta_token_state k
      union all select cs::text from campaign_summaries cs union all select ch::text from meta_summary_changes ch) x`;
    expect(String(dump[0]?.text)).not.toContain(token);
  });
});
