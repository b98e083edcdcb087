import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finds an executable on PATH or in extra directories; undefined when absent. */
export function which(
  binary: string,
  extraDirs: string[] = [],
  searchPath: string | undefined = process.env.PATH,
): string | undefined {
  const dirs = [...(searchPath ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Debian keeps the Postgres server binaries off PATH, under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  try {
    return readdirSync(root)
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => join(root, major, 'bin'));
  } catch {
    return [];
  }
}
