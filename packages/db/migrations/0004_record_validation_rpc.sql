-- 0004_record_validation_rpc: record ad-account validations in ONE PostgREST request.
--
-- `recordValidation` used four requests per check (read the client's api_status, read the previous history
-- row, upsert the history row, update the client). At 10,000 clients that made PostgREST the busiest
-- process of a re-validation (bench/: `revalidate`, `overhead`). This function does the same in one
-- transaction, for one or many checks:
--
--   select public.meta_record_validations('[{...}, {...}]'::jsonb)  -- via POST /rest/v1/rpc/...
--
-- Each element carries the history row's columns (client_id, ad_account_id, checked_at, outcome,
-- account_status, disable_reason, account_name, currency, timezone_name, error_code, error_subcode,
-- error_message, fbtrace_id, token_fingerprint, run_id). The answer is an array in the same order:
-- {client_id, checked_at, previous_api_status, api_status, token_health_status, touch_last_validation,
-- excluded_by_validation}, or {client_id, error: 'NOT_FOUND'} for an unknown client (nothing written for it).
--
-- The mapping is the one of src/validation-mapping.ts (`mapValidationOutcome`); the test
-- `record-validation-rpc.test.ts` checks both agree on every outcome x status x previous-row case.
-- The clients of one call are locked in id order first (`for update`), so two concurrent checks of one
-- client can no longer both read the same "previous" state, and concurrent batches cannot deadlock.
-- Only service_role may execute it. Safe to re-run (create or replace; grants are idempotent).
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

    results := results || jsonb_build_array(jsonb_build_object(
      'client_id', v_client,
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

comment on function public.meta_record_validations(jsonb) is
  'Records ad-account validation checks (history row + client columns) in one call. @meta-engine/db 0004.';

revoke all on function public.meta_record_validations(jsonb) from public;
do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = api_role) then
      execute format('revoke all on function public.meta_record_validations(jsonb) from %I', api_role);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant execute on function public.meta_record_validations(jsonb) to service_role;
  end if;
end
$$;
