-- 0003_token_health_trigger: stop the app's trigger from erasing what validation writes.
--
-- The app's `update_token_health_trigger` (BEFORE INSERT OR UPDATE on clients) runs
-- `update_token_health_status()`, which recomputes token_health_status from token_expires_at and sets
-- last_token_validation = now() on EVERY update: an explicit token_health_status = 'invalid' could never
-- be stored. Where that trigger exists, its function is replaced by one that
--   - on INSERT behaves exactly as before (status from token_expires_at, last_token_validation = now());
--   - on UPDATE recomputes only when token_expires_at actually changed (IS DISTINCT FROM), and even then
--     keeps a token_health_status / last_token_validation that the same statement wrote explicitly;
--     any other update leaves both columns as written.
-- Where the trigger does not exist (an empty database), nothing is created. The search_path stays
-- pinned as the app's 20260525 security migration left it. Safe to re-run (create or replace).
do $migration$
declare
  trigger_function regprocedure;
begin
  select t.tgfoid::regprocedure into trigger_function
  from pg_trigger t
  where t.tgrelid = to_regclass('public.clients')
    and t.tgname = 'update_token_health_trigger'
    and not t.tgisinternal;

  if trigger_function is null then
    raise notice 'no update_token_health_trigger on public.clients: nothing to replace';
    return;
  end if;

  execute format($ddl$
    create or replace function %s
    returns trigger
    language plpgsql
    set search_path = public, pg_temp
    as $body$
    begin
      if tg_op = 'UPDATE' and new.token_expires_at is not distinct from old.token_expires_at then
        return new;
      end if;

      if tg_op = 'INSERT' or new.token_health_status is not distinct from old.token_health_status then
        if new.token_expires_at is null then
          new.token_health_status = 'valid';
        elsif new.token_expires_at <= now() then
          new.token_health_status = 'expired';
        elsif new.token_expires_at <= now() + interval '30 days' then
          new.token_health_status = 'expiring_soon';
        else
          new.token_health_status = 'valid';
        end if;
      end if;

      if tg_op = 'INSERT' or new.last_token_validation is not distinct from old.last_token_validation then
        new.last_token_validation = now();
      end if;

      return new;
    end
    $body$
  $ddl$, trigger_function);

  execute format(
    'comment on function %s is %L',
    trigger_function,
    'Token health from token_expires_at on INSERT, and on UPDATE only when token_expires_at changes '
    '(explicit writes kept). Replaced by @meta-engine/db migration 0003.'
  );
end
$migration$;
