/**
 * Acceptance (issue 12.1): nothing is written for an ad account the client no longer has. Real Redis,
 * Postgres and PostgREST, the worker app in-process, the Meta sandbox.
 *
 * - a refresh job whose client moved to another ad account between Meta's answer and the write writes no
 *   cache row (the previous row stays), completes as `superseded`, and notes it in the sync state; the next
 *   job serves the new account;
 * - a validate job pushed with a (client, account) pair that does not match the client row records no
 *   validation (no history row under the foreign account);
 * - a collect job whose client moved mid-job writes no campaign or daily rows; the next collection of the
 *   new account starts from its backfill, not from the old account's high-water date;
 * - a paused client's job writes nothing either.
 */
import { DEFAULT_ACCOUNT_IDS } from '@meta-engine/meta-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.ts';

const [ACCOUNT_A, ACCOUNT_B] = DEFAULT_ACCOUNT_IDS as [string, string, string];
const START = '2026-07-20T10:00:00Z';

describe('worker: a job whose client changed while it waited writes nothing (superseded)', () => {
  let h: WorkerHarness;
  /** Run once, on the first insights answer of the account it names (set per test). */
  let onFirstInsights: { account: string; run: () => Promise<void> } | null = null;

  beforeAll(async () => {
    h = await startWorkerHarness({ sandbox: { startTime: START, seed: 12 } });
    await h.startApp({
      settings: { backfillDays: 30 },
      onResponse: async (event) => {
        const hook = onFirstInsights;
        if (hook && event.adAccountId === hook.account && event.path.endsWith('/insights')) {
          onFirstInsights = null;
          await hook.run();
        }
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const moveClient = (clientId: string, adAccountId: string) =>
    h.sql`update public.clients set ad_account_id = ${adAccountId} where id = ${clientId}`;

  async function validated(clientId: string, adAccountId: string, runId: string) {
    const job = await h.addJob('validate', { clientId, adAccountId, runId });
    const [done] = await h.waitForJobs('validate', [job.id!], { states: ['completed'] });
    return done!;
  }

  it('refresh-cache: the client moved between Meta and the write: no cache row written, superseded', async () => {
    const client = await h.seedClient({ name: 'Moving Hotel', adAccountId: ACCOUNT_A, apiStatus: 'valid' });
    await validated(client, ACCOUNT_A, 'v1');
    const first = await h.addJob('refresh-cache', { clientId: client, adAccountId: ACCOUNT_A, runId: 'r1' });
    await h.waitForJobs('refresh-cache', [first.id!], { states: ['completed'] });
    const [before] = await h.sql<{ cache_data: Record<string, unknown>; last_updated: Date }[]>`
      select cache_data, last_updated from public.current_month_cache where client_id = ${client}`;
    expect((before!.cache_data.client as { adAccountId: string }).adAccountId).toBe(ACCOUNT_A);

    onFirstInsights = {
      account: ACCOUNT_A,
      run: async () => void (await moveClient(client, `act_${ACCOUNT_B}`)),
    };
    const stale = await h.addJob('refresh-cache', { clientId: client, adAccountId: ACCOUNT_A, runId: 'r2' });
    const [done] = await h.waitForJobs('refresh-cache', [stale.id!]);
    expect(await done!.getState()).toBe('completed');
    expect(done!.attemptsMade).toBe(1);
    expect(done!.failedReason).toBeFalsy();
    expect(done!.returnvalue).toMatchObject({
      outcome: 'superseded',
      reason: 'account_changed',
      adAccountId: ACCOUNT_A,
      currentAdAccountId: `act_${ACCOUNT_B}`,
    });
    const [after] = await h.sql<{ cache_data: Record<string, unknown>; last_updated: Date }[]>`
      select cache_data, last_updated from public.current_month_cache where client_id = ${client}`;
    expect(after!.last_updated.getTime()).toBe(before!.last_updated.getTime());
    expect(after!.cache_data).toEqual(before!.cache_data);
    const state = await h.repo.getSyncState(client, 'refresh-cache');
    expect(state?.lastSuperseded).toMatchObject({
      reason: 'account_changed',
      runId: 'r2',
      adAccountId: ACCOUNT_A,
    });
    expect(state?.lastRunId).toBe('r1');
    expect(h.logs.some((line) => line.includes('"outcome":"superseded"'))).toBe(true);

    // The next job serves the client's current account.
    const next = await h.addJob('refresh-cache', { clientId: client, adAccountId: ACCOUNT_B, runId: 'r3' });
    const [served] = await h.waitForJobs('refresh-cache', [next.id!], { states: ['completed'] });
    expect(served!.returnvalue).not.toHaveProperty('outcome');
    const [now] = await h.sql<{ cache_data: Record<string, unknown> }[]>`
      select cache_data from public.current_month_cache where client_id = ${client}`;
    expect((now!.cache_data.client as { adAccountId: string }).adAccountId).toBe(ACCOUNT_B);
  });

  it('validate: a job pushed with a pair that does not match the client row records no validation', async () => {
    const client = await h.seedClient({ name: 'Not that account', adAccountId: ACCOUNT_A });
    const job = await h.addJob('validate', { clientId: client, adAccountId: ACCOUNT_B, runId: 'v-foreign' });
    const [done] = await h.waitForJobs('validate', [job.id!]);
    expect(await done!.getState()).toBe('completed');
    expect(done!.returnvalue).toMatchObject({ outcome: 'superseded', reason: 'account_changed' });
    const rows =
      await h.sql`select ad_account_id from public.meta_ad_account_validations where client_id = ${client}`;
    expect(rows).toHaveLength(0);
    const [row] = await h.sql<{ api_status: string; token_health_status: string }[]>`
      select api_status::text, token_health_status from public.clients where id = ${client}`;
    expect(row).toEqual({ api_status: 'pending', token_health_status: 'unknown' });
    // The right pair is recorded, with the validate task's success in the same write.
    await validated(client, ACCOUNT_A, 'v-own');
    expect(
      (
        await h.sql`select ad_account_id from public.meta_ad_account_validations where client_id = ${client}`
      ).map((r) => r.ad_account_id),
    ).toEqual([ACCOUNT_A]);
    expect(await h.repo.getSyncState(client, 'validate')).toMatchObject({
      lastRunId: 'v-own',
      adAccountId: ACCOUNT_A,
    });
  });

  it('collect-insights: the client moved mid-job: no rows; the new account starts from its own backfill', async () => {
    const client = await h.seedClient({ name: 'Collector', adAccountId: ACCOUNT_A, apiStatus: 'valid' });
    await validated(client, ACCOUNT_A, 'v1');
    const first = await h.addJob('collect-insights', {
      clientId: client,
      adAccountId: ACCOUNT_A,
      runId: 'c1',
    });
    const [collected] = await h.waitForJobs('collect-insights', [first.id!], { states: ['completed'] });
    const firstRange = collected!.returnvalue as { since: string; until: string; rows: number };
    expect(firstRange.rows).toBeGreaterThan(0);
    const count = async () =>
      (
        await h.sql<{ n: number }[]>`
          select (select count(*) from public.meta_campaign_insights where client_id = ${client})::int
               + (select count(*) from public.daily_kpi_data where client_id = ${client})::int as n`
      )[0]!.n;
    const rowsBefore = await count();

    // A restated day would change the numbers: the stale job must not bring the old account's into the rows.
    onFirstInsights = { account: ACCOUNT_A, run: async () => void (await moveClient(client, ACCOUNT_B)) };
    const stale = await h.addJob('collect-insights', {
      clientId: client,
      adAccountId: ACCOUNT_A,
      runId: 'c2',
      since: '2026-07-01',
      until: '2026-07-10',
    });
    const [done] = await h.waitForJobs('collect-insights', [stale.id!]);
    expect(await done!.getState()).toBe('completed');
    expect(done!.returnvalue).toMatchObject({ outcome: 'superseded', currentAdAccountId: ACCOUNT_B });
    const [lastCollected] = await h.sql<{ latest: Date }[]>`
      select max(collected_at) as latest from public.meta_campaign_insights where client_id = ${client}`;
    expect(await count()).toBe(rowsBefore);
    expect(lastCollected!.latest.getTime()).toBeLessThan(done!.processedOn!);

    // The new account's first collection is a backfill (its own high-water date is unknown).
    await validated(client, ACCOUNT_B, 'v2');
    const next = await h.addJob('collect-insights', {
      clientId: client,
      adAccountId: ACCOUNT_B,
      runId: 'c3',
    });
    const [served] = await h.waitForJobs('collect-insights', [next.id!], { states: ['completed'] });
    expect(served!.returnvalue).toMatchObject({ since: firstRange.since, until: firstRange.until });
    expect(await h.repo.getSyncState(client, 'collect-insights')).toMatchObject({
      adAccountId: ACCOUNT_B,
      highWaterDate: firstRange.until,
    });
  });

  it('a client paused by an operator while its job waited gets nothing written', async () => {
    const client = await h.seedClient({ name: 'Paused', adAccountId: ACCOUNT_A, apiStatus: 'valid' });
    await validated(client, ACCOUNT_A, 'v1');
    await h.repo.setClientPaused({ clientId: client, paused: true, reason: 'contract ended', by: 'ops' });
    const job = await h.addJob('refresh-cache', { clientId: client, adAccountId: ACCOUNT_A, runId: 'p1' });
    const [done] = await h.waitForJobs('refresh-cache', [job.id!]);
    expect(await done!.getState()).toBe('completed');
    expect(done!.returnvalue).toMatchObject({ outcome: 'superseded', reason: 'paused' });
    expect(await h.sql`select 1 from public.current_month_cache where client_id = ${client}`).toHaveLength(0);
  });
});
