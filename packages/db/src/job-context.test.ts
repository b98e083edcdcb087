/**
 * `getJobContext` on real Postgres through PostgREST: one request answers what the separate reads answer
 * (client, conversion mappings, latest validations, one task's sync state, the Meta daily KPI rows of a
 * range), and a schema without the app's `client_dashboard_config` falls back to the separate reads
 * (issue 17).
 */

import { type LocalStack, startLocalStack } from '@meta-engine/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvalidRowError } from './errors/invalid-row-error.ts';
import { migrate } from './migrate.ts';
import { sumDailyKpiRows } from './repo/campaign-summaries.ts';
import { createRepository, type Repository } from './repository.ts';
import { createAdmin, sqlAdmin } from './test-support/stack.ts';

let stack: LocalStack;
let adminId: string;
let seq = 0;

beforeAll(async () => {
  stack = await startLocalStack({ redis: false, prepareDatabase: async (url) => void (await migrate(url)) });
  adminId = await sqlAdmin(stack.databaseUrl, (sql) => createAdmin(sql));
});

afterAll(async () => {
  await stack?.stop();
});

/** A repository whose PostgREST requests are counted. */
function countingRepo(): { repo: Repository; requests: () => number } {
  let requests = 0;
  const repo = createRepository({
    supabaseUrl: stack.supabaseUrl,
    serviceRoleKey: stack.serviceRoleKey,
    fetch: (input, init) => {
      requests++;
      return fetch(input, init);
    },
  });
  return { repo, requests: () => requests };
}

async function newClient(mappings?: Record<string, unknown>): Promise<string> {
  seq++;
  return sqlAdmin(stack.databaseUrl, async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into clients (admin_id, name, email, ad_account_id, api_status)
      values (${adminId}, ${`context ${seq}`}, ${`context-${seq}@example.test`}, ${`act_${700 + seq}`}, 'valid')
      returning id`;
    if (mappings) {
      await sql`insert into client_dashboard_config (client_id, conversion_mappings)
        values (${row!.id}, ${sql.json(mappings as never)})`;
    }
    return row!.id;
  });
}

async function validate(repo: Repository, clientId: string, adAccountId: string, times: number) {
  for (let n = 0; n < times; n++) {
    await repo.recordValidation({
      clientId,
      adAccountId,
      outcome: 'active',
      checkedAt: new Date(Date.UTC(2026, 6, 1 + n)),
      accountStatus: 1,
      timezoneName: 'Europe/Warsaw',
      currency: 'PLN',
      accountName: `account ${n}`,
    });
  }
}

describe('getJobContext', () => {
  it('answers in one request what the separate reads answer', async () => {
    const mappings = { meta: { reservations: ['omni_purchase'] } };
    const clientId = await newClient(mappings);
    const { repo, requests } = countingRepo();
    const adAccountId = String(700 + seq);
    await validate(repo, clientId, adAccountId, 7);
    await repo.recordSyncSuccess({
      clientId,
      task: 'collect-insights',
      highWaterDate: '2026-07-19',
      runId: 'r1',
    });
    await repo.recordSyncSuccess({ clientId, task: 'refresh-cache', runId: 'r2' });

    const before = requests();
    const context = await repo.getJobContext(clientId, { validations: 5, syncTask: 'collect-insights' });
    expect(requests() - before).toBe(1);

    expect(context.client).toEqual(await repo.getClient(clientId));
    expect(context.client).toMatchObject({ id: clientId, adAccountId });
    expect(context.conversionMappings).toEqual(mappings);
    expect(context.validations).toEqual(await repo.listValidations(clientId, 5));
    expect(context.validations.map((row) => row.account_name)).toEqual([
      'account 6',
      'account 5',
      'account 4',
      'account 3',
      'account 2',
    ]);
    expect(context.syncState).toEqual(await repo.getSyncState(clientId, 'collect-insights'));
    expect(context.syncState).toMatchObject({ task: 'collect-insights', highWaterDate: '2026-07-19' });

    // Without a task: no sync state; a task never run: null.
    expect((await repo.getJobContext(clientId)).syncState).toBeNull();
    expect((await repo.getJobContext(clientId)).dailyKpiRows).toEqual([]);
    expect((await repo.getJobContext(clientId, { syncTask: 'summaries' })).syncState).toBeNull();
  });

  it("answers the Meta daily KPI rows of a range, whose sums are sumDailyKpi's", async () => {
    const clientId = await newClient();
    const { repo, requests } = countingRepo();
    const day = (n: number) => `2026-07-${String(n).padStart(2, '0')}`;
    await repo.upsertDailyKpi(
      [1, 2, 15, 31].map((n) => ({
        clientId,
        date: day(n),
        totalSpend: n + 0.25,
        totalImpressions: 100 * n,
        totalClicks: n,
        totalConversions: 1,
        reservations: 1,
        reservationValue: 10.5,
        clickToCall: n % 2,
      })),
    );
    // Another source's row inside the range, and a Meta row after it: neither counts.
    await sqlAdmin(stack.databaseUrl, async (sql) => {
      await sql`insert into daily_kpi_data (client_id, date, total_spend, data_source)
        values (${clientId}, ${day(20)}, 999, 'google_ads_api')`;
      await sql`insert into daily_kpi_data (client_id, date, total_spend, data_source)
        values (${clientId}, '2026-08-01', 999, 'meta_api')`;
    });

    const before = requests();
    const context = await repo.getJobContext(clientId, { dailyKpi: { since: day(1), until: day(31) } });
    expect(requests() - before).toBe(1);
    expect(context.dailyKpiRows.map((row) => row.date).sort()).toEqual([day(1), day(2), day(15), day(31)]);
    for (const [since, until] of [
      [day(1), day(31)],
      [day(2), day(15)],
      [day(3), day(14)],
    ] as const) {
      expect(sumDailyKpiRows(context.dailyKpiRows, since, until)).toEqual(
        await repo.sumDailyKpi({ clientId, since, until }),
      );
    }
    expect(sumDailyKpiRows(context.dailyKpiRows, day(1), day(31))).toMatchObject({
      days: 4,
      total_spend: 50,
      total_impressions: 4900,
      click_to_call: 3,
    });
    const bad = await repo
      .getJobContext(clientId, { dailyKpi: { since: '2026-7-1', until: day(31) } })
      .catch((caught: unknown) => caught);
    expect(isInvalidRowError(bad)).toBe(true);
  });

  it('answers a client without mappings, validations or state, and a deleted client, like the separate reads', async () => {
    const clientId = await newClient();
    const { repo } = countingRepo();
    expect(
      await repo.getJobContext(clientId, {
        syncTask: 'collect-insights',
        dailyKpi: { since: '2026-07-01', until: '2026-07-31' },
      }),
    ).toEqual({
      client: await repo.getClient(clientId),
      conversionMappings: null,
      validations: [],
      syncState: null,
      dailyKpiRows: [],
    });
    await sqlAdmin(stack.databaseUrl, (sql) => sql`delete from clients where id = ${clientId}`);
    expect(await repo.getJobContext(clientId)).toEqual({
      client: null,
      conversionMappings: null,
      validations: [],
      syncState: null,
      dailyKpiRows: [],
    });
    const error = await repo.getJobContext('not-a-uuid').catch((caught: unknown) => caught);
    expect(isInvalidRowError(error)).toBe(true);
  });

  it("falls back to the separate reads where the app's client_dashboard_config is missing", async () => {
    const clientId = await newClient({ meta: { reservations: ['omni_purchase'] } });
    const { repo, requests } = countingRepo();
    await validate(repo, clientId, String(700 + seq), 2);
    // Kept for the other tests of this file: they ran before (vitest runs a file's tests in order).
    await sqlAdmin(stack.databaseUrl, (sql) => sql`drop table client_dashboard_config`);

    await repo.upsertDailyKpi([
      {
        clientId,
        date: '2026-07-02',
        totalSpend: 5,
        totalImpressions: 50,
        totalClicks: 5,
        totalConversions: 0,
      },
    ]);
    const options = { syncTask: 'collect-insights', dailyKpi: { since: '2026-07-01', until: '2026-07-31' } };

    let before = requests();
    const context = await repo.getJobContext(clientId, options);
    expect(requests() - before).toBeGreaterThan(1);
    expect(context.conversionMappings).toBeNull();
    expect(context.client).toMatchObject({ id: clientId });
    expect(context.validations).toHaveLength(2);
    expect(context.syncState).toBeNull();
    expect(context.dailyKpiRows.map((row) => row.date)).toEqual(['2026-07-02']);

    // For a while after, the separate reads straight away: five, not the failing one first.
    before = requests();
    await repo.getJobContext(clientId, options);
    expect(requests() - before).toBe(5);
  });
});
