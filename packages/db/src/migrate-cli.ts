/**
 * `pnpm db:migrate`: applies the pending migrations to DATABASE_URL, read from the environment (after
 * `./.env` or ENV_FILE, which never override it) with the runtime's configuration helpers. Exit code 0
 * when the database is up to date, 78 with one line naming DATABASE_URL when it is missing or malformed,
 * 1 with one line when the migration fails.
 */
import { exitOnConfigError, field, loadDotEnv, parseEnv } from '@meta-engine/runtime';
import { z } from 'zod';
import { migrate } from './migrate.ts';

const schema = z.object({
  DATABASE_URL: field.url({
    protocols: ['postgres:', 'postgresql:'],
    hint: 'a postgres:// or postgresql:// connection string such as postgres://postgres:<password>@db.<project-ref>.supabase.co:5432/postgres',
  }),
});

let url: string;
try {
  loadDotEnv();
  url = parseEnv(schema, process.env).DATABASE_URL;
} catch (error) {
  exitOnConfigError(error, 'db:migrate');
  throw error;
}

try {
  const { applied, skipped } = await migrate(url, { log: (line) => console.log(line) });
  console.log(
    applied.length === 0
      ? `database is up to date (${skipped.length} migrations already applied)`
      : `applied ${applied.length} migration(s): ${applied.join(', ')}`,
  );
} catch (error) {
  console.error(`db:migrate failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
