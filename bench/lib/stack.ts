/**
 * @module stack
 * Redis, Postgres and PostgREST for one benchmark (packages/local-stack, always private instances: the
 * environment's SUPABASE_URL / DATABASE_URL are never used, so a benchmark cannot write 10,000 fake clients
 * into a real project), migrated, with clients seeded in bulk.
 */
import { migrate } from '@meta-engine/db';
import { type LocalStack, startLocalStack } from '@meta-engine/local-stack';
import postgres from 'postgres';

export type { LocalStack };

const ADMIN_ID = '00000000-0000-4000-8000-0000000be7c0';

export interface BenchStack extends LocalStack {
  sql: postgres.Sql;
}

export async function startBenchStack(): Promise<BenchStack> {
  const stack = await startLocalStack({ env: {} });
  try {
    await migrate(stack.databaseUrl);
    const sql = postgres(stack.databaseUrl, { max: 2, onnotice: () => {} });
    await waitForPostgrest(stack);
    return {
      ...stack,
      sql,
      stop: async () => {
        await sql.end({ timeout: 1 }).catch(() => {});
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop().catch(() => {});
    throw error;
  }
}

/**
 * PostgREST reloads its schema cache after `migrate`'s NOTIFY; wait until it serves our tables and the last
 * migrations' functions (the tables can be served a moment before the functions are: a guarded write sent
 * then is answered PGRST202). The guarded write names a client that does not exist: it writes nothing.
 */
async function waitForPostgrest(stack: LocalStack): Promise<void> {
  const deadline = Date.now() + 15_000;
  const headers = {
    apikey: stack.serviceRoleKey,
    authorization: `Bearer ${stack.serviceRoleKey}`,
    'content-type': 'application/json',
  };
  const probes: Array<[string, RequestInit]> = [
    ...['clients', 'meta_ad_account_validations', 'meta_sync_state'].map((table): [string, RequestInit] => [
      `${table}?select=*&limit=1`,
      { headers },
    ]),
    [
      'rpc/meta_guarded_write',
      {
        method: 'POST',
        headers,
        body: JSON.stringify({
          p_client: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
          p_account: '1',
          p_task: 'validate',
          p_run_id: 'bench-stack-ready',
          p_writes: {},
        }),
      },
    ],
  ];
  for (const [path, init] of probes) {
    for (;;) {
      const res = await fetch(`${stack.supabaseUrl}/rest/v1/${path}`, init);
      await res.body?.cancel();
      if (res.ok) break;
      if (Date.now() > deadline) throw new Error(`PostgREST does not serve ${path.split('?')[0]}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Client uuid number `n` (stable, sorted like n). */
export function clientIdFor(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** Inserts `adAccountIds.length` clients (api_status 'valid'), client n owning ad account n. */
export async function seedClients(sql: postgres.Sql, adAccountIds: readonly string[]): Promise<string[]> {
  await sql`insert into public.profiles (id, email, role) values (${ADMIN_ID}, 'bench-admin@example.com', 'admin')
    on conflict (id) do nothing`;
  const ids = adAccountIds.map((_, index) => clientIdFor(index + 1));
  for (let start = 0; start < ids.length; start += 5000) {
    const chunk = ids.slice(start, start + 5000);
    const accounts = adAccountIds.slice(start, start + 5000);
    await sql`
      insert into public.clients (id, admin_id, name, email, ad_account_id, api_status)
      select id, ${ADMIN_ID}, 'Bench Hotel ' || (n + ${start}), 'bench-' || (n + ${start}) || '@example.com',
        account, 'valid'
      from unnest(${sql.array(chunk)}::uuid[], ${sql.array(accounts)}::text[]) with ordinality as t(id, account, n)
      on conflict (id) do nothing`;
  }
  return ids;
}
