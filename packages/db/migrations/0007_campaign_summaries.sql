-- 0007_campaign_summaries: the engine as the one writer of Meta's `campaign_summaries` rows (the app's
-- permanent monthly and weekly store, shared/reference/app-contract.md §1.4), its bookkeeping, the history of
-- what restatements changed, the drift checks, and the ad accounts' time zones for the producer's
-- local-midnight schedule.
--
-- campaign_summaries: on a hand-changed live database (§1.10) the columns the engine writes are added when
-- missing, with the app's own types and defaults. Nothing else of the table is touched: no type, default,
-- constraint, trigger (the app's check_data_freshness_trigger stays) or row.
--
-- meta_summary_periods: one row per (client, summary_type, summary_date) the engine fetched completely:
--   outcome        of the last complete fetch: 'written' (the row was written), 'unchanged' (the numbers
--                  were the stored ones: nothing rewritten), 'empty' (Meta had no delivery for the period: no
--                  row is written, and an existing row is left alone)
--   fetched_on     the ad account's local date of that fetch (a period is fetched at most once a day)
--   written_at     the last_updated of the row the engine wrote last; a row whose last_updated differs was
--                  written by someone else (the app's archive or crons), and is only replaced by a complete
--                  fetch of the same period
--   content_hash   hash of the numbers and JSON the engine wrote last (unchanged numbers are not rewritten)
-- meta_summary_changes: one row per write of a campaign_summaries row: 'created', 'restated' (the engine's
--   own row, numbers changed) or 'replaced' (a row of another writer), with each changed number
--   ({"<column>": {"before", "after", "delta"}}) and the JSON parts that changed.
-- meta_summary_drift: one row per (check, table, metric) of a drift check: the stored previous month against
--   a fresh read (stored, fresh, delta = fresh - stored, delta_pct = 100 * delta / stored).
--
-- meta_write_campaign_summary(p jsonb): writes one row, its bookkeeping and its history in ONE transaction,
-- only if the row is still as the worker read it (`expected`), and only if the client still has the ad
-- account the job was for. Answers {outcome: 'written' | 'conflict' | 'superseded', last_updated}.
-- meta_client_time_zones(p_ids uuid[]): (client_id, timezone_name) from each client's newest validation
-- that reported a time zone (null when none did).
--
-- Like the other meta_* tables: RLS on, no policies, nothing for anon/authenticated, service_role only.
-- Safe to re-run.

do $$
begin
  if to_regclass('public.campaign_summaries') is not null then
    alter table public.campaign_summaries
      add column if not exists platform varchar(20) default 'meta',
      add column if not exists total_spend numeric not null default 0,
      add column if not exists total_impressions bigint not null default 0,
      add column if not exists total_clicks bigint not null default 0,
      add column if not exists total_conversions bigint not null default 0,
      add column if not exists average_ctr numeric not null default 0,
      add column if not exists average_cpc numeric not null default 0,
      add column if not exists average_cpa numeric,
      add column if not exists active_campaigns integer not null default 0,
      add column if not exists total_campaigns integer not null default 0,
      add column if not exists active_campaign_count integer default 0,
      add column if not exists click_to_call bigint default 0,
      add column if not exists email_contacts bigint default 0,
      add column if not exists booking_step_1 bigint default 0,
      add column if not exists booking_step_2 bigint default 0,
      add column if not exists booking_step_3 bigint default 0,
      add column if not exists reservations bigint default 0,
      add column if not exists reservation_value numeric default 0,
      add column if not exists roas numeric default 0,
      add column if not exists cost_per_reservation numeric default 0,
      add column if not exists reach bigint default 0,
      add column if not exists campaign_data jsonb,
      add column if not exists meta_tables jsonb,
      add column if not exists data_source text default 'meta_api',
      add column if not exists last_updated timestamptz default now();
  end if;
end
$$;

create table if not exists public.meta_summary_periods (
  client_id uuid not null references public.clients (id) on delete cascade,
  summary_type text not null check (summary_type in ('monthly', 'weekly')),
  summary_date date not null,
  period_end date not null check (period_end >= summary_date),
  outcome text not null check (outcome in ('written', 'unchanged', 'empty')),
  fetched_on date not null,
  fetched_at timestamptz not null default now(),
  written_at timestamptz,
  content_hash text check (content_hash is null or content_hash ~ '^[0-9a-f]{16,128}$'),
  run_id text,
  constraint meta_summary_periods_pkey primary key (client_id, summary_type, summary_date)
);

create table if not exists public.meta_summary_changes (
  id bigint generated always as identity primary key,
  client_id uuid not null references public.clients (id) on delete cascade,
  summary_type text not null check (summary_type in ('monthly', 'weekly')),
  summary_date date not null,
  changed_at timestamptz not null default now(),
  change text not null check (change in ('created', 'restated', 'replaced')),
  previous_source text,
  previous_last_updated timestamptz,
  metrics jsonb not null default '{}'::jsonb,
  tables jsonb not null default '{}'::jsonb,
  run_id text
);
create index if not exists meta_summary_changes_period_idx
  on public.meta_summary_changes (client_id, summary_type, summary_date, changed_at desc);

create table if not exists public.meta_summary_drift (
  id bigint generated always as identity primary key,
  check_id uuid not null,
  client_id uuid not null references public.clients (id) on delete cascade,
  summary_type text not null default 'monthly' check (summary_type in ('monthly', 'weekly')),
  summary_date date not null,
  checked_at timestamptz not null default now(),
  table_name text not null check (table_name <> ''),
  metric text not null check (metric <> ''),
  stored numeric,
  fresh numeric,
  delta numeric,
  delta_pct numeric,
  run_id text
);
create index if not exists meta_summary_drift_client_idx
  on public.meta_summary_drift (client_id, checked_at desc);
create index if not exists meta_summary_drift_check_idx on public.meta_summary_drift (check_id);

alter table public.meta_summary_periods enable row level security;
alter table public.meta_summary_changes enable row level security;
alter table public.meta_summary_drift enable row level security;

create or replace function public.meta_write_campaign_summary(p jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = public, pg_temp
as $fn$
declare
  v_row jsonb := p -> 'row';
  v_client uuid := (p -> 'row' ->> 'client_id')::uuid;
  v_type text := p -> 'row' ->> 'summary_type';
  v_date date := (p -> 'row' ->> 'summary_date')::date;
  v_expected_exists boolean := coalesce((p -> 'expected' ->> 'exists')::boolean, false);
  v_expected_updated timestamptz := (p -> 'expected' ->> 'last_updated')::timestamptz;
  v_account text;
  v_current timestamptz;
  v_found boolean;
  v_now timestamptz := now();
begin
  -- The client still has the ad account the job fetched for (a changed account makes the job stale).
  select regexp_replace(c.ad_account_id, '^act_', '') into v_account
  from public.clients c
  where c.id = v_client
  for share;
  if not found or v_account is distinct from (p ->> 'ad_account_id') then
    return jsonb_build_object('outcome', 'superseded', 'last_updated', null);
  end if;

  select s.last_updated into v_current
  from public.campaign_summaries s
  where s.client_id = v_client and s.summary_type = v_type and s.summary_date = v_date
    and s.platform = 'meta'
  for update;
  v_found := found;
  -- Written by someone else since the worker read it: nothing is written, the job plans again.
  if v_found is distinct from v_expected_exists
     or (v_found and v_current is distinct from v_expected_updated) then
    return jsonb_build_object('outcome', 'conflict', 'last_updated', v_current);
  end if;

  insert into public.campaign_summaries as t (
    client_id, summary_type, summary_date, platform,
    total_spend, total_impressions, total_clicks, total_conversions,
    average_ctr, average_cpc, average_cpa,
    active_campaigns, total_campaigns, active_campaign_count,
    click_to_call, email_contacts, booking_step_1, booking_step_2, booking_step_3,
    reservations, reservation_value, roas, cost_per_reservation, reach,
    campaign_data, meta_tables, data_source, last_updated
  )
  select
    r.client_id, r.summary_type, r.summary_date, 'meta',
    r.total_spend, r.total_impressions, r.total_clicks, r.total_conversions,
    r.average_ctr, r.average_cpc, r.average_cpa,
    r.active_campaigns, r.total_campaigns, r.active_campaign_count,
    r.click_to_call, r.email_contacts, r.booking_step_1, r.booking_step_2, r.booking_step_3,
    r.reservations, r.reservation_value, r.roas, r.cost_per_reservation, r.reach,
    r.campaign_data, r.meta_tables, r.data_source, v_now
  from jsonb_populate_record(null::public.campaign_summaries, v_row) as r
  on conflict (client_id, summary_type, summary_date, platform) do update set
    total_spend = excluded.total_spend,
    total_impressions = excluded.total_impressions,
    total_clicks = excluded.total_clicks,
    total_conversions = excluded.total_conversions,
    average_ctr = excluded.average_ctr,
    average_cpc = excluded.average_cpc,
    average_cpa = excluded.average_cpa,
    active_campaigns = excluded.active_campaigns,
    total_campaigns = excluded.total_campaigns,
    active_campaign_count = excluded.active_campaign_count,
    click_to_call = excluded.click_to_call,
    email_contacts = excluded.email_contacts,
    booking_step_1 = excluded.booking_step_1,
    booking_step_2 = excluded.booking_step_2,
    booking_step_3 = excluded.booking_step_3,
    reservations = excluded.reservations,
    reservation_value = excluded.reservation_value,
    roas = excluded.roas,
    cost_per_reservation = excluded.cost_per_reservation,
    reach = excluded.reach,
    campaign_data = excluded.campaign_data,
    meta_tables = excluded.meta_tables,
    data_source = excluded.data_source,
    last_updated = excluded.last_updated;

  insert into public.meta_summary_periods as b (
    client_id, summary_type, summary_date, period_end, outcome, fetched_on, fetched_at, written_at,
    content_hash, run_id
  ) values (
    v_client, v_type, v_date, (p -> 'period' ->> 'period_end')::date, 'written',
    (p -> 'period' ->> 'fetched_on')::date, v_now, v_now, p -> 'period' ->> 'content_hash',
    p -> 'period' ->> 'run_id'
  )
  on conflict (client_id, summary_type, summary_date) do update set
    period_end = excluded.period_end,
    outcome = excluded.outcome,
    fetched_on = excluded.fetched_on,
    fetched_at = excluded.fetched_at,
    written_at = excluded.written_at,
    content_hash = excluded.content_hash,
    run_id = excluded.run_id;

  insert into public.meta_summary_changes (
    client_id, summary_type, summary_date, changed_at, change, previous_source, previous_last_updated,
    metrics, tables, run_id
  ) values (
    v_client, v_type, v_date, v_now, p -> 'change' ->> 'change', p -> 'change' ->> 'previous_source',
    (p -> 'change' ->> 'previous_last_updated')::timestamptz,
    coalesce(p -> 'change' -> 'metrics', '{}'::jsonb), coalesce(p -> 'change' -> 'tables', '{}'::jsonb),
    p -> 'period' ->> 'run_id'
  );

  return jsonb_build_object('outcome', 'written', 'last_updated', v_now);
end
$fn$;

comment on function public.meta_write_campaign_summary(jsonb) is
  'Writes one Meta campaign_summaries row with its bookkeeping and history, if unchanged since read. @meta-engine/db 0007.';

create or replace function public.meta_client_time_zones(p_ids uuid[])
returns table (client_id uuid, timezone_name text)
language sql
stable
security invoker
set search_path = public, pg_temp
as $fn$
  select ids.id, (
    select v.timezone_name
    from public.meta_ad_account_validations v
    where v.client_id = ids.id and v.timezone_name is not null
    order by v.checked_at desc
    limit 1
  )
  from unnest(p_ids) as ids (id)
$fn$;

comment on function public.meta_client_time_zones(uuid[]) is
  'Each client''s ad account time zone from its newest validation that reported one. @meta-engine/db 0007.';

revoke all on function public.meta_write_campaign_summary(jsonb) from public;
revoke all on function public.meta_client_time_zones(uuid[]) from public;
do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = api_role) then
      execute format(
        'revoke all on table public.meta_summary_periods, public.meta_summary_changes, '
        'public.meta_summary_drift from %I',
        api_role
      );
      execute format('revoke all on function public.meta_write_campaign_summary(jsonb) from %I', api_role);
      execute format('revoke all on function public.meta_client_time_zones(uuid[]) from %I', api_role);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant usage on schema public to service_role;
    grant select, insert, update, delete on table
      public.meta_summary_periods, public.meta_summary_changes, public.meta_summary_drift
      to service_role;
    grant select, insert, update on table public.campaign_summaries to service_role;
    grant execute on function public.meta_write_campaign_summary(jsonb) to service_role;
    grant execute on function public.meta_client_time_zones(uuid[]) to service_role;
  end if;
end
$$;
