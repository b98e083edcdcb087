import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checksum, loadMigrations } from './load-migrations.ts';

let dir: string | undefined;
function folder(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'load-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('loadMigrations', () => {
  it('orders by number, ignores other files, normalises CRLF before the checksum', () => {
    const migrations = loadMigrations(
      folder({ '0010_b.sql': 'select 2;\r\n', '0002_a.sql': 'select 1;\n', 'README.md': '#' }),
    );
    expect(migrations.map((m) => [m.id, m.name])).toEqual([
      [2, '0002_a'],
      [10, '0010_b'],
    ]);
    expect(migrations[1]!.checksum).toBe(checksum('select 2;\n'));
  });

  it('rejects badly named .sql files and duplicate numbers', () => {
    expect(() => loadMigrations(folder({ '1_x.sql': '' }))).toThrow(/1_x\.sql .* is not named NNNN_/);
    rmSync(dir!, { recursive: true });
    expect(() => loadMigrations(folder({ '0001_a.sql': '', '0001_b.sql': '' }))).toThrow(
      /share the number 1/,
    );
  });

  it('the package’s own migrations are numbered 1, 2, 3… without gaps', () => {
    const ids = loadMigrations().map((m) => m.id);
    expect(ids).toEqual(ids.map((_, index) => index + 1));
  });
});
