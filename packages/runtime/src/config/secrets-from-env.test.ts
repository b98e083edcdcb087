import { describe, expect, it } from 'vitest';
import { secretsFromEnv } from './secrets-from-env.ts';

describe('secretsFromEnv: one list, every process', () => {
  it('takes every secret variable, the file-read token and the passwords of REDIS_URL and DATABASE_URL', () => {
    const secrets = secretsFromEnv(
      {
        META_ACCESS_TOKEN_FILE: '/run/secrets/meta',
        META_APP_SECRET: ' app-secret-0123456789 ',
        SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
        ADMIN_PASSWORD: 'admin-password',
        TOKEN_FINGERPRINT_KEY: 'fingerprint-key',
        REDIS_URL: 'rediss://default:redis%2Fpass%40word@redis.example:6380',
        DATABASE_URL: 'postgres://postgres:db-password-1@db.example:5432/postgres',
        SUPABASE_URL: 'https://user:not-a-listed-url@project.supabase.co',
        LOG_LEVEL: 'info',
      },
      { META_ACCESS_TOKEN: 'EAAtoken-from-file' },
    );
    expect(secrets.toSorted()).toEqual(
      [
        'EAAtoken-from-file',
        'app-secret-0123456789',
        'service-role-key-0123456789',
        'admin-password',
        'fingerprint-key',
        'redis%2Fpass%40word',
        'redis/pass@word',
        'db-password-1',
      ].toSorted(),
    );
  });

  it('lists the longest first, so a secret containing another is scrubbed whole', () => {
    const secrets = secretsFromEnv({
      META_ACCESS_TOKEN: 'EAAtoken-value-long',
      ADMIN_PASSWORD: 'token-value',
    });
    expect(secrets).toEqual(['EAAtoken-value-long', 'token-value']);
  });

  it('leaves out unset and short values; an unset fingerprint key is the public default, not a secret', () => {
    expect(
      secretsFromEnv({ ADMIN_PASSWORD: '  ', REDIS_URL: 'redis://:short@host', TOKEN_FINGERPRINT_KEY: '' }),
    ).toEqual([]);
    expect(secretsFromEnv({ REDIS_URL: 'not a url', DATABASE_URL: 'postgres://nopassword@host/db' })).toEqual(
      [],
    );
  });

  it('is the same set whichever process asks: variables it does not read itself count too', () => {
    const env = { META_ACCESS_TOKEN: 'EAAtoken-value', ADMIN_PASSWORD: 'admin-password' };
    expect(secretsFromEnv(env)).toEqual(['EAAtoken-value', 'admin-password']);
  });
});
