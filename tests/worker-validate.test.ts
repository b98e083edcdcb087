/**
 * Acceptance (issue 6): validate. Clients with an active, a disabled, an unassigned and a malformed ad
 * account end with the documented rows (history + clients columns); the malformed one fails clearly
 * without touching the others; debug_token is recorded once per run in the token state. A payload with
 * a value of the wrong type fails naming the field, what was expected and what came.
 */
import { DEFAULT_ACCOUNT_IDS } from '@meta-engine/meta-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.ts';

const [ACTIVE, UNASSIGNED, DISABLED] = DEFAULT_ACCOUNT_IDS;
const RUN_ID = 'run-validate-1';

interface ClientRow {
  api_status: string;
  token_health_status: string | null;
  last_token_validation: Date | null;
}

describe('worker: validate', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    // The token may read the active and the disabled account; the second default account is not assigned.
    h = await startWorkerHarness({ tokenAccounts: [ACTIVE, DISABLED] });
    await h.startApp();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('records active, account_inactive and no_access, and fails the malformed id without touching the others', async () => {
    const clients = {
      active: await h.seedClient({ name: 'Active Hotel', adAccountId: ACTIVE }),
      disabled: await h.seedClient({ name: 'Disabled Hotel', adAccountId: `act_${DISABLED}` }),
      unassigned: await h.seedClient({
        name: 'Unassigned Hotel',
        adAccountId: UNASSIGNED,
        apiStatus: 'valid',
      }),
      malformed: await h.seedClient({ name: 'Malformed Hotel', adAccountId: 'act_12ab' }),
    };
    const accountOf = {
      active: ACTIVE,
      disabled: `act_${DISABLED}`,
      unassigned: UNASSIGNED,
      malformed: 'act_12ab',
    };
    const jobs = await Promise.all(
      (Object.keys(clients) as Array<keyof typeof clients>).map((key) =>
        h.addJob('validate', { clientId: clients[key], adAccountId: accountOf[key], runId: RUN_ID }),
      ),
    );
    const done = await h.waitForJobs(
      'validate',
      jobs.map((job) => job.id!),
    );
    const byClient = new Map(done.map((job) => [job.data.clientId as string, job]));

    // Job outcomes: account answers complete; no access and a malformed id fail without retries.
    expect(byClient.get(clients.active)?.returnvalue).toMatchObject({ outcome: 'active', accountStatus: 1 });
    expect(byClient.get(clients.disabled)?.returnvalue).toMatchObject({
      outcome: 'account_inactive',
      accountStatus: 2,
    });
    const unassignedJob = byClient.get(clients.unassigned)!;
    expect(await unassignedJob.getState()).toBe('failed');
    expect(unassignedJob.failedReason).toMatch(/^account_fatal 100\/33: /);
    expect(unassignedJob.attemptsMade).toBe(1);
    const malformedJob = byClient.get(clients.malformed)!;
    expect(await malformedJob.getState()).toBe('failed');
    expect(malformedJob.failedReason).toMatch(/^invalid_ad_account_id: Invalid ad account id "act_12ab"/);
    expect(malformedJob.attemptsMade).toBe(1);

    // History rows.
    const history = await h.sql<Record<string, unknown>[]>`
      select client_id, ad_account_id, outcome, account_status, disable_reason, account_name, currency,
             timezone_name, error_code, error_subcode, token_fingerprint, api_status_before, api_status_after,
             token_health_status_after, excluded_by_validation, run_id
      from meta_ad_account_validations order by checked_at`;
    const rowOf = (clientId: string) => history.filter((row) => row.client_id === clientId);
    expect(rowOf(clients.active)).toEqual([
      expect.objectContaining({
        ad_account_id: ACTIVE,
        outcome: 'active',
        account_status: 1,
        disable_reason: 0,
        account_name: 'Sandbox Hotel Warszawa',
        currency: 'PLN',
        timezone_name: 'Europe/Warsaw',
        token_fingerprint: h.fingerprint(),
        api_status_before: 'pending',
        api_status_after: 'valid',
        token_health_status_after: 'valid',
        excluded_by_validation: false,
        run_id: RUN_ID,
      }),
    ]);
    expect(rowOf(clients.disabled)).toEqual([
      expect.objectContaining({
        ad_account_id: DISABLED,
        outcome: 'account_inactive',
        account_status: 2,
        disable_reason: 3,
        timezone_name: 'America/New_York',
        api_status_after: 'valid',
        token_health_status_after: 'valid',
      }),
    ]);
    expect(rowOf(clients.unassigned)).toEqual([
      expect.objectContaining({
        ad_account_id: UNASSIGNED,
        outcome: 'no_access',
        account_status: null,
        error_code: 100,
        error_subcode: 33,
        api_status_before: 'valid',
        api_status_after: 'invalid',
        token_health_status_after: 'invalid',
        excluded_by_validation: true,
      }),
    ]);
    expect(rowOf(clients.malformed)).toEqual([]);
    expect(history.every((row) => row.token_fingerprint === h.fingerprint())).toBe(true);

    // Client columns.
    const clientRow = async (id: string) =>
      (
        await h.sql<
          ClientRow[]
        >`select api_status, token_health_status, last_token_validation from clients where id = ${id}`
      )[0]!;
    expect(await clientRow(clients.active)).toMatchObject({
      api_status: 'valid',
      token_health_status: 'valid',
    });
    expect((await clientRow(clients.active)).last_token_validation).toBeInstanceOf(Date);
    expect(await clientRow(clients.disabled)).toMatchObject({
      api_status: 'valid',
      token_health_status: 'valid',
    });
    expect(await clientRow(clients.unassigned)).toMatchObject({
      api_status: 'invalid',
      token_health_status: 'invalid',
    });
    // The malformed client is untouched: still pending, never validated.
    expect(await clientRow(clients.malformed)).toMatchObject({
      api_status: 'pending',
      token_health_status: 'unknown',
      last_token_validation: null,
    });

    // Sync state: success for the answered accounts, the failure (category, code) for the others.
    const sync = await h.sql<
      {
        client_id: string;
        last_success_at: Date | null;
        last_error: { category: string; code: number | null } | null;
      }[]
    >`
      select client_id, last_success_at, last_error from meta_sync_state where task = 'validate'`;
    const syncOf = (id: string) => sync.find((row) => row.client_id === id);
    expect(syncOf(clients.active)?.last_success_at).toBeInstanceOf(Date);
    expect(syncOf(clients.unassigned)?.last_error).toMatchObject({ category: 'account_fatal', code: 100 });
    expect(syncOf(clients.malformed)?.last_error).toMatchObject({ category: 'invalid_ad_account_id' });

    // debug_token once for the run: type, expiry, scopes.
    const tokenRows = await h.sql<
      { fingerprint: string; status: string; debug_token: Record<string, unknown> }[]
    >`
      select fingerprint, status, debug_token from meta_token_state`;
    expect(tokenRows).toEqual([
      expect.objectContaining({
        fingerprint: h.fingerprint(),
        status: 'ok',
        debug_token: expect.objectContaining({
          type: 'SYSTEM_USER',
          is_valid: true,
          expires_at: 0,
          scopes: expect.arrayContaining(['ads_read']),
          missing_scopes: [],
        }),
      }),
    ]);
    expect(h.metaEvents.filter((event) => event.path.endsWith('/debug_token'))).toHaveLength(1);
    // One account read per answered job (the malformed id never reaches Meta).
    expect(h.metaEvents.filter((event) => /\/act_\d+$/.test(event.path))).toHaveLength(3);
  });

  it('a payload with a numeric adAccountId fails saying what is wrong, not "required" (issue 12.7)', async () => {
    const clientId = await h.seedClient({ adAccountId: ACTIVE });
    const job = await h.addJob('validate', { clientId, adAccountId: Number(ACTIVE), runId: 'numeric' });
    const [done] = await h.waitForJobs('validate', [job.id!]);
    expect(await done!.getState()).toBe('failed');
    expect(done!.failedReason).toBe(
      'invalid validate job data: adAccountId: expected a string, got a number',
    );
    expect(done!.attemptsMade).toBe(1);
  });
});
