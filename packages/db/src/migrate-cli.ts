/**
 * `pnpm db:migrate`: applies the pending migrations to DATABASE_URL (read from the environment, or from
 * `.env` in the working directory when the variable is not set there). Exit code 0 when the database is
 * up to date, 1 with one line on stderr otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { checkDatabaseUrl } from './database-url.ts';
import { migrate } from './migrate.ts';

function readDotEnv(variable: string): string | undefined {
  if (!existsSync('.env')) return undefined;
  return parseEnv(readFileSync('.env', 'utf8'))[variable];
}

async function main(): Promise<number> {
  let url: string;
  try {
    url = checkDatabaseUrl(process.env.DATABASE_URL ?? readDotEnv('DATABASE_URL'));
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  try {
    const { applied, skipped } = await migrate(url, { log: (line) => console.log(line) });
    console.log(
      applied.length === 0
        ? `database is up to date (${skipped.length} migrations already applied)`
        : `applied ${applied.length} migration(s): ${applied.join(', ')}`,
    );
    return 0;
  } catch (error) {
    console.error(`db:migrate failed: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
