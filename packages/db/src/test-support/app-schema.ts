/**
 * The reporting app's tables as its own migrations left them (shared/reference/app-contract.md §1),
 * written for tests: uuid_generate_v4() defaults, the ORIGINAL update_token_health_status() trigger that
 * rewrites token_health_status on every update, an RLS policy and the token_health_overview view.
 * `daily_kpi_data` is as before the app's migration 046 (no `reach` column) so the tests see the
 * migration add a missing column without touching the rest.
 */
export const APP_SCHEMA_SQL = `
create extension if not exists "uuid-ossp";
create type api_status as enum ('valid', 'invalid', 'expired', 'pending');
create type reporting_frequency as enum ('monthly', 'weekly', 'on_demand');

create table profiles (
  id uuid primary key default uuid_generate_v4(),
  email text not null unique,
  full_name text,
  role text not null default 'client' check (role in ('admin', 'client')),
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create table clients (
  id uuid default uuid_generate_v4() primary key,
  admin_id uuid references profiles(id) on delete cascade not null,
  name text not null,
  email text not null,
  company text,
  ad_account_id text not null,
  meta_access_token text,
  api_status api_status default 'pending' not null,
  reporting_frequency reporting_frequency default 'monthly' not null,
  last_report_date date,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  token_expires_at timestamptz,
  token_refresh_count integer default 0,
  last_token_validation timestamptz,
  token_health_status text default 'unknown',
  system_user_token text,
  status text not null default 'active',
  unique(admin_id, email)
);

create or replace function update_token_health_status()
returns trigger as $$
begin
  if new.token_expires_at is not null then
    if new.token_expires_at <= now() then
      new.token_health_status = 'expired';
    elsif new.token_expires_at <= now() + interval '30 days' then
      new.token_health_status = 'expiring_soon';
    else
      new.token_health_status = 'valid';
    end if;
  else
    new.token_health_status = 'valid';
  end if;
  new.last_token_validation = now();
  return new;
end;
$$ language plpgsql;
alter function update_token_health_status() set search_path = public, pg_temp;

create trigger update_token_health_trigger
  before insert or update on clients
  for each row
  execute function update_token_health_status();

create view token_health_overview as
select c.id, c.name, c.email, c.token_health_status, c.token_expires_at, c.last_token_validation,
       c.token_refresh_count, c.api_status
from clients c;

alter table clients enable row level security;
create policy "Admins can manage their own clients" on clients
  for all using (admin_id = auth.uid());

create table current_month_cache (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null references clients(id) on delete cascade,
  period_id text not null,
  cache_data jsonb not null,
  last_updated timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique(client_id, period_id)
);

create table current_week_cache (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null references clients(id) on delete cascade,
  period_id text not null,
  period_start date,
  period_end date,
  cache_data jsonb not null,
  last_updated timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique(client_id, period_id)
);

create table daily_kpi_data (
  id uuid default uuid_generate_v4() primary key,
  client_id uuid references clients(id) on delete cascade not null,
  date date not null,
  total_clicks bigint default 0 not null,
  total_impressions bigint default 0 not null,
  total_spend decimal(12,2) default 0 not null,
  total_conversions bigint default 0 not null,
  click_to_call bigint default 0 not null,
  email_contacts bigint default 0 not null,
  booking_step_1 bigint default 0 not null,
  reservations bigint default 0 not null,
  reservation_value decimal(12,2) default 0 not null,
  booking_step_2 bigint default 0 not null,
  booking_step_3 bigint default 0,
  average_ctr decimal(5,2) default 0 not null,
  average_cpc decimal(8,2) default 0 not null,
  roas decimal(8,2) default 0 not null,
  cost_per_reservation decimal(8,2) default 0 not null,
  data_source text default 'api' not null,
  campaigns_count integer default 0 not null,
  last_updated timestamptz default now() not null,
  created_at timestamptz default now() not null,
  updated_at timestamptz default now() not null,
  platform varchar(20) default 'meta',
  unique(client_id, date)
);

create table campaign_summaries (
  id uuid default uuid_generate_v4() primary key,
  client_id uuid references clients(id) on delete cascade not null,
  summary_type text not null check (summary_type in ('weekly', 'monthly')),
  summary_date date not null,
  platform varchar(20) default 'meta',
  total_spend numeric default 0 not null,
  total_impressions bigint default 0 not null,
  total_clicks bigint default 0 not null,
  total_conversions bigint default 0 not null,
  average_ctr numeric default 0 not null,
  average_cpc numeric default 0 not null,
  campaign_data jsonb,
  meta_tables jsonb,
  data_source text default 'meta_api',
  last_updated timestamptz default now(),
  created_at timestamptz default now(),
  constraint campaign_summaries_unique_per_platform unique (client_id, summary_type, summary_date, platform),
  constraint weekly_must_be_monday check (summary_type != 'weekly' or extract(dow from summary_date) = 1)
);

create table client_dashboard_config (
  id uuid default uuid_generate_v4() primary key,
  client_id uuid not null unique references clients(id) on delete cascade,
  metrics_config jsonb,
  meta_enabled boolean default true,
  google_enabled boolean default false,
  conversion_mappings jsonb not null default '{}'::jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
`;

/**
 * The app's `campaign_summaries` as its migrations and hand-run scripts left it (app-contract §1.4: 013, 033,
 * 035, 042, 043, the performance columns, FIX_COLUMN_TYPES, ADD_ACTIVE_CAMPAIGN_COUNT_COLUMN, the Google
 * columns), with `system_logs` and the `check_data_freshness_trigger` of 017 (AFTER UPDATE: a warning in
 * system_logs when a row is written with a `last_updated` older than 7 days for monthly rows, 24 hours for
 * weekly ones). Run after APP_SCHEMA_SQL (it replaces that file's short version of the table).
 */
export const APP_CAMPAIGN_SUMMARIES_SQL = `
drop table if exists campaign_summaries;
create table campaign_summaries (
  id uuid default uuid_generate_v4() primary key,
  client_id uuid references clients(id) on delete cascade not null,
  summary_type text not null check (summary_type in ('weekly', 'monthly')),
  summary_date date not null,
  platform varchar(20) default 'meta',
  total_spend numeric default 0 not null,
  total_impressions bigint default 0 not null,
  total_clicks bigint default 0 not null,
  total_conversions bigint default 0 not null,
  average_ctr numeric default 0 not null,
  average_cpc numeric default 0 not null,
  average_cpa numeric default 0,
  active_campaigns integer default 0 not null,
  total_campaigns integer default 0 not null,
  active_campaign_count integer default 0,
  campaign_data jsonb,
  meta_tables jsonb,
  google_ads_tables jsonb,
  google_dynamic_metric_values jsonb not null default '{}'::jsonb,
  google_dynamic_metric_rows jsonb not null default '[]'::jsonb,
  data_source text default 'meta_api',
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
  offline_value decimal(12,2) default 0,
  last_updated timestamptz default now(),
  created_at timestamptz default now(),
  constraint campaign_summaries_unique_per_platform unique (client_id, summary_type, summary_date, platform),
  constraint weekly_must_be_monday check (summary_type != 'weekly' or extract(dow from summary_date) = 1)
);
create index idx_campaign_summaries_client_type_date on campaign_summaries (client_id, summary_type, summary_date);
alter table campaign_summaries enable row level security;

create table if not exists system_logs (
  id uuid default uuid_generate_v4() primary key,
  message text not null,
  level text check (level in ('info', 'warning', 'error')),
  created_at timestamptz default now(),
  metadata jsonb
);

create or replace function check_data_freshness()
returns trigger as $$
begin
  if (new.summary_type = 'monthly' and new.last_updated < now() - interval '7 days')
     or (new.summary_type = 'weekly' and new.last_updated < now() - interval '24 hours') then
    insert into system_logs (message, level, metadata)
    values ('Stale campaign summary written for client ' || new.client_id, 'warning',
            jsonb_build_object('client_id', new.client_id, 'summary_type', new.summary_type,
                               'summary_date', new.summary_date, 'last_updated', new.last_updated));
  end if;
  return new;
end;
$$ language plpgsql;

create trigger check_data_freshness_trigger
  after update on campaign_summaries
  for each row
  execute function check_data_freshness();
`;
