import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_FINGERPRINT_KEY, loadConfig, secretsOf } from './config.ts';

const BASE = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  SUPABASE_URL: 'https://project.supabase.co',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
};

function problem(env: NodeJS.ProcessEnv, needs = {}): string {
  try {
    loadConfig(env, needs);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(BASE);
    expect(config).toMatchObject({
      queuePrefix: '{meta}',
      tokenFingerprintKey: DEFAULT_FINGERPRINT_KEY,
      tokenFingerprintKeyIsDefault: true,
      admin: { host: '127.0.0.1', port: 3000, readOnly: false },
      schedules: {
        validate: { pattern: '0 6 * * *', tz: 'Europe/Warsaw' },
        'refresh-cache': { pattern: '5 */2 * * *', tz: 'Europe/Warsaw' },
        'collect-insights': { pattern: '30 2 * * *', tz: 'Europe/Warsaw' },
      },
      fanout: { pageSize: 1000, chunkSize: 500, concurrency: 2 },
      logLevel: 'info',
    });
  });

  it('turns a task off with "off" and takes a time zone per task', () => {
    const config = loadConfig({
      ...BASE,
      SCHEDULE_REFRESH_CACHE: 'off',
      SCHEDULE_TZ: 'UTC',
      SCHEDULE_COLLECT_INSIGHTS: '15 3 * * 1-5',
      SCHEDULE_COLLECT_INSIGHTS_TZ: 'America/New_York',
    });
    expect(config.schedules).toEqual({
      validate: { pattern: '0 6 * * *', tz: 'UTC' },
      'refresh-cache': null,
      'collect-insights': { pattern: '15 3 * * 1-5', tz: 'America/New_York' },
    });
  });

  it.each([
    [{ ...BASE, REDIS_URL: undefined }, 'REDIS_URL is required'],
    [{ ...BASE, REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ ...BASE, SUPABASE_URL: 'nope' }, 'SUPABASE_URL must be the http(s):// URL of the Supabase project'],
    [{ ...BASE, ADMIN_PORT: '70000' }, 'ADMIN_PORT must be at most 65535'],
    [{ ...BASE, ADMIN_PORT: 'abc' }, 'ADMIN_PORT must be a whole number'],
    [{ ...BASE, SCHEDULE_TZ: 'Mars/Olympus' }, 'SCHEDULE_TZ must be an IANA time zone'],
    [{ ...BASE, SCHEDULE_VALIDATE: 'every day' }, 'SCHEDULE_VALIDATE is not a cron pattern (expected 5 or 6'],
    [{ ...BASE, LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error'],
    [{ ...BASE, QUEUE_PREFIX: 'a:b' }, 'QUEUE_PREFIX must be non-empty, without spaces or ":"'],
    [{ ...BASE, FANOUT_PAGE_SIZE: '5000' }, 'FANOUT_PAGE_SIZE must be at most 1000'],
    [{ ...BASE, BULL_BOARD_READ_ONLY: 'maybe' }, 'BULL_BOARD_READ_ONLY must be true or false'],
  ])('one line naming the variable: %#', (env, expected) => {
    expect(problem(env)).toContain(expected);
  });

  it('never echoes a value', () => {
    const message = problem({ ...BASE, REDIS_URL: 'http://user:hunter2-secret@host' });
    expect(message).not.toContain('hunter2');
  });

  it('requires what the command needs', () => {
    expect(problem(BASE, { token: true, admin: true })).toBe(
      'Invalid configuration: META_ACCESS_TOKEN is required; ADMIN_USER is required to serve the admin HTTP API; ADMIN_PASSWORD is required to serve the admin HTTP API',
    );
    expect(problem({ ...BASE, ADMIN_USER: 'a', ADMIN_PASSWORD: 'short' }, { admin: true })).toContain(
      'ADMIN_PASSWORD must be at least 8 characters',
    );
  });

  it('lists the secrets a logger must scrub, not the public default key', () => {
    const config = loadConfig({
      ...BASE,
      META_ACCESS_TOKEN: 'EAAsecret-token',
      ADMIN_PASSWORD: 'pass-word-1',
    });
    expect(secretsOf(config).sort()).toEqual(
      ['EAAsecret-token', 'pass-word-1', 'service-role-key-0123456789'].sort(),
    );
  });
});
