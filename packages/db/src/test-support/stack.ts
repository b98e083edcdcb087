/**
 * Test helpers: a local Postgres + PostgREST (packages/local-stack), migrated, with PostgREST serving the
 * new tables. Imported by test files only.
 */

import { type LocalStack, startLocalStack } from '@meta-engine/local-stack';
import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { migrate } from '../migrate.ts';

export type { LocalStack };

export async function startStack(options: { postgrest?: boolean } = {}): Promise<LocalStack> {
  return startLocalStack({ redis: false, postgrest: options.postgrest ?? true });
}

/** Runs SQL as the superuser (simple protocol: several statements allowed). */
export async function sqlAdmin<T>(databaseUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Polls until PostgREST answers a select on `table` without error (its schema cache has reloaded). */
export async function waitForTable(stack: LocalStack, table: string, timeoutMs = 10_000): Promise<void> {
  const client = createClient(stack.supabaseUrl, stack.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const { error } = await client.from(table).select('*', { head: true }).limit(1);
    if (!error) return;
    last = `${error.code}: ${error.message}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PostgREST does not serve ${table} after ${timeoutMs} ms (${last})`);
}

/** Migrates the stack's database and waits until PostgREST serves this system's tables. */
export async function migrateAndWait(stack: LocalStack): Promise<void> {
  await migrate(stack.databaseUrl);
  for (const table of [
    'clients',
    'meta_campaign_insights',
    'meta_ad_account_validations',
    'meta_token_state',
  ]) {
    await waitForTable(stack, table);
  }
}

/** A profile to own test clients; returns its id. */
export async function createAdmin(sql: postgres.Sql, email = 'admin@example.test'): Promise<string> {
  const [row] = await sql<
    { id: string }[]
  >`insert into profiles (email, role) values (${email}, 'admin') returning id`;
  return row!.id;
}
