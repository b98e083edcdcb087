import { describe, expect, it } from 'vitest';
import { checkDatabaseUrl } from './database-url.ts';

describe('checkDatabaseUrl', () => {
  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(checkDatabaseUrl(' postgres://u:p@db.example.supabase.co:5432/postgres ')).toBe(
      'postgres://u:p@db.example.supabase.co:5432/postgres',
    );
    expect(checkDatabaseUrl('postgresql://localhost/db')).toBe('postgresql://localhost/db');
  });

  it.each([
    [undefined, /^DATABASE_URL is not set/],
    ['  ', /^DATABASE_URL is not set/],
    ['db.example.com', /^DATABASE_URL is not a valid URL/],
    ['https://user:hunter2@example.com', /^DATABASE_URL must start with postgres:\/\//],
  ])('%o → one clear line', (value, message) => {
    expect(() => checkDatabaseUrl(value)).toThrow(message);
    try {
      checkDatabaseUrl(value);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
