/**
 * The app's update_token_health_trigger (as the app had it) erases explicit writes; after migration 0003
 * it keeps them, and validation outcomes recorded through the repository stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { createRepository, type Repository } from './repository.ts';
import { APP_SCHEMA_SQL } from './test-support/app-schema.ts';
import { type LocalStack, sqlAdmin, startStack, waitForTable } from './test-support/stack.ts';

let stack: LocalStack;
let repo: Repository;
let adminId: string;

type ClientState = {
  token_health_status: string;
  api_status: string;
  last_token_validation: Date | null;
  token_expires_at: Date | null;
};

const readClient = (id: string) =>
  sqlAdmin(stack.databaseUrl, async (sql) => {
    const [row] = await sql<ClientState[]>`
      select token_health_status, api_status::text, last_token_validation, token_expires_at from clients where id = ${id}`;
    return row!;
  });

const insertClient = (name: string, apiStatus = 'valid') =>
  sqlAdmin(stack.databaseUrl, async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into clients (admin_id, name, email, ad_account_id, api_status)
      values (${adminId}, ${name}, ${`${name}@example.test`}, '123456', ${apiStatus}::api_status) returning id`;
    return row!.id;
  });

const exec = (query: string, params: (string | null)[] = []) =>
  sqlAdmin(stack.databaseUrl, (sql) => sql.unsafe(query, params));

beforeAll(async () => {
  stack = await startStack();
  await sqlAdmin(stack.databaseUrl, async (sql) => {
    await sql.unsafe(APP_SCHEMA_SQL);
    const [admin] = await sql<
      { id: string }[]
    >`insert into profiles (email, role) values ('admin@x.test', 'admin') returning id`;
    adminId = admin!.id;
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('before migrating: the app’s original trigger', () => {
  it('rewrites an explicit token_health_status = invalid on every update', async () => {
    const id = await insertClient('original');
    await exec(`update clients set token_health_status = 'invalid' where id = $1`, [id]);
    expect((await readClient(id)).token_health_status).toBe('valid');
  });
});

describe('after migrating', () => {
  beforeAll(async () => {
    await migrate(stack.databaseUrl);
    await waitForTable(stack, 'meta_ad_account_validations');
    repo = createRepository({ supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
  });

  it('keeps an explicit token_health_status = invalid and last_token_validation', async () => {
    const id = await insertClient('explicit');
    await exec(
      `update clients set token_health_status = 'invalid', last_token_validation = '2026-01-02T03:04:05Z' where id = $1`,
      [id],
    );
    await exec(`update clients set name = 'explicit renamed' where id = $1`, [id]);
    const state = await readClient(id);
    expect(state.token_health_status).toBe('invalid');
    expect(state.last_token_validation?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('still computes the status on INSERT, and on UPDATE when token_expires_at changes', async () => {
    const id = await insertClient('expiring');
    const inserted = await readClient(id);
    expect(inserted.token_health_status).toBe('valid');
    expect(inserted.last_token_validation).not.toBeNull();
    await exec(`update clients set token_expires_at = now() + interval '10 days' where id = $1`, [id]);
    expect((await readClient(id)).token_health_status).toBe('expiring_soon');
    await exec(`update clients set token_expires_at = now() - interval '1 day' where id = $1`, [id]);
    expect((await readClient(id)).token_health_status).toBe('expired');
    // Same statement writes both: the explicit status wins.
    await exec(`update clients set token_expires_at = null, token_health_status = 'invalid' where id = $1`, [
      id,
    ]);
    expect((await readClient(id)).token_health_status).toBe('invalid');
  });

  it('keeps what recordValidation writes', async () => {
    const id = await insertClient('validated');
    const checkedAt = '2026-07-20T10:00:00.000Z';
    const result = await repo.recordValidation({
      clientId: id,
      adAccountId: 'act_123456',
      outcome: 'no_access',
      checkedAt,
      error: { code: 200, subcode: null, message: 'Permissions error', fbtraceId: 'AbCdEf' },
      tokenFingerprint: 'fp0123456789abcd',
      runId: 'job-1',
    });
    expect(result).toMatchObject({
      tokenHealthStatus: 'invalid',
      apiStatus: 'invalid',
      previousApiStatus: 'valid',
    });
    await exec(`update clients set name = 'validated renamed' where id = $1`, [id]);
    const state = await readClient(id);
    expect(state).toMatchObject({ token_health_status: 'invalid', api_status: 'invalid' });
    expect(state.last_token_validation?.toISOString()).toBe(checkedAt);
  });
});

describe('recordValidation (mapping and history)', () => {
  it('excludes on no_access and re-includes when the account is reachable again', async () => {
    const id = await insertClient('roundtrip');
    const base = { clientId: id, adAccountId: '123456', tokenFingerprint: 'fp0123456789abcd' };
    await repo.recordValidation({
      ...base,
      outcome: 'no_access',
      checkedAt: '2026-07-01T00:00:00Z',
      error: { code: 10 },
    });
    await repo.recordValidation({
      ...base,
      outcome: 'check_failed',
      checkedAt: '2026-07-02T00:00:00Z',
      error: { code: 2 },
    });
    expect(await readClient(id)).toMatchObject({ api_status: 'invalid', token_health_status: 'invalid' });
    const back = await repo.recordValidation({
      ...base,
      outcome: 'account_inactive',
      accountStatus: 3,
      accountName: 'Hotel',
      currency: 'PLN',
      timezoneName: 'Europe/Warsaw',
      checkedAt: '2026-07-03T00:00:00Z',
    });
    expect(back).toMatchObject({
      apiStatus: 'valid',
      tokenHealthStatus: 'valid',
      previousApiStatus: 'invalid',
    });
    expect(await readClient(id)).toMatchObject({ api_status: 'valid', token_health_status: 'valid' });
    const history = await repo.listValidations(id);
    expect(
      history.map((h) => [h.outcome, h.api_status_before, h.api_status_after, h.excluded_by_validation]),
    ).toEqual([
      ['account_inactive', 'invalid', 'valid', false],
      ['check_failed', 'invalid', 'invalid', true],
      ['no_access', 'valid', 'invalid', true],
    ]);
    expect(history[0]).toMatchObject({ account_status: 3, currency: 'PLN', ad_account_id: '123456' });
    expect(JSON.stringify(history)).not.toMatch(/EAA/);
  });

  it('never re-includes a client excluded by somebody else', async () => {
    const id = await insertClient('manual', 'invalid');
    const result = await repo.recordValidation({ clientId: id, adAccountId: '123456', outcome: 'active' });
    expect(result.apiStatus).toBe('invalid');
    expect(await readClient(id)).toMatchObject({ api_status: 'invalid', token_health_status: 'valid' });
  });

  it('re-recording the same check is idempotent (one history row)', async () => {
    const id = await insertClient('twice');
    const record = {
      clientId: id,
      adAccountId: '123456',
      outcome: 'active' as const,
      checkedAt: '2026-07-05T00:00:00Z',
    };
    await repo.recordValidation(record);
    await repo.recordValidation(record);
    expect(await repo.listValidations(id)).toHaveLength(1);
  });

  it('a token failure marks the token health but leaves api_status alone', async () => {
    const id = await insertClient('token');
    await repo.recordValidation({
      clientId: id,
      adAccountId: '123456',
      outcome: 'token_expired',
      error: { code: 190, subcode: 463 },
    });
    expect(await readClient(id)).toMatchObject({ api_status: 'valid', token_health_status: 'expired' });
  });

  it('an unknown client is a DbError naming clients', async () => {
    await expect(
      repo.recordValidation({
        clientId: '00000000-0000-4000-8000-000000000001',
        adAccountId: '1',
        outcome: 'active',
      }),
    ).rejects.toMatchObject({ name: 'DbError', table: 'clients', code: 'NOT_FOUND' });
  });
});
