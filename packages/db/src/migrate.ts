/**
 * @module migrate
 * Applies `packages/db/migrations/NNNN_<what>.sql` in order, each once, in its own transaction.
 *
 * As Graphile Worker does: every migration runs in a transaction that first takes a transaction-level
 * advisory lock and inserts its id into `meta_engine_migrations`; a second process racing on the same
 * migration waits for the lock, then finds the id and treats it as done. Transaction-level locks also
 * work through a transaction-mode pooler. An applied migration whose file changed since is an error
 * (migrations are never edited once merged). At the end `NOTIFY pgrst, 'reload schema'` makes PostgREST
 * (Supabase's REST API) see the new tables.
 *
 * @example
 * const { applied } = await migrate(process.env.DATABASE_URL!);
 */
import postgres from 'postgres';
import { MigrationError } from './errors/migration-error.ts';
import { loadMigrations, type Migration } from './load-migrations.ts';

/** The table that records applied migrations. */
export const MIGRATIONS_TABLE = 'meta_engine_migrations';

/** Key of the advisory lock every migration transaction takes (`hashtext` of the table name). */
const LOCK_SQL = `select pg_advisory_xact_lock(hashtext('${MIGRATIONS_TABLE}'))`;

const CREATE_TABLE_SQL = `
create table if not exists public.${MIGRATIONS_TABLE} (
  id integer primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
);
alter table public.${MIGRATIONS_TABLE} enable row level security;
do $$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = api_role) then
      execute format('revoke all on table public.${MIGRATIONS_TABLE} from %I', api_role);
    end if;
  end loop;
end
$$;
`;

export interface MigrateOptions {
  /** Folder of `NNNN_<what>.sql` files (default: this package's `migrations/`). */
  migrationsDir?: string;
  /** Receives progress lines and the database's NOTICE/WARNING messages. Silent by default. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order. */
  applied: string[];
  /** Names that were already applied (by an earlier run or a concurrent process). */
  skipped: string[];
}

/** Applies the pending migrations to `databaseUrl` (a Postgres connection string with DDL rights). */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const migrations = loadMigrations(options.migrationsDir);
  const sql = postgres(databaseUrl, {
    max: 1,
    prepare: false,
    connect_timeout: 10,
    onnotice: (notice) => log(`${notice.severity ?? 'NOTICE'}: ${notice.message}`),
  });
  const result: MigrateResult = { applied: [], skipped: [] };
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(LOCK_SQL);
      await tx.unsafe(CREATE_TABLE_SQL);
    });
    const recorded = await sql.unsafe<{ id: number; name: string; checksum: string }[]>(
      `select id, name, checksum from public.${MIGRATIONS_TABLE}`,
    );
    const recordedById = new Map(recorded.map((row) => [row.id, row]));
    for (const migration of migrations) {
      const row = recordedById.get(migration.id);
      if (row) assertUnchanged(migration, row.checksum);
    }
    for (const migration of migrations) {
      if (recordedById.has(migration.id)) {
        result.skipped.push(migration.name);
        continue;
      }
      const started = performance.now();
      const applied = await applyOne(sql, migration);
      if (applied) {
        result.applied.push(migration.name);
        log(`applied ${migration.name} (${Math.round(performance.now() - started)} ms)`);
      } else {
        result.skipped.push(migration.name);
        log(`${migration.name} was applied by another process meanwhile`);
      }
    }
    await sql.unsafe(`notify pgrst, 'reload schema'`);
    return result;
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(describe(error), { cause: error });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One migration in one transaction: lock, record the id first, run the file. False if already recorded. */
async function applyOne(sql: postgres.Sql, migration: Migration): Promise<boolean> {
  try {
    return await sql.begin(async (tx) => {
      await tx.unsafe(LOCK_SQL);
      const inserted = await tx.unsafe(
        `insert into public.${MIGRATIONS_TABLE} (id, name, checksum) values ($1, $2, $3)
         on conflict (id) do nothing returning id`,
        [migration.id, migration.name, migration.checksum],
      );
      if (inserted.length === 0) {
        const [row] = await tx.unsafe<{ checksum: string }[]>(
          `select checksum from public.${MIGRATIONS_TABLE} where id = $1`,
          [migration.id],
        );
        if (row) assertUnchanged(migration, row.checksum);
        return false;
      }
      await tx.unsafe(migration.sql);
      return true;
    });
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(describe(error, migration.sql), { migration: migration.name, cause: error });
  }
}

function assertUnchanged(migration: Migration, recordedChecksum: string): void {
  if (recordedChecksum !== migration.checksum) {
    throw new MigrationError(
      'the file changed after it was applied (checksum differs); applied migrations are never edited, add a new one',
      { migration: migration.name },
    );
  }
}

/** The Postgres message plus its line in the migration file when the server reported a position. */
function describe(error: unknown, text?: string): string {
  if (!(error instanceof Error)) return String(error);
  const pgError = error as Error & { code?: string; position?: string; where?: string };
  let message = pgError.message;
  if (pgError.code) message += ` [${pgError.code}]`;
  const position = Number(pgError.position);
  if (text && Number.isInteger(position) && position > 0) {
    message += ` at line ${text.slice(0, position).split('\n').length}`;
  } else if (pgError.where) {
    message += ` (${pgError.where.split('\n')[0]})`;
  }
  return message;
}
