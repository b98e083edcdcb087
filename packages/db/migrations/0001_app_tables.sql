-- 0001_app_tables: the reporting app's tables, created only where they are missing.
--
-- The agency's Supabase project already has these tables (see shared/reference/app-contract.md §1);
-- on such a database this file only adds the few columns and conflict keys this system writes through,
-- when they are missing, and changes nothing else: no column type, default, policy, trigger or row of
-- an existing table is touched. On an empty database (local development, tests, the demo) it creates
-- the tables with the app's columns, types, defaults, unique constraints and checks, RLS enabled
-- (the service_role key bypasses it) and no browser policies (the app's own migrations own those).
--
-- Safe to re-run: every statement is guarded (to_regclass / pg_type / "if not exists").
-- Plain SQL, no psql meta-commands: usable with `pnpm db:migrate` and with the Supabase CLI.

-- Enum types -------------------------------------------------------------------------------------
do $$
begin
  if not exists (
    select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'public' and t.typname = 'api_status'
  ) then
    create type public.api_status as enum ('valid', 'invalid', 'expired', 'pending');
  end if;
  if not exists (
    select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'public' and t.typname = 'reporting_frequency'
  ) then
    create type public.reporting_frequency as enum ('monthly', 'weekly', 'on_demand');
  end if;
end
$$;

-- profiles: minimal, only as the target of clients.admin_id (on Supabase the app's own profiles exists).
do $$
begin
  if to_regclass('public.profiles') is null then
    create table public.profiles (
      id uuid primary key default gen_random_uuid(),
      email text not null,
      role text not null default 'client' check (role in ('admin', 'client')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    alter table public.profiles enable row level security;
  end if;
end
$$;

-- clients (§1.1) ----------------------------------------------------------------------------------
do $$
begin
  if to_regclass('public.clients') is null then
    create table public.clients (
      id uuid primary key default gen_random_uuid(),
      admin_id uuid not null references public.profiles (id) on delete cascade,
      name text not null,
      email text not null,
      company text,
      ad_account_id text not null,
      meta_access_token text,
      system_user_token text,
      api_status public.api_status not null default 'pending',
      token_expires_at timestamptz,
      token_refresh_count integer default 0,
      last_token_validation timestamptz,
      token_health_status text default 'unknown',
      status text not null default 'active',
      reporting_frequency public.reporting_frequency default 'monthly',
      send_day integer default 5,
      last_report_date date,
      last_report_sent_at timestamptz,
      next_report_scheduled_at timestamptz,
      email_send_count integer default 0,
      contact_emails text[],
      notes text,
      logo_url text,
      generated_username text,
      generated_password text,
      credentials_generated_at timestamptz,
      google_ads_customer_id text,
      google_ads_refresh_token text,
      google_ads_access_token text,
      google_ads_token_expires_at timestamptz,
      google_ads_enabled boolean default false,
      google_ads_system_user_token text,
      google_ads_token_type varchar(20) default 'refresh_token'
        check (google_ads_token_type in ('refresh_token', 'system_user')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint clients_admin_id_email_key unique (admin_id, email)
    );
    create index clients_api_status_idx on public.clients (api_status);
    alter table public.clients enable row level security;
  end if;
end
$$;

-- The columns this system reads and writes, for a clients table that predates them.
alter table public.clients add column if not exists token_expires_at timestamptz;
alter table public.clients add column if not exists last_token_validation timestamptz;
alter table public.clients add column if not exists token_health_status text default 'unknown';

-- current_month_cache / current_week_cache (§1.3) --------------------------------------------------
do $$
begin
  if to_regclass('public.current_month_cache') is null then
    create table public.current_month_cache (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references public.clients (id) on delete cascade,
      period_id text not null,
      cache_data jsonb not null,
      last_updated timestamptz not null default now(),
      created_at timestamptz not null default now(),
      constraint current_month_cache_client_id_period_id_key unique (client_id, period_id)
    );
    create index idx_current_month_cache_last_updated on public.current_month_cache (last_updated);
    alter table public.current_month_cache enable row level security;
  end if;
  if to_regclass('public.current_week_cache') is null then
    create table public.current_week_cache (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references public.clients (id) on delete cascade,
      period_id text not null,
      cache_data jsonb not null,
      last_updated timestamptz not null default now(),
      created_at timestamptz not null default now(),
      constraint current_week_cache_client_id_period_id_key unique (client_id, period_id)
    );
    create index idx_current_week_cache_last_updated on public.current_week_cache (last_updated);
    alter table public.current_week_cache enable row level security;
  end if;
end
$$;

alter table public.current_month_cache add column if not exists last_updated timestamptz not null default now();
alter table public.current_week_cache add column if not exists last_updated timestamptz not null default now();

-- daily_kpi_data (§1.5) ----------------------------------------------------------------------------
do $$
begin
  if to_regclass('public.daily_kpi_data') is null then
    create table public.daily_kpi_data (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references public.clients (id) on delete cascade,
      date date not null,
      total_clicks bigint not null default 0,
      total_impressions bigint not null default 0,
      total_spend decimal(12, 2) not null default 0,
      total_conversions bigint not null default 0,
      click_to_call bigint not null default 0,
      email_contacts bigint not null default 0,
      booking_step_1 bigint not null default 0,
      reservations bigint not null default 0,
      reservation_value decimal(12, 2) not null default 0,
      booking_step_2 bigint not null default 0,
      booking_step_3 bigint default 0,
      average_ctr decimal(5, 2) not null default 0,
      average_cpc decimal(8, 2) not null default 0,
      roas decimal(8, 2) not null default 0,
      cost_per_reservation decimal(8, 2) not null default 0,
      data_source text not null default 'api',
      campaigns_count integer not null default 0,
      platform varchar(20) default 'meta',
      reach bigint default 0,
      last_updated timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint daily_kpi_data_client_id_date_key unique (client_id, date)
    );
    create index idx_daily_kpi_client_date on public.daily_kpi_data (client_id, date, data_source);
    alter table public.daily_kpi_data enable row level security;
  end if;
end
$$;

alter table public.daily_kpi_data add column if not exists booking_step_3 bigint default 0;
alter table public.daily_kpi_data add column if not exists platform varchar(20) default 'meta';
alter table public.daily_kpi_data add column if not exists reach bigint default 0;
alter table public.daily_kpi_data add column if not exists last_updated timestamptz default now();

-- campaign_summaries (§1.4) ------------------------------------------------------------------------
do $$
begin
  if to_regclass('public.campaign_summaries') is null then
    create table public.campaign_summaries (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null references public.clients (id) on delete cascade,
      summary_type text not null check (summary_type in ('weekly', 'monthly')),
      summary_date date not null,
      platform varchar(20) default 'meta',
      total_spend numeric not null default 0,
      total_impressions bigint not null default 0,
      total_clicks bigint not null default 0,
      total_conversions bigint not null default 0,
      average_ctr numeric not null default 0,
      average_cpc numeric not null default 0,
      average_cpa numeric,
      active_campaigns integer not null default 0,
      total_campaigns integer not null default 0,
      active_campaign_count integer default 0,
      click_to_call bigint default 0,
      email_contacts bigint default 0,
      booking_step_1 bigint default 0,
      booking_step_2 bigint default 0,
      booking_step_3 bigint default 0,
      reservations bigint default 0,
      reservation_value numeric default 0,
      roas numeric default 0,
      cost_per_reservation numeric default 0,
      reach bigint default 0,
      offline_reservations bigint default 0,
      offline_value decimal(12, 2) default 0,
      campaign_data jsonb,
      meta_tables jsonb,
      google_ads_tables jsonb,
      google_dynamic_metric_values jsonb not null default '{}'::jsonb,
      google_dynamic_metric_rows jsonb not null default '[]'::jsonb,
      data_source text default 'meta_api',
      last_updated timestamptz default now(),
      created_at timestamptz default now(),
      constraint campaign_summaries_unique_per_platform unique (client_id, summary_type, summary_date, platform),
      constraint weekly_must_be_monday check (summary_type != 'weekly' or extract(dow from summary_date) = 1)
    );
    create index idx_campaign_summaries_client_type_date
      on public.campaign_summaries (client_id, summary_type, summary_date);
    alter table public.campaign_summaries enable row level security;
  end if;
end
$$;

-- client_dashboard_config (§1.7): read for per-client conversion mappings -------------------------
do $$
begin
  if to_regclass('public.client_dashboard_config') is null then
    create table public.client_dashboard_config (
      id uuid primary key default gen_random_uuid(),
      client_id uuid not null unique references public.clients (id) on delete cascade,
      metrics_config jsonb,
      meta_metrics_config jsonb,
      google_metrics_config jsonb,
      meta_enabled boolean default true,
      google_enabled boolean default false,
      conversion_mappings jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    alter table public.client_dashboard_config enable row level security;
  end if;
end
$$;

alter table public.client_dashboard_config
  add column if not exists conversion_mappings jsonb not null default '{}'::jsonb;

-- The conflict keys this system upserts on. A live database changed by hand (§1.10) may lack one;
-- it is added only when no unique index on exactly these columns exists and the rows allow it.
-- Otherwise a WARNING names the table and the duplicates stay untouched (the upsert will then fail
-- with a DbError naming the missing key, instead of this migration rewriting the app's data).
do $$
declare
  target record;
  has_key boolean;
  has_duplicates boolean;
begin
  for target in
    select * from (values
      ('current_month_cache', array['client_id', 'period_id'], 'current_month_cache_client_id_period_id_key'),
      ('current_week_cache', array['client_id', 'period_id'], 'current_week_cache_client_id_period_id_key'),
      ('daily_kpi_data', array['client_id', 'date'], 'daily_kpi_data_client_id_date_key')
    ) as t (table_name, columns, constraint_name)
  loop
    select exists (
      select 1
      from pg_index i
      where i.indrelid = format('public.%I', target.table_name)::regclass
        and i.indisunique
        and i.indpred is null
        and i.indexprs is null
        and i.indnatts = i.indnkeyatts
        and (
          select array_agg(a.attname::text order by a.attname::text)
          from pg_attribute a
          where a.attrelid = i.indrelid and a.attnum = any (i.indkey)
        ) = (select array_agg(c order by c) from unnest(target.columns) as c)
    ) into has_key;
    continue when has_key;
    execute format(
      'select exists (select 1 from public.%I group by %s having count(*) > 1)',
      target.table_name,
      (select string_agg(quote_ident(c), ', ') from unnest(target.columns) as c)
    ) into has_duplicates;
    if has_duplicates then
      raise warning 'public.% has no unique key on (%) and holds duplicate rows: key not added',
        target.table_name, array_to_string(target.columns, ', ');
    else
      execute format(
        'alter table public.%I add constraint %I unique (%s)',
        target.table_name,
        target.constraint_name,
        (select string_agg(quote_ident(c), ', ') from unnest(target.columns) as c)
      );
    end if;
  end loop;
end
$$;

-- The service role (bypasses RLS) writes every app table. Skipped on a plain Postgres without it.
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant usage on schema public to service_role;
    grant select, insert, update, delete on table
      public.profiles, public.clients, public.current_month_cache, public.current_week_cache,
      public.daily_kpi_data, public.campaign_summaries, public.client_dashboard_config
      to service_role;
  end if;
end
$$;
