import postgres from 'postgres';
import type { DemoClient } from './demo-world.ts';

const DEMO_ADMIN_ID = '00000000-0000-4000-8000-00000000a000';

/**
 * Inserts the demo clients the way the reporting app would have them (api_status 'valid', a bare numeric
 * ad account id, no tokens in the rows: the worker uses the shared token from its environment).
 * Idempotent: a second run updates the same rows.
 */
export async function seedDemoClients(databaseUrl: string, clients: readonly DemoClient[]): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`
      insert into public.profiles (id, email, role)
      values (${DEMO_ADMIN_ID}, 'agency-admin@example.com', 'admin')
      on conflict (id) do nothing`;
    for (const client of clients) {
      await sql`
        insert into public.clients (id, admin_id, name, email, ad_account_id, api_status)
        values (${client.id}, ${DEMO_ADMIN_ID}, ${client.name}, ${client.email}, ${client.adAccountId}, 'valid')
        on conflict (id) do update set name = excluded.name, ad_account_id = excluded.ad_account_id,
          api_status = 'valid'`;
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}
