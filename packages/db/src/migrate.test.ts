import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMigrationError } from './errors/migration-error.ts';
import { loadMigrations, MIGRATIONS_DIR } from './load-migrations.ts';
import { MIGRATIONS_TABLE, migrate } from './migrate.ts';
import { APP_SCHEMA_SQL } from './test-support/app-schema.ts';
import { type LocalStack, sqlAdmin, startStack } from './test-support/stack.ts';

const ALL = loadMigrations().map((m) => m.name);
const APP_TABLES = [
  'clients',
  'current_month_cache',
  'current_week_cache',
  'daily_kpi_data',
  'campaign_summaries',
  'client_dashboard_config',
];
const OUR_TABLES = [
  'meta_campaign_insights',
  'meta_ad_account_validations',
  'meta_sync_state',
  'meta_token_state',
  'meta_client_controls',
];

let stack: LocalStack;
let counter = 0;

/** A fresh database on the stack's server (the Supabase roles are cluster-wide; grants per database). */
async function freshDatabase(): Promise<string> {
  const name = `migrate_test_${process.pid}_${++counter}`;
  await sqlAdmin(stack.databaseUrl, (sql) => sql.unsafe(`create database ${name}`));
  const url = new URL(stack.databaseUrl);
  url.pathname = `/${name}`;
  await sqlAdmin(url.href, (sql) =>
    sql.unsafe(`
      grant usage on schema public to anon, authenticated, service_role;
      create schema if not exists auth;
      create or replace function auth.uid() returns uuid language sql stable as
        $$ select nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', '')::uuid $$;
    `),
  );
  return url.href;
}

async function constraintNames(sql: postgres.Sql, table: string): Promise<string[]> {
  const rows = await sql<{ conname: string }[]>`
    select conname from pg_constraint where conrelid = ${`public.${table}`}::regclass order by conname`;
  return rows.map((r) => r.conname);
}

async function hasUniqueOn(sql: postgres.Sql, table: string, columns: string[]): Promise<boolean> {
  const rows = await sql<{ cols: string[] }[]>`
    select array_agg(a.attname::text order by a.attname::text) as cols
    from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
    where i.indrelid = ${`public.${table}`}::regclass and i.indisunique
    group by i.indexrelid`;
  const wanted = [...columns].sort().join(',');
  return rows.some((r) => r.cols.join(',') === wanted);
}

beforeAll(async () => {
  stack = await startStack({ postgrest: false });
});

afterAll(async () => {
  await stack?.stop();
});

describe('migrate on an empty database', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });

  it('applies every migration in order and records each with its checksum', async () => {
    const result = await migrate(url);
    expect(result).toEqual({ applied: ALL, skipped: [] });
    await sqlAdmin(url, async (sql) => {
      const recorded = await sql.unsafe<{ id: number; name: string; checksum: string }[]>(
        `select id, name, checksum from ${MIGRATIONS_TABLE} order by id`,
      );
      expect(recorded.map((r) => r.name)).toEqual(ALL);
      expect(recorded.map((r) => r.checksum)).toEqual(loadMigrations().map((m) => m.checksum));
    });
  });

  it('creates the app tables with their keys and checks, and this system’s tables with RLS', async () => {
    await sqlAdmin(url, async (sql) => {
      const tables = await sql<{ relname: string; relrowsecurity: boolean }[]>`
        select relname, relrowsecurity from pg_class
        where relnamespace = 'public'::regnamespace and relkind = 'r'`;
      const rls = new Map(tables.map((t) => [t.relname, t.relrowsecurity]));
      for (const table of [...APP_TABLES, ...OUR_TABLES]) expect(rls.get(table), table).toBe(true);

      expect(await constraintNames(sql, 'campaign_summaries')).toEqual(
        expect.arrayContaining(['campaign_summaries_unique_per_platform', 'weekly_must_be_monday']),
      );
      expect(await hasUniqueOn(sql, 'current_month_cache', ['client_id', 'period_id'])).toBe(true);
      expect(await hasUniqueOn(sql, 'current_week_cache', ['client_id', 'period_id'])).toBe(true);
      expect(await hasUniqueOn(sql, 'daily_kpi_data', ['client_id', 'date'])).toBe(true);
      expect(await hasUniqueOn(sql, 'client_dashboard_config', ['client_id'])).toBe(true);

      const [apiStatus] = await sql<{ column_default: string; is_nullable: string; udt_name: string }[]>`
        select column_default, is_nullable, udt_name from information_schema.columns
        where table_schema = 'public' and table_name = 'clients' and column_name = 'api_status'`;
      expect(apiStatus).toEqual({
        column_default: "'pending'::api_status",
        is_nullable: 'NO',
        udt_name: 'api_status',
      });
      const labels = await sql<{ enumlabel: string }[]>`
        select enumlabel from pg_enum where enumtypid = 'public.api_status'::regtype order by enumsortorder`;
      expect(labels.map((l) => l.enumlabel)).toEqual(['valid', 'invalid', 'expired', 'pending']);

      const [admin] = await sql<
        { id: string }[]
      >`insert into profiles (email, role) values ('a@b.c', 'admin') returning id`;
      const [client] = await sql<{ id: string; token_health_status: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id) values (${admin!.id}, 'C', 'c@d.e', '123')
        returning id, token_health_status`;
      expect(client!.token_health_status).toBe('unknown');
      await expect(
        sql`insert into campaign_summaries (client_id, summary_type, summary_date) values (${client!.id}, 'weekly', '2026-07-14')`,
      ).rejects.toThrow(/weekly_must_be_monday/);
    });
  });

  it('is a no-op on top of itself: nothing re-run', async () => {
    const before = await sqlAdmin(url, (sql) =>
      sql.unsafe<{ applied_at: Date }[]>(`select applied_at from ${MIGRATIONS_TABLE} order by id`),
    );
    const lines: string[] = [];
    const result = await migrate(url, { log: (line) => lines.push(line) });
    expect(result).toEqual({ applied: [], skipped: ALL });
    expect(lines.filter((l) => l.startsWith('applied'))).toEqual([]);
    const after = await sqlAdmin(url, (sql) =>
      sql.unsafe<{ applied_at: Date }[]>(`select applied_at from ${MIGRATIONS_TABLE} order by id`),
    );
    expect(after).toEqual(before);
  });

  it('each migration file is itself safe to re-run (Supabase CLI or by hand)', async () => {
    await sqlAdmin(url, async (sql) => {
      for (const migration of loadMigrations()) await sql.unsafe(migration.sql);
      for (const migration of loadMigrations()) await sql.unsafe(migration.sql);
    });
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-migrations-'));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      writeFileSync(join(dir, `${ALL[0]}.sql`), `${loadMigrations()[0]!.sql}\n-- edited\n`);
      const error = await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e);
      expect(isMigrationError(error)).toBe(true);
      expect((error as Error).message).toMatch(new RegExp(`${ALL[0]}.*changed after it was applied`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies a new migration only, and rolls a failing one back completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-migrations-'));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      writeFileSync(
        join(dir, '0900_broken.sql'),
        'create table half_done (id int);\nselect * from no_such_table;\n',
      );
      const error = await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/migration 0900_broken: .*no_such_table.* at line 2/);
      await sqlAdmin(url, async (sql) => {
        expect((await sql`select to_regclass('public.half_done') as t`)[0]!.t).toBeNull();
        expect(await sql.unsafe(`select 1 from ${MIGRATIONS_TABLE} where id = 900`)).toHaveLength(0);
      });
      writeFileSync(join(dir, '0900_broken.sql'), 'create table half_done (id int);\n');
      expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: ['0900_broken'], skipped: ALL });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrate from two processes at once', () => {
  it('applies each migration exactly once', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(ALL);
    expect([...a.skipped, ...b.skipped].sort()).toEqual(ALL);
  });
});

describe('migrate on a database that already has the app’s tables with data', () => {
  let url: string;
  const snapshot: Record<string, unknown[]> = {};
  const ids: { admin?: string; client?: string } = {};

  beforeAll(async () => {
    url = await freshDatabase();
    await sqlAdmin(url, async (sql) => {
      await sql.unsafe(APP_SCHEMA_SQL);
      const [admin] = await sql<
        { id: string }[]
      >`insert into profiles (email, role) values ('admin@agency.test', 'admin') returning id`;
      ids.admin = admin!.id;
      const [client] = await sql<{ id: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id, api_status, system_user_token)
        values (${ids.admin}, 'Hotel Lambert', 'lambert@example.test', '438600948208231', 'valid', 'EAAfake-not-a-token')
        returning id`;
      ids.client = client!.id;
      await sql`insert into clients (admin_id, name, email, ad_account_id, api_status)
                values (${ids.admin}, 'Google only', 'google@example.test', '', 'invalid')`;
      await sql`insert into current_month_cache (client_id, period_id, cache_data)
                values (${ids.client}, '2026-07', '{"stats": {"totalSpend": 12.5}}')`;
      await sql`insert into current_week_cache (client_id, period_id, period_start, cache_data)
                values (${ids.client}, '2026-W29', '2026-07-13', '{"dateRange": {"start": "2026-07-13", "end": "2026-07-19"}}')`;
      await sql`insert into daily_kpi_data (client_id, date, total_spend, total_clicks, data_source)
                values (${ids.client}, '2026-07-19', 99.99, 42, 'meta_api')`;
      await sql`insert into campaign_summaries (client_id, summary_type, summary_date, total_spend, campaign_data)
                values (${ids.client}, 'weekly', '2026-07-13', 700.5, '[{"campaign_id": "1"}]'),
                       (${ids.client}, 'monthly', '2026-06-01', 3000, '[]')`;
      await sql`insert into client_dashboard_config (client_id, conversion_mappings)
                values (${ids.client}, '{"meta": {"reservations": ["omni_purchase"]}}')`;
      for (const table of APP_TABLES)
        snapshot[table] = await sql.unsafe(`select * from ${table} order by id`);
    });
  });

  it('migrates, keeping every row and value intact', async () => {
    const result = await migrate(url);
    expect(result.applied).toEqual(ALL);
    await sqlAdmin(url, async (sql) => {
      // Columns the migrations add where a live table lacks them: daily_kpi_data's `reach` (0001) and the
      // campaign_summaries columns the engine writes (0007), each with the app's default; every other column
      // and every value stays as it was.
      const added: Record<string, string[]> = {
        daily_kpi_data: ['reach'],
        campaign_summaries: [
          'average_cpa',
          'active_campaigns',
          'total_campaigns',
          'active_campaign_count',
          'click_to_call',
          'email_contacts',
          'booking_step_1',
          'booking_step_2',
          'booking_step_3',
          'reservations',
          'reservation_value',
          'roas',
          'cost_per_reservation',
          'reach',
        ],
      };
      for (const table of APP_TABLES) {
        const rows = await sql.unsafe<Record<string, unknown>[]>(`select * from ${table} order by id`);
        const before = snapshot[table] as Record<string, unknown>[];
        const keys = Object.keys(before[0] ?? {});
        const comparable = rows.map((row) => Object.fromEntries(keys.map((key) => [key, row[key]])));
        expect(comparable, table).toEqual(before);
        const newColumns = Object.keys(rows[0] ?? {}).filter((key) => !keys.includes(key));
        expect(newColumns.sort(), table).toEqual([...(added[table] ?? [])].sort());
      }
      const [kpi] = await sql<{ reach: string }[]>`select reach from daily_kpi_data`;
      expect(Number(kpi!.reach)).toBe(0);
    });
  });

  it('keeps the app’s constraints, defaults, policies and views', async () => {
    await sqlAdmin(url, async (sql) => {
      expect(await constraintNames(sql, 'campaign_summaries')).toEqual(
        expect.arrayContaining(['campaign_summaries_unique_per_platform', 'weekly_must_be_monday']),
      );
      expect(await hasUniqueOn(sql, 'current_month_cache', ['client_id', 'period_id'])).toBe(true);
      expect(await hasUniqueOn(sql, 'daily_kpi_data', ['client_id', 'date'])).toBe(true);
      expect(await hasUniqueOn(sql, 'clients', ['admin_id', 'email'])).toBe(true);
      const [idDefault] = await sql<{ column_default: string }[]>`
        select column_default from information_schema.columns
        where table_schema = 'public' and table_name = 'clients' and column_name = 'id'`;
      expect(idDefault!.column_default).toBe('uuid_generate_v4()');
      const policies = await sql<
        { policyname: string }[]
      >`select policyname from pg_policies where tablename = 'clients'`;
      expect(policies.map((p) => p.policyname)).toEqual(['Admins can manage their own clients']);
      expect(await sql`select * from token_health_overview`).toHaveLength(2);
      // The app's tables that were there keep their RLS setting (current_month_cache had it off here).
      const [cache] = await sql<{ relrowsecurity: boolean }[]>`
        select relrowsecurity from pg_class where oid = 'public.current_month_cache'::regclass`;
      expect(cache!.relrowsecurity).toBe(false);
      for (const table of OUR_TABLES)
        expect((await sql`select to_regclass(${`public.${table}`}) as t`)[0]!.t).toBe(table);
    });
  });

  it('replaces the token-health trigger function, keeping its trigger and search_path', async () => {
    await sqlAdmin(url, async (sql) => {
      const [fn] = await sql<{ src: string; config: string[] }[]>`
        select prosrc as src, proconfig as config from pg_proc where proname = 'update_token_health_status'`;
      expect(fn!.src).toMatch(/is not distinct from old\.token_expires_at/);
      expect(fn!.config).toEqual(['search_path=public, pg_temp']);
      const triggers = await sql`select 1 from pg_trigger where tgname = 'update_token_health_trigger'`;
      expect(triggers).toHaveLength(1);
    });
  });

  it('is a no-op when run again', async () => {
    expect(await migrate(url)).toEqual({ applied: [], skipped: ALL });
  });
});

describe('conflict keys missing from a hand-changed database (schema drift)', () => {
  it('adds a missing key when the rows allow it, and only warns when duplicates exist', async () => {
    const url = await freshDatabase();
    await sqlAdmin(url, async (sql) => {
      await sql.unsafe(APP_SCHEMA_SQL);
      await sql.unsafe(`
        alter table daily_kpi_data drop constraint daily_kpi_data_client_id_date_key;
        alter table daily_kpi_data add constraint daily_kpi_data_client_date_platform_key unique (client_id, date, platform);
        alter table current_week_cache drop constraint current_week_cache_client_id_period_id_key;`);
      const [admin] = await sql<{ id: string }[]>`insert into profiles (email) values ('x@y.z') returning id`;
      const [client] = await sql<{ id: string }[]>`
        insert into clients (admin_id, name, email, ad_account_id) values (${admin!.id}, 'C', 'c@y.z', '1') returning id`;
      await sql`insert into daily_kpi_data (client_id, date, platform) values
                (${client!.id}, '2026-07-01', 'meta'), (${client!.id}, '2026-07-01', 'google')`;
    });
    const lines: string[] = [];
    await migrate(url, { log: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(
      /WARNING: public\.daily_kpi_data has no unique key on \(client_id, date\)/,
    );
    await sqlAdmin(url, async (sql) => {
      expect(await hasUniqueOn(sql, 'current_week_cache', ['client_id', 'period_id'])).toBe(true);
      expect(await hasUniqueOn(sql, 'daily_kpi_data', ['client_id', 'date'])).toBe(false);
      expect(await sql`select 1 from daily_kpi_data`).toHaveLength(2);
    });
  });
});

describe('pnpm db:migrate (src/migrate-cli.ts)', () => {
  const cli = fileURLToPath(new URL('./migrate-cli.ts', import.meta.url));
  const runCli = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [cli], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });

  it('exits 78 with one line naming DATABASE_URL when it is missing or malformed, never echoing it', () => {
    for (const [env, problem] of [
      [{}, 'is required'],
      [{ DATABASE_URL: '   ' }, 'is required'],
      [{ DATABASE_URL: 'not a url' }, 'expected a postgres:// or postgresql:// connection string'],
      [{ DATABASE_URL: 'mysql://root:hunter2@localhost/db' }, 'got mysql://…'],
      [{ DATABASE_URL: 'postgres://' }, 'with a host'],
    ] as const) {
      const run = runCli(env);
      expect(run.status).toBe(78);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^db:migrate: DATABASE_URL: /);
      expect(run.stderr).toContain(problem);
      expect(run.stderr).not.toContain('hunter2');
    }
  });

  it('migrates the database and says when it is up to date', async () => {
    const url = await freshDatabase();
    const first = runCli({ DATABASE_URL: url });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`applied ${ALL.length} migration\\(s\\)`));
    const second = runCli({ DATABASE_URL: url });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/database is up to date/);
  });

  it('exits 1 with one line when the database cannot be reached', () => {
    const run = runCli({ DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^db:migrate failed: /);
    expect(run.stderr).not.toMatch(/secret/);
  });
});
