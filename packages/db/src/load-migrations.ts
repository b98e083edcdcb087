import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError } from './errors/migration-error.ts';

/** `0001_app_tables.sql`: four digits, an underscore, lower-case words. */
export const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The package's own migrations folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface Migration {
  /** The number in the file name (1 for `0001_…`): the key in the migrations table. */
  id: number;
  /** The file name without `.sql`, e.g. `0001_app_tables`. */
  name: string;
  /** sha256 of the file with line endings normalised to `\n`. */
  checksum: string;
  sql: string;
}

/** Reads, orders and checksums the migration files; rejects stray `.sql` names and duplicate numbers. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = MIGRATION_FILE.exec(file);
    if (!match) {
      throw new MigrationError(`${file} in ${dir} is not named NNNN_<lower_case_words>.sql`);
    }
    const sql = readFileSync(join(dir, file), 'utf8').replaceAll('\r\n', '\n');
    migrations.push({ id: Number(match[1]), name: file.slice(0, -4), checksum: checksum(sql), sql });
  }
  migrations.sort((a, b) => a.id - b.id);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.id === migrations[i - 1]!.id) {
      throw new MigrationError(
        `${migrations[i - 1]!.name} and ${migrations[i]!.name} share the number ${migrations[i]!.id}`,
      );
    }
  }
  return migrations;
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}
