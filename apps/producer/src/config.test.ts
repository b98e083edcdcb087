import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConfigError } from '@meta-engine/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigNeeds, DEFAULT_FINGERPRINT_KEY, loadConfig } from './config.ts';

const BASE = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  SUPABASE_URL: 'https://project.supabase.co',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
};

function problem(env: NodeJS.ProcessEnv, needs: ConfigNeeds = {}): string {
  try {
    loadConfig(env, needs);
  } catch (error) {
    expect(isConfigError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(BASE);
    expect(config).toMatchObject({
      redis: { url: BASE.REDIS_URL, clusterNodes: undefined },
      queuePrefix: '{meta}',
      tokenFingerprintKey: DEFAULT_FINGERPRINT_KEY,
      tokenFingerprintKeyIsDefault: true,
      metaAccessToken: undefined,
      metaAccessTokenFile: undefined,
      admin: { host: '127.0.0.1', port: 3000, readOnly: false },
      schedules: {
        validate: { pattern: '0 6 * * *', tz: 'Europe/Warsaw' },
        'refresh-cache': { pattern: '5 */2 * * *', tz: 'Europe/Warsaw' },
        // local: after each account's own midnight, not a cron.
        'collect-insights': null,
        summaries: null,
        'drift-check': { pattern: '30 5 * * 3', tz: 'Europe/Warsaw' },
      },
      local: {
        tasks: ['collect-insights', 'summaries'],
        rolloverRefresh: true,
        delayMinutes: 30,
        tickMinutes: 15,
        fallbackTimeZone: 'Europe/Warsaw',
      },
      fanout: { pageSize: 1000, chunkSize: 500, concurrency: 2 },
      runRetentionSeconds: 168 * 3600,
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
      summaries: null,
      'drift-check': { pattern: '30 5 * * 3', tz: 'UTC' },
    });
    expect(config.local.tasks).toEqual(['summaries']);
    expect(config.local.fallbackTimeZone).toBe('UTC');
    expect(loadConfig({ ...BASE, SCHEDULE_VALIDATE: ' ' }).schedules.validate?.pattern).toBe('0 6 * * *');
  });

  it('schedules a task after each account’s midnight with "local", with a delay and a tick that divides an hour', () => {
    const config = loadConfig({
      ...BASE,
      SCHEDULE_VALIDATE: 'LOCAL',
      LOCAL_MIDNIGHT_DELAY_MINUTES: '45',
      LOCAL_TICK_MINUTES: '5',
      LOCAL_ROLLOVER_REFRESH: 'false',
    });
    expect(config.schedules.validate).toBeNull();
    expect(config.local).toEqual({
      tasks: ['validate', 'collect-insights', 'summaries'],
      rolloverRefresh: false,
      delayMinutes: 45,
      tickMinutes: 5,
      fallbackTimeZone: 'Europe/Warsaw',
    });
    expect(problem({ ...BASE, LOCAL_TICK_MINUTES: '7' })).toContain(
      'LOCAL_TICK_MINUTES: expected a divisor of 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), got "7"',
    );
    expect(problem({ ...BASE, LOCAL_MIDNIGHT_DELAY_MINUTES: '-5' })).toContain(
      'LOCAL_MIDNIGHT_DELAY_MINUTES',
    );
  });

  it.each([
    [{ ...BASE, REDIS_URL: undefined }, 'REDIS_URL: is required (or REDIS_CLUSTER_NODES)'],
    [
      { ...BASE, REDIS_URL: 'http://localhost:6379' },
      'REDIS_URL: expected a redis:// or rediss:// URL, got http://…',
    ],
    [{ ...BASE, SUPABASE_URL: 'nope' }, 'SUPABASE_URL: expected the http(s):// URL of the Supabase project'],
    [{ ...BASE, ADMIN_PORT: '70000' }, "ADMIN_PORT: expected a port from 0 to 65535, got '70000'"],
    [{ ...BASE, ADMIN_PORT: 'abc' }, "ADMIN_PORT: expected a port from 0 to 65535, got 'abc'"],
    [{ ...BASE, ADMIN_PORT: '1e3' }, "ADMIN_PORT: expected a port from 0 to 65535, got '1e3'"],
    [
      { ...BASE, SCHEDULE_TZ: 'Mars/Olympus' },
      "SCHEDULE_TZ: expected an IANA time zone such as Europe/Warsaw or UTC, got 'Mars/Olympus'",
    ],
    [
      { ...BASE, SCHEDULE_VALIDATE: 'every day' },
      `SCHEDULE_VALIDATE: is not a cron pattern (expected 5 or 6 space-separated fields, got 2); use "local" (after each account's midnight) or "off"`,
    ],
    [
      { ...BASE, LOG_LEVEL: 'loud' },
      "LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
    ],
    [{ ...BASE, QUEUE_PREFIX: '{a}{b}' }, 'QUEUE_PREFIX: invalid queue prefix "{a}{b}"'],
    [{ ...BASE, FANOUT_PAGE_SIZE: '5000' }, "FANOUT_PAGE_SIZE: must be at most 1000, got '5000'"],
    [{ ...BASE, FANOUT_CHUNK_SIZE: 'abc' }, "FANOUT_CHUNK_SIZE: expected an integer, got 'abc'"],
    [
      { ...BASE, BULL_BOARD_READ_ONLY: 'maybe' },
      "BULL_BOARD_READ_ONLY: expected true or false (or 1/0, yes/no), got 'maybe'",
    ],
  ])('one line naming the variable: %#', (env, expected) => {
    const message = problem(env);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(expected);
  });

  it('accepts what the worker accepts: app:{meta}, " 5 ", and a REDIS_CLUSTER_NODES list', () => {
    expect(loadConfig({ ...BASE, QUEUE_PREFIX: 'app:{meta}' }).queuePrefix).toBe('app:{meta}');
    expect(loadConfig({ ...BASE, FANOUT_CONCURRENCY: ' 5 ' }).fanout.concurrency).toBe(5);
    expect(
      loadConfig({ ...BASE, REDIS_URL: undefined, REDIS_CLUSTER_NODES: 'r1:7000, r2:7000' }).redis,
    ).toEqual({
      url: undefined,
      clusterNodes: ['r1:7000', 'r2:7000'],
    });
  });

  it('never echoes a URL or a secret', () => {
    const message = problem({
      ...BASE,
      REDIS_URL: 'http://user:hunter2-secret@host',
      ADMIN_PASSWORD: 'pass',
      META_ACCESS_TOKEN: 'EAAx',
    });
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain("'pass'");
    expect(message).not.toContain('EAAx');
  });

  it('requires what the command needs, naming both ways to give the token', () => {
    expect(problem(BASE, { token: true, admin: true })).toBe(
      [
        'META_ACCESS_TOKEN: is required (or META_ACCESS_TOKEN_FILE)',
        'ADMIN_USER: is required to serve the admin HTTP API',
        'ADMIN_PASSWORD: is required to serve the admin HTTP API',
      ].join('\n'),
    );
    expect(problem({ ...BASE, ADMIN_USER: 'a', ADMIN_PASSWORD: 'short' }, { admin: true })).toBe(
      'ADMIN_PASSWORD: must be the admin password (at least 8 characters)',
    );
  });

  it('lists the secrets a logger must scrub, not the public default key', () => {
    const config = loadConfig({
      ...BASE,
      META_ACCESS_TOKEN: 'EAAsecret-token',
      ADMIN_PASSWORD: 'pass-word-1',
      META_APP_SECRET: 'app-secret-0123456789',
    });
    expect(config.secrets.toSorted()).toEqual(
      ['EAAsecret-token', 'pass-word-1', 'service-role-key-0123456789', 'app-secret-0123456789'].toSorted(),
    );
    expect(loadConfig({ ...BASE, TOKEN_FINGERPRINT_KEY: 'real-fingerprint-key' }).secrets).toContain(
      'real-fingerprint-key',
    );
  });
});

describe('META_ACCESS_TOKEN_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'producer-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the token from the file (trimmed) and keeps the path to re-read it', () => {
    const path = join(dir, 'token');
    writeFileSync(path, '\nEAAtoken-from-file\n');
    const config = loadConfig({ ...BASE, META_ACCESS_TOKEN_FILE: path }, { token: true });
    expect(config.metaAccessToken).toBe('EAAtoken-from-file');
    expect(config.metaAccessTokenFile).toBe(path);
    expect(config.secrets).toContain('EAAtoken-from-file');
  });

  it('refuses both at once and names the file of an unreadable token, never its content', () => {
    const path = join(dir, 'both');
    writeFileSync(path, 'EAAtoken-from-file');
    expect(problem({ ...BASE, META_ACCESS_TOKEN: 'EAAtoken-in-env', META_ACCESS_TOKEN_FILE: path })).toBe(
      'META_ACCESS_TOKEN: set META_ACCESS_TOKEN or META_ACCESS_TOKEN_FILE, not both',
    );
    const short = join(dir, 'short');
    writeFileSync(short, 'EAAab');
    const message = problem({ ...BASE, META_ACCESS_TOKEN_FILE: short });
    expect(message).toBe(
      `META_ACCESS_TOKEN_FILE: ${short} does not hold the system-user access token (expected at least 8 characters)`,
    );
    expect(message).not.toContain('EAAab');
  });
});
