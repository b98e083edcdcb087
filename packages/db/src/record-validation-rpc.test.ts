/**
 * Migration 0004: `meta_record_validations` records a check in one request, agrees with
 * `mapValidationOutcome` on every case, coalesces concurrent checks into one request, isolates a bad
 * record, and the repository falls back to the four-request path where the function is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbError } from './errors/db-error.ts';
import { API_STATUSES, type ApiStatus } from './repo/clients.ts';
import { RECORD_VALIDATIONS_RPC } from './repo/validations.ts';
import { createRepository, type Repository } from './repository.ts';
import { createAdmin, type LocalStack, migrateAndWait, sqlAdmin, startStack } from './test-support/stack.ts';
import { mapValidationOutcome, VALIDATION_OUTCOMES } from './validation-mapping.ts';

let stack: LocalStack;
let repo: Repository;
let adminId: string;

beforeAll(async () => {
  stack = await startStack();
  await migrateAndWait(stack);
  adminId = await sqlAdmin(stack.databaseUrl, (sql) => createAdmin(sql));
  repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
});

afterAll(async () => {
  await stack?.stop();
});

const PREVIOUS = ['none', 'ours-standing', 'ours-overridden', 'not-ours'] as const;

interface Case {
  id: string;
  outcome: (typeof VALIDATION_OUTCOMES)[number];
  status: ApiStatus;
  previous: (typeof PREVIOUS)[number];
}

/** One client per case, with its api_status and (optionally) an earlier history row. */
async function setUpCases(): Promise<Case[]> {
  const cases: Omit<Case, 'id'>[] = [];
  for (const outcome of VALIDATION_OUTCOMES)
    for (const status of API_STATUSES)
      for (const previous of PREVIOUS) cases.push({ outcome, status, previous });
  return sqlAdmin(stack.databaseUrl, async (sql) => {
    const out: Case[] = [];
    for (const [index, c] of cases.entries()) {
      const [row] = await sql<{ id: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id, api_status)
        values (${adminId}, ${`case ${index}`}, ${`case-${index}@example.test`}, '777', ${c.status}::api_status)
        returning id`;
      const id = row!.id;
      if (c.previous !== 'none') {
        const after =
          c.previous === 'ours-overridden' ? (c.status === 'valid' ? 'invalid' : 'valid') : c.status;
        await sql`
          insert into meta_ad_account_validations
            (client_id, ad_account_id, checked_at, outcome, api_status_after, excluded_by_validation)
          values (${id}, '777', '2026-06-01T00:00:00Z', 'no_access', ${after}, ${c.previous !== 'not-ours'})`;
      }
      out.push({ ...c, id });
    }
    return out;
  });
}

describe('meta_record_validations', () => {
  it('agrees with mapValidationOutcome on every outcome x api_status x previous row (96 cases, concurrently)', async () => {
    const cases = await setUpCases();
    expect(cases).toHaveLength(96);
    const results = await Promise.all(
      cases.map((c) =>
        repo.recordValidation({
          clientId: c.id,
          adAccountId: 'act_777',
          outcome: c.outcome,
          checkedAt: '2026-07-01T00:00:00Z',
          tokenFingerprint: 'fp0123456789abcd',
        }),
      ),
    );
    const rows = await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql<{ id: string; api_status: string; token_health_status: string | null }[]>`
        select id, api_status::text, token_health_status from clients where id in ${sql(cases.map((c) => c.id))}`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [index, c] of cases.entries()) {
      const after =
        c.previous === 'ours-overridden' ? (c.status === 'valid' ? 'invalid' : 'valid') : c.status;
      const expected = mapValidationOutcome({
        outcome: c.outcome,
        currentApiStatus: c.status,
        previous:
          c.previous === 'none'
            ? null
            : { excludedByValidation: c.previous !== 'not-ours', apiStatusAfter: after },
      });
      const label = `${c.outcome} / ${c.status} / ${c.previous}`;
      expect({ label, ...results[index] }).toMatchObject({
        label,
        ...expected,
        previousApiStatus: c.status,
        clientId: c.id,
        checkedAt: '2026-07-01T00:00:00.000Z',
      });
      expect({ label, api_status: byId.get(c.id)?.api_status }).toEqual({
        label,
        api_status: expected.apiStatus,
      });
    }
    const history = await repo.listValidations(cases[0]!.id);
    expect(history[0]).toMatchObject({ outcome: cases[0]!.outcome, token_fingerprint: 'fp0123456789abcd' });
  });

  it('records 40 concurrent checks in one request', async () => {
    const ids = await sqlAdmin(stack.databaseUrl, async (sql) => {
      const rows = await sql<{ id: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id, api_status)
        select ${adminId}, 'batch ' || n, 'batch-' || n || '@example.test', '888', 'valid'
        from generate_series(1, 40) n returning id`;
      return rows.map((r) => r.id);
    });
    const urls: string[] = [];
    const counted = createRepository({
      supabaseUrl: stack.supabaseUrl,
      serviceRoleKey: stack.serviceRoleKey,
      fetch: (input, init) => {
        urls.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    await Promise.all(
      ids.map((clientId) => counted.recordValidation({ clientId, adAccountId: '888', outcome: 'active' })),
    );
    expect(urls).toHaveLength(1);
    expect(urls[0]).toContain(`/rpc/${RECORD_VALIDATIONS_RPC}`);
    const [count] = await sqlAdmin(
      stack.databaseUrl,
      (sql) =>
        sql<
          { n: number }[]
        >`select count(*)::int as n from meta_ad_account_validations where ad_account_id = '888'`,
    );
    expect(count?.n).toBe(40);
  });

  it('a bad record in a batch fails alone; an unknown client is a DbError NOT_FOUND', async () => {
    const [good] = await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql<{ id: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id, api_status)
        values (${adminId}, 'good', 'good@example.test', '999', 'valid') returning id`,
    );
    const results = await Promise.allSettled([
      repo.recordValidation({ clientId: good!.id, adAccountId: '999', outcome: 'active' }),
      // The history's CHECK refuses anything that looks like a token.
      repo.recordValidation({
        clientId: good!.id,
        adAccountId: '999',
        outcome: 'active',
        tokenFingerprint: 'EAAnotAFingerprint',
      }),
      repo.recordValidation({
        clientId: '00000000-0000-4000-8000-00000000dead',
        adAccountId: '1',
        outcome: 'active',
      }),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { apiStatus: 'valid' } });
    expect(results[1].status).toBe('rejected');
    expect(isDbError((results[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(results[2]).toMatchObject({
      status: 'rejected',
      reason: { name: 'DbError', table: 'clients', code: 'NOT_FOUND' },
    });
  });

  it('without the function (a database not migrated to 0004) the four-request path gives the same result', async () => {
    await sqlAdmin(stack.databaseUrl, async (sql) => {
      await sql`drop function public.meta_record_validations(jsonb)`;
      await sql`notify pgrst, 'reload schema'`;
    });
    const [client] = await sqlAdmin(
      stack.databaseUrl,
      (sql) => sql<{ id: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id, api_status)
        values (${adminId}, 'legacy', 'legacy@example.test', '555', 'pending') returning id`,
    );
    const fresh = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
    const result = await fresh.recordValidation({
      clientId: client!.id,
      adAccountId: '555',
      outcome: 'no_access',
    });
    expect(result).toMatchObject({
      apiStatus: 'invalid',
      tokenHealthStatus: 'invalid',
      previousApiStatus: 'pending',
    });
    const history = await fresh.listValidations(client!.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      outcome: 'no_access',
      excluded_by_validation: true,
      api_status_after: 'invalid',
    });
  });
});
