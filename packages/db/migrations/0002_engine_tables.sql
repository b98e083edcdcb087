-- 0002_engine_tables: this system's own tables, all prefixed `meta_`.
--
-- Written only with the service_role key. RLS is enabled with no policies and anon/authenticated
-- have no privileges, so the browser (anon key, logged-in users) can read none of them.
-- Safe to re-run: "if not exists" everywhere; grants and RLS are idempotent.

-- Raw campaign-day insights, one row per (ad account, campaign, day), as Meta returned them:
-- metrics as numbers, the action arrays as JSON.
create table if not exists public.meta_campaign_insights (
  ad_account_id text not null check (ad_account_id ~ '^[0-9]+$'),
  campaign_id text not null check (campaign_id <> ''),
  date date not null,
  client_id uuid not null references public.clients (id) on delete cascade,
  campaign_name text,
  spend numeric not null default 0,
  impressions bigint not null default 0,
  clicks bigint not null default 0,
  inline_link_clicks bigint,
  reach bigint,
  frequency numeric,
  ctr numeric,
  cpc numeric,
  cpm numeric,
  cpp numeric,
  inline_link_click_ctr numeric,
  cost_per_inline_link_click numeric,
  actions jsonb,
  action_values jsonb,
  conversions jsonb,
  collected_at timestamptz not null default now(),
  constraint meta_campaign_insights_pkey primary key (ad_account_id, campaign_id, date)
);
create index if not exists meta_campaign_insights_client_date_idx
  on public.meta_campaign_insights (client_id, date);

-- Ad-account validation history: one row per check. A token fingerprint, never the token.
create table if not exists public.meta_ad_account_validations (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null references public.clients (id) on delete cascade,
  ad_account_id text not null,
  checked_at timestamptz not null default now(),
  outcome text not null check (
    outcome in ('active', 'account_inactive', 'no_access', 'token_invalid', 'token_expired', 'check_failed')
  ),
  account_status integer,
  disable_reason integer,
  account_name text,
  currency text,
  timezone_name text,
  error_code integer,
  error_subcode integer,
  error_message text,
  fbtrace_id text,
  token_fingerprint text check (
    token_fingerprint is null or (length(token_fingerprint) between 8 and 128 and token_fingerprint !~ '^EAA')
  ),
  api_status_before text,
  api_status_after text,
  token_health_status_after text,
  -- true while the client is out of the jobs (api_status 'invalid') because of this system's checks
  excluded_by_validation boolean not null default false,
  run_id text,
  created_at timestamptz not null default now(),
  constraint meta_ad_account_validations_client_checked_key unique (client_id, checked_at)
);
create index if not exists meta_ad_account_validations_client_checked_idx
  on public.meta_ad_account_validations (client_id, checked_at desc);

-- Per-client, per-task sync state: what the app can show as "last synced" without Redis.
create table if not exists public.meta_sync_state (
  client_id uuid not null references public.clients (id) on delete cascade,
  task text not null check (task ~ '^[a-z][a-z0-9_-]{0,63}$'),
  last_success_at timestamptz,
  last_error_at timestamptz,
  last_error jsonb,
  high_water_date date,
  last_run_id text,
  updated_at timestamptz not null default now(),
  constraint meta_sync_state_pkey primary key (client_id, task)
);

-- Token state, one row per token fingerprint (a rotation adds a row; the newest is current).
create table if not exists public.meta_token_state (
  fingerprint text primary key check (length(fingerprint) between 8 and 128 and fingerprint !~ '^EAA'),
  status text not null default 'unknown' check (status in ('ok', 'token_fatal', 'unknown')),
  paused_reason text,
  debug_token jsonb,
  last_checked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists meta_token_state_updated_idx on public.meta_token_state (updated_at desc);

alter table public.meta_campaign_insights enable row level security;
alter table public.meta_ad_account_validations enable row level security;
alter table public.meta_sync_state enable row level security;
alter table public.meta_token_state enable row level security;

-- Supabase's default privileges grant anon/authenticated everything on new tables in public: take
-- that back (RLS without policies would already hide the rows; this makes reads fail outright).
do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = api_role) then
      execute format(
        'revoke all on table public.meta_campaign_insights, public.meta_ad_account_validations, '
        'public.meta_sync_state, public.meta_token_state from %I',
        api_role
      );
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant usage on schema public to service_role;
    grant select, insert, update, delete on table
      public.meta_campaign_insights, public.meta_ad_account_validations,
      public.meta_sync_state, public.meta_token_state
      to service_role;
  end if;
end
$$;
