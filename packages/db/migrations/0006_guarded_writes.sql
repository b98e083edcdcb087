-- 0006_guarded_writes: nothing is written for an ad account the client no longer has (issue 12.1).
--
-- A job carries the (client, ad account) pair it was enqueued with. It may wait in the queue (parked for
-- Meta's limits, a report run, an outage) while an operator moves the client to another ad account,
-- pauses it, or deletes it. Before this migration such a job rewrote the client's cache rows with the old
-- account's numbers, or recorded a validation of a foreign account. Now every write of a job goes through
-- a function that checks, in the same transaction and under a share lock on the client row (so the check
-- and the write see the same client), that the client
--   * still exists,
--   * still has that ad account (`clients.ad_account_id`, trimmed, equal to the job's bare id or `act_` + it),
--   * is not paused by an operator (`meta_client_controls.paused`),
-- and writes nothing otherwise: no extra round trip per job, the check rides on the write.
--
-- meta_sync_state gets two columns:
--   ad_account_id    the account the state (and its high_water_date) belongs to: a client moved to another
--                    account starts that account's collection from its backfill, not from the old
--                    account's high-water date;
--   last_superseded  {at, run_id, ad_account_id, current_ad_account_id, reason} of the last job that wrote
--                    nothing because the client changed (reason: account_changed, paused; a deleted client
--                    has no state to note it in). Not an error: the next job serves the current account.
--
-- Functions (security invoker, execute for service_role only; the db package knows no Meta rules beyond
-- the `act_` spelling of the ids it stores):
--   meta_client_serves(client, account) -> (status, current_ad_account_id)
--       status: ok | client_gone | account_changed | paused
--   meta_note_superseded(client, task, account, reason, current, run_id, at)
--   meta_guarded_write(client, account, task, run_id, writes jsonb) -> jsonb
--       writes: { month_cache: {period_id, cache_data, last_updated}, week_cache: {...},
--                 campaign_insights: [rows], daily_kpi: [rows],
--                 sync_success: {at, high_water_date?}, sync_failure: {at, error} }   (all optional)
--       answer: {written: true} or {written: false, reason, current_ad_account_id}
--       Rows are written under the function's client and account whatever the row objects say.
--   meta_record_validations(jsonb) (replaces 0004's): an element with `if_account` is recorded only when the
--       client still serves that account (else {client_id, guarded, superseded, current_ad_account_id});
--       `sync_success: true` also records the validate task's success in the same transaction.
-- Safe to re-run.

alter table public.meta_sync_state add column if not exists ad_account_id text;
alter table public.meta_sync_state add column if not exists last_superseded jsonb;

create or replace function public.meta_client_serves(p_client uuid, p_account text)
returns table (status text, current_ad_account_id text)
language plpgsql
security invoker
set search_path = public, pg_temp
as $fn$
declare
  v_raw text;
begin
  select c.ad_account_id into v_raw from public.clients c where c.id = p_client for share;
  if not found then
    return query select 'client_gone'::text, null::text;
    return;
  end if;
  if v_raw is null or btrim(v_raw) not in (btrim(p_account), 'act_' || btrim(p_account)) then
    return query select 'account_changed'::text, v_raw;
    return;
  end if;
  if exists (select 1 from public.meta_client_controls k where k.client_id = p_client and k.paused) then
    return query select 'paused'::text, v_raw;
    return;
  end if;
  return query select 'ok'::text, v_raw;
end
$fn$;

create or replace function public.meta_note_superseded(
  p_client uuid,
  p_task text,
  p_account text,
  p_reason text,
  p_current text,
  p_run_id text,
  p_at timestamptz
)
returns void
language plpgsql
security invoker
set search_path = public, pg_temp
as $fn$
begin
  if p_reason = 'client_gone' then
    return;
  end if;
  insert into public.meta_sync_state as s (client_id, task, last_superseded, updated_at)
  values (
    p_client, p_task,
    jsonb_build_object(
      'at', p_at, 'run_id', p_run_id, 'ad_account_id', p_account,
      'current_ad_account_id', p_current, 'reason', p_reason
    ),
    now()
  )
  on conflict (client_id, task) do update set
    last_superseded = excluded.last_superseded,
    updated_at = excluded.updated_at;
end
$fn$;

create or replace function public.meta_guarded_write(
  p_client uuid,
  p_account text,
  p_task text,
  p_run_id text,
  p_writes jsonb
)
returns jsonb
language plpgsql
security invoker
set search_path = public, pg_temp
as $fn$
declare
  v_serves record;
  v_account text := btrim(p_account);
  v_success jsonb := p_writes -> 'sync_success';
  v_failure jsonb := p_writes -> 'sync_failure';
begin
  if jsonb_typeof(p_writes) is distinct from 'object' then
    raise exception 'meta_guarded_write expects a JSON object of writes' using errcode = '22023';
  end if;
  select * into v_serves from public.meta_client_serves(p_client, v_account);
  if v_serves.status <> 'ok' then
    perform public.meta_note_superseded(
      p_client, p_task, v_account, v_serves.status, v_serves.current_ad_account_id, p_run_id, now()
    );
    return jsonb_build_object(
      'written', false, 'reason', v_serves.status, 'current_ad_account_id', v_serves.current_ad_account_id
    );
  end if;

  if p_writes ? 'month_cache' then
    insert into public.current_month_cache as m (client_id, period_id, cache_data, last_updated)
    values (
      p_client, p_writes -> 'month_cache' ->> 'period_id', p_writes -> 'month_cache' -> 'cache_data',
      (p_writes -> 'month_cache' ->> 'last_updated')::timestamptz
    )
    on conflict (client_id, period_id) do update set
      cache_data = excluded.cache_data,
      last_updated = excluded.last_updated;
  end if;

  if p_writes ? 'week_cache' then
    insert into public.current_week_cache as w (client_id, period_id, cache_data, last_updated)
    values (
      p_client, p_writes -> 'week_cache' ->> 'period_id', p_writes -> 'week_cache' -> 'cache_data',
      (p_writes -> 'week_cache' ->> 'last_updated')::timestamptz
    )
    on conflict (client_id, period_id) do update set
      cache_data = excluded.cache_data,
      last_updated = excluded.last_updated;
  end if;

  if jsonb_typeof(p_writes -> 'campaign_insights') = 'array' then
    insert into public.meta_campaign_insights as i (
      ad_account_id, campaign_id, date, client_id, campaign_name, spend, impressions, clicks,
      inline_link_clicks, reach, frequency, ctr, cpc, cpm, cpp, inline_link_click_ctr,
      cost_per_inline_link_click, actions, action_values, conversions, collected_at
    )
    select
      v_account, r.campaign_id, r.date, p_client, r.campaign_name, r.spend, r.impressions, r.clicks,
      r.inline_link_clicks, r.reach, r.frequency, r.ctr, r.cpc, r.cpm, r.cpp, r.inline_link_click_ctr,
      r.cost_per_inline_link_click, r.actions, r.action_values, r.conversions, r.collected_at
    from jsonb_populate_recordset(null::public.meta_campaign_insights, p_writes -> 'campaign_insights') r
    on conflict (ad_account_id, campaign_id, date) do update set
      client_id = excluded.client_id,
      campaign_name = excluded.campaign_name,
      spend = excluded.spend,
      impressions = excluded.impressions,
      clicks = excluded.clicks,
      inline_link_clicks = excluded.inline_link_clicks,
      reach = excluded.reach,
      frequency = excluded.frequency,
      ctr = excluded.ctr,
      cpc = excluded.cpc,
      cpm = excluded.cpm,
      cpp = excluded.cpp,
      inline_link_click_ctr = excluded.inline_link_click_ctr,
      cost_per_inline_link_click = excluded.cost_per_inline_link_click,
      actions = excluded.actions,
      action_values = excluded.action_values,
      conversions = excluded.conversions,
      collected_at = excluded.collected_at;
  end if;

  if jsonb_typeof(p_writes -> 'daily_kpi') = 'array' then
    insert into public.daily_kpi_data as d (
      client_id, date, total_spend, total_impressions, total_clicks, total_conversions, click_to_call,
      email_contacts, booking_step_1, booking_step_2, booking_step_3, reservations, reservation_value,
      average_ctr, average_cpc, roas, cost_per_reservation, campaigns_count, reach, data_source, platform,
      last_updated
    )
    select
      p_client, r.date, r.total_spend, r.total_impressions, r.total_clicks, r.total_conversions,
      r.click_to_call, r.email_contacts, r.booking_step_1, r.booking_step_2, r.booking_step_3,
      r.reservations, r.reservation_value, r.average_ctr, r.average_cpc, r.roas, r.cost_per_reservation,
      r.campaigns_count, r.reach, r.data_source, r.platform, r.last_updated
    from jsonb_populate_recordset(null::public.daily_kpi_data, p_writes -> 'daily_kpi') r
    on conflict (client_id, date) do update set
      total_spend = excluded.total_spend,
      total_impressions = excluded.total_impressions,
      total_clicks = excluded.total_clicks,
      total_conversions = excluded.total_conversions,
      click_to_call = excluded.click_to_call,
      email_contacts = excluded.email_contacts,
      booking_step_1 = excluded.booking_step_1,
      booking_step_2 = excluded.booking_step_2,
      booking_step_3 = excluded.booking_step_3,
      reservations = excluded.reservations,
      reservation_value = excluded.reservation_value,
      average_ctr = excluded.average_ctr,
      average_cpc = excluded.average_cpc,
      roas = excluded.roas,
      cost_per_reservation = excluded.cost_per_reservation,
      campaigns_count = excluded.campaigns_count,
      reach = excluded.reach,
      data_source = excluded.data_source,
      platform = excluded.platform,
      last_updated = excluded.last_updated;
  end if;

  if v_success is not null then
    -- The high-water date never moves backwards for the same account; a state kept for another account
    -- (the client moved) is replaced, so the new account's collection is not skipped.
    insert into public.meta_sync_state as s (
      client_id, task, last_success_at, last_run_id, high_water_date, ad_account_id, updated_at
    ) values (
      p_client, p_task, (v_success ->> 'at')::timestamptz, p_run_id,
      (v_success ->> 'high_water_date')::date, v_account, now()
    )
    on conflict (client_id, task) do update set
      last_success_at = excluded.last_success_at,
      last_run_id = coalesce(excluded.last_run_id, s.last_run_id),
      high_water_date = case
        when s.ad_account_id is not null and s.ad_account_id <> excluded.ad_account_id
          then excluded.high_water_date
        when excluded.high_water_date is null then s.high_water_date
        else greatest(s.high_water_date, excluded.high_water_date)
      end,
      ad_account_id = excluded.ad_account_id,
      updated_at = excluded.updated_at;
  end if;

  if v_failure is not null then
    insert into public.meta_sync_state as s (client_id, task, last_error_at, last_error, last_run_id, updated_at)
    values (
      p_client, p_task, (v_failure ->> 'at')::timestamptz, v_failure -> 'error', p_run_id, now()
    )
    on conflict (client_id, task) do update set
      last_error_at = excluded.last_error_at,
      last_error = excluded.last_error,
      last_run_id = coalesce(excluded.last_run_id, s.last_run_id),
      updated_at = excluded.updated_at;
  end if;

  return jsonb_build_object('written', true);
end
$fn$;

create or replace function public.meta_record_validations(p_records jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = public, pg_temp
as $fn$
declare
  rec jsonb;
  results jsonb := '[]'::jsonb;
  v_client uuid;
  v_checked timestamptz;
  v_outcome text;
  v_current text;
  v_prev_excluded boolean;
  v_prev_after text;
  v_excluded_by_us boolean;
  v_included boolean;
  v_health text;
  v_api text;
  v_touch boolean;
  v_excluded boolean;
  v_guard_account text;
  v_serves record;
begin
  if jsonb_typeof(p_records) is distinct from 'array' then
    raise exception 'meta_record_validations expects a JSON array' using errcode = '22023';
  end if;

  perform 1 from public.clients
  where id in (select (e ->> 'client_id')::uuid from jsonb_array_elements(p_records) e)
  order by id
  for update;

  for rec in select value from jsonb_array_elements(p_records) loop
    v_client := (rec ->> 'client_id')::uuid;
    v_checked := (rec ->> 'checked_at')::timestamptz;
    v_outcome := rec ->> 'outcome';

    select c.api_status::text into v_current from public.clients c where c.id = v_client;
    if not found then
      results := results || jsonb_build_array(jsonb_build_object('client_id', v_client, 'error', 'NOT_FOUND'));
      continue;
    end if;

    -- 0006: a check made for an ad account the client no longer has (or while it is paused) is not
    -- recorded; the answer says so, and the client's sync state notes it.
    v_guard_account := rec ->> 'if_account';
    if v_guard_account is not null then
      select * into v_serves from public.meta_client_serves(v_client, v_guard_account);
      if v_serves.status <> 'ok' then
        perform public.meta_note_superseded(
          v_client, 'validate', v_guard_account, v_serves.status, v_serves.current_ad_account_id,
          rec ->> 'run_id', v_checked
        );
        results := results || jsonb_build_array(jsonb_build_object(
          'client_id', v_client, 'guarded', true, 'superseded', v_serves.status,
          'current_ad_account_id', v_serves.current_ad_account_id
        ));
        continue;
      end if;
    end if;

    v_prev_excluded := null;
    v_prev_after := null;
    select h.excluded_by_validation, h.api_status_after into v_prev_excluded, v_prev_after
    from public.meta_ad_account_validations h
    where h.client_id = v_client and h.checked_at < v_checked
    order by h.checked_at desc
    limit 1;

    -- Our exclusion still stands only if nobody changed api_status since we set it.
    v_included := v_current in ('valid', 'pending');
    v_excluded_by_us := coalesce(v_prev_excluded, false)
      and coalesce(v_prev_after = v_current, false)
      and not v_included;

    case v_outcome
      when 'active', 'account_inactive' then
        v_health := 'valid';
        v_api := case when v_included or v_excluded_by_us then 'valid' else v_current end;
        v_touch := true;
        v_excluded := false;
      when 'no_access' then
        v_health := 'invalid';
        v_excluded := v_included or v_excluded_by_us;
        v_api := case when v_excluded then 'invalid' else v_current end;
        v_touch := true;
      when 'token_invalid', 'token_expired' then
        v_health := case v_outcome when 'token_invalid' then 'invalid' else 'expired' end;
        v_api := v_current;
        v_touch := true;
        v_excluded := v_excluded_by_us;
      when 'check_failed' then
        v_health := null;
        v_api := v_current;
        v_touch := false;
        v_excluded := v_excluded_by_us;
      else
        raise exception 'unknown validation outcome %', v_outcome using errcode = '22023';
    end case;

    insert into public.meta_ad_account_validations as h (
      client_id, ad_account_id, checked_at, outcome, account_status, disable_reason, account_name,
      currency, timezone_name, error_code, error_subcode, error_message, fbtrace_id, token_fingerprint,
      api_status_before, api_status_after, token_health_status_after, excluded_by_validation, run_id
    ) values (
      v_client, rec ->> 'ad_account_id', v_checked, v_outcome, (rec ->> 'account_status')::integer,
      (rec ->> 'disable_reason')::integer, rec ->> 'account_name', rec ->> 'currency',
      rec ->> 'timezone_name', (rec ->> 'error_code')::integer, (rec ->> 'error_subcode')::integer,
      rec ->> 'error_message', rec ->> 'fbtrace_id', rec ->> 'token_fingerprint',
      v_current, v_api, v_health, v_excluded, rec ->> 'run_id'
    )
    on conflict (client_id, checked_at) do update set
      ad_account_id = excluded.ad_account_id,
      outcome = excluded.outcome,
      account_status = excluded.account_status,
      disable_reason = excluded.disable_reason,
      account_name = excluded.account_name,
      currency = excluded.currency,
      timezone_name = excluded.timezone_name,
      error_code = excluded.error_code,
      error_subcode = excluded.error_subcode,
      error_message = excluded.error_message,
      fbtrace_id = excluded.fbtrace_id,
      token_fingerprint = excluded.token_fingerprint,
      api_status_before = excluded.api_status_before,
      api_status_after = excluded.api_status_after,
      token_health_status_after = excluded.token_health_status_after,
      excluded_by_validation = excluded.excluded_by_validation,
      run_id = excluded.run_id;

    -- As before: the client row is updated only when the check sets something.
    if v_health is not null or v_api is distinct from v_current or v_touch then
      update public.clients c set
        token_health_status = coalesce(v_health, c.token_health_status),
        api_status = v_api::public.api_status,
        last_token_validation = case when v_touch then v_checked else c.last_token_validation end
      where c.id = v_client;
    end if;

    -- 0006: the validate task's sync success in the same transaction (one write per job: a job re-run
    -- after an outage cannot leave a history row without its sync state, or the other way round).
    if coalesce((rec ->> 'sync_success')::boolean, false) then
      insert into public.meta_sync_state as s (
        client_id, task, last_success_at, last_run_id, ad_account_id, updated_at
      ) values (
        v_client, 'validate', v_checked, rec ->> 'run_id', rec ->> 'ad_account_id', now()
      )
      on conflict (client_id, task) do update set
        last_success_at = excluded.last_success_at,
        last_run_id = coalesce(excluded.last_run_id, s.last_run_id),
        ad_account_id = excluded.ad_account_id,
        updated_at = excluded.updated_at;
    end if;

    results := results || jsonb_build_array(jsonb_build_object(
      'client_id', v_client,
      'guarded', v_guard_account is not null,
      'checked_at', v_checked,
      'previous_api_status', v_current,
      'api_status', v_api,
      'token_health_status', v_health,
      'touch_last_validation', v_touch,
      'excluded_by_validation', v_excluded
    ));
  end loop;
  return results;
end
$fn$;


comment on function public.meta_guarded_write(uuid, text, text, text, jsonb) is
  'Writes a job''s results only while the client still serves the job''s ad account. @meta-engine/db 0006.';
comment on function public.meta_record_validations(jsonb) is
  'Records ad-account validation checks (history row + client columns) in one call; guarded (0006). @meta-engine/db 0004, 0006.';

do $$
declare
  api_role text;
  fn text;
begin
  foreach fn in array array[
    'public.meta_client_serves(uuid, text)',
    'public.meta_note_superseded(uuid, text, text, text, text, text, timestamptz)',
    'public.meta_guarded_write(uuid, text, text, text, jsonb)',
    'public.meta_record_validations(jsonb)'
  ] loop
    execute format('revoke all on function %s from public', fn);
    foreach api_role in array array['anon', 'authenticated'] loop
      if exists (select 1 from pg_roles where rolname = api_role) then
        execute format('revoke all on function %s from %I', fn, api_role);
      end if;
    end loop;
    if exists (select 1 from pg_roles where rolname = 'service_role') then
      execute format('grant execute on function %s to service_role', fn);
    end if;
  end loop;
end
$$;
