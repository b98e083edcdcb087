-- 0005_client_controls: an operator's controls per client, and the operator console's overview read.
--
-- meta_client_controls: one row per client an operator has paused (or paused and resumed). A paused client
-- gets no jobs: the producer's fan-out leaves it out of every run (scheduled, on demand, rotation) and
-- counts it in the run with the reason `paused`, until an operator resumes it. It lives in the database,
-- not in Redis, so the reporting app can show it next to the client. Like the other meta_* tables: RLS on,
-- no policies, nothing for anon/authenticated, read and written with the service_role key only.
--
-- meta_client_overview(p_after, p_limit, p_client): everything the console shows per client, for up to
-- 1,000 clients in ONE request (keyset paging by id: pass the last id of a page as p_after), instead of one
-- request per client and table. One row per client with a non-empty ad_account_id:
--   id, name, ad_account_id, api_status, token_health_status, last_token_validation,
--   control                   the meta_client_controls row as JSON, or null
--   last_validation           the newest meta_ad_account_validations row (outcome, checked_at, error...)
--   last_conclusive_check_at  the newest check that learned something (outcome <> 'check_failed')
--   timezone_name             the ad account's time zone from the newest check that reported one
--   sync_state                { "<task>": { last_success_at, last_error_at, last_error, high_water_date,
--                               last_run_id } } from meta_sync_state
--   month_cache, week_cache   up to 2 rows [{ period_id, last_updated }], most recently updated first
--   first_day, last_day       the client's first and last daily_kpi_data day with data_source 'meta_api'
--                             (two index probes per client)
--   days_collected            how many such days there are: counted for ONE client only (p_client set),
--                             null in listings (counting a year of days for 1,000 clients costs more
--                             than everything else together)
-- The function only gathers facts; what is fresh, stale or failing is decided by the producer.
-- STABLE, SECURITY INVOKER, JIT off (the planner's cost estimate for 1,000 clients would switch JIT on,
-- whose compilation costs more than the whole query); execute granted to service_role only.
-- Safe to re-run.

create table if not exists public.meta_client_controls (
  client_id uuid primary key references public.clients (id) on delete cascade,
  paused boolean not null default false,
  -- the operator's note (why it is paused)
  reason text check (reason is null or length(reason) <= 500),
  -- who changed it last (the admin user name), never a token
  changed_by text check (changed_by is null or length(changed_by) <= 200),
  paused_at timestamptz,
  resumed_at timestamptz,
  updated_at timestamptz not null default now()
);
create index if not exists meta_client_controls_paused_idx
  on public.meta_client_controls (client_id) where paused;

alter table public.meta_client_controls enable row level security;

do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = api_role) then
      execute format('revoke all on table public.meta_client_controls from %I', api_role);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant usage on schema public to service_role;
    grant select, insert, update, delete on table public.meta_client_controls to service_role;
  end if;
end
$$;

create or replace function public.meta_client_overview(
  p_after uuid default null,
  p_limit integer default 1000,
  p_client uuid default null
)
returns table (
  id uuid,
  name text,
  ad_account_id text,
  api_status text,
  token_health_status text,
  last_token_validation timestamptz,
  control jsonb,
  last_validation jsonb,
  last_conclusive_check_at timestamptz,
  timezone_name text,
  sync_state jsonb,
  month_cache jsonb,
  week_cache jsonb,
  days_collected integer,
  first_day date,
  last_day date
)
language sql
stable
security invoker
set search_path = public, pg_temp
set jit = off
as $fn$
  select
    c.id,
    c.name,
    c.ad_account_id,
    c.api_status::text,
    c.token_health_status,
    c.last_token_validation,
    (
      select jsonb_build_object(
        'paused', k.paused, 'reason', k.reason, 'changed_by', k.changed_by,
        'paused_at', k.paused_at, 'resumed_at', k.resumed_at, 'updated_at', k.updated_at
      )
      from public.meta_client_controls k
      where k.client_id = c.id
    ),
    (
      select jsonb_build_object(
        'outcome', v.outcome, 'checked_at', v.checked_at, 'account_status', v.account_status,
        'account_name', v.account_name, 'error_code', v.error_code, 'error_subcode', v.error_subcode,
        'error_message', v.error_message, 'run_id', v.run_id
      )
      from public.meta_ad_account_validations v
      where v.client_id = c.id
      order by v.checked_at desc
      limit 1
    ),
    (
      select max(v.checked_at)
      from public.meta_ad_account_validations v
      where v.client_id = c.id and v.outcome <> 'check_failed'
    ),
    (
      select v.timezone_name
      from public.meta_ad_account_validations v
      where v.client_id = c.id and v.timezone_name is not null
      order by v.checked_at desc
      limit 1
    ),
    (
      select jsonb_object_agg(s.task, jsonb_build_object(
        'last_success_at', s.last_success_at, 'last_error_at', s.last_error_at,
        'last_error', s.last_error, 'high_water_date', s.high_water_date, 'last_run_id', s.last_run_id
      ))
      from public.meta_sync_state s
      where s.client_id = c.id
    ),
    (
      select jsonb_agg(jsonb_build_object('period_id', m.period_id, 'last_updated', m.last_updated)
        order by m.last_updated desc)
      from (
        select m.period_id, m.last_updated
        from public.current_month_cache m
        where m.client_id = c.id
        order by m.last_updated desc
        limit 2
      ) m
    ),
    (
      select jsonb_agg(jsonb_build_object('period_id', w.period_id, 'last_updated', w.last_updated)
        order by w.last_updated desc)
      from (
        select w.period_id, w.last_updated
        from public.current_week_cache w
        where w.client_id = c.id
        order by w.last_updated desc
        limit 2
      ) w
    ),
    case when p_client is not null then (
      select count(*)::integer
      from public.daily_kpi_data d
      where d.client_id = c.id and d.data_source = 'meta_api'
    ) end,
    (
      select min(d.date) from public.daily_kpi_data d where d.client_id = c.id and d.data_source = 'meta_api'
    ),
    (
      select max(d.date) from public.daily_kpi_data d where d.client_id = c.id and d.data_source = 'meta_api'
    )
  from public.clients c
  where c.ad_account_id <> ''
    and (p_after is null or c.id > p_after)
    and (p_client is null or c.id = p_client)
  order by c.id
  limit least(greatest(coalesce(p_limit, 1000), 1), 1000)
$fn$;

comment on function public.meta_client_overview(uuid, integer, uuid) is
  'Per-client facts for the operator console, up to 1000 clients per call (keyset by id). @meta-engine/db 0005.';

revoke all on function public.meta_client_overview(uuid, integer, uuid) from public;
do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = api_role) then
      execute format('revoke all on function public.meta_client_overview(uuid, integer, uuid) from %I', api_role);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant execute on function public.meta_client_overview(uuid, integer, uuid) to service_role;
  end if;
end
$$;
