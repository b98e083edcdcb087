import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFingerprint } from '@meta-engine/meta-client';
import { isConfigError } from '@meta-engine/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { limiterSettingsFor, workerSettingsFor } from './start-worker.ts';
import { resolveWorkerSettings } from './worker-app.ts';

const BASE = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_SERVICE_ROLE_KEY: 'x'.repeat(40),
  META_ACCESS_TOKEN: 'EAAtoken-value',
};

describe('loadConfig', () => {
  it('fills every default', () => {
    const config = loadConfig(BASE);
    expect(config).toMatchObject({
      META_GRAPH_URL: 'https://graph.facebook.com',
      META_TIME_SCALE: 1,
      META_MAX_CONNECTIONS: 64,
      LIMITER_SAFETY_FACTOR: 0.9,
      QUEUE_PREFIX: '{meta}',
      CONCURRENCY_VALIDATE: 20,
      ACCOUNT_CONCURRENCY: 2,
      INSIGHTS_LOOKBACK_DAYS: 28,
      INSIGHTS_ASYNC_THRESHOLD_DAYS: 62,
      REFRESH_AD_RELEVANCE: true,
      SHUTDOWN_TIMEOUT_MS: 25_000,
    });
  });

  it('passes the safety factor to the limiter and rejects one above 1', () => {
    expect(limiterSettingsFor(loadConfig({ ...BASE, LIMITER_SAFETY_FACTOR: '0.95' })).safetyFactor).toBe(
      0.95,
    );
    expect(() => loadConfig({ ...BASE, LIMITER_SAFETY_FACTOR: '1.5' })).toThrow(/^LIMITER_SAFETY_FACTOR: /);
  });

  it('rejects a connection pool of zero, naming the variable', () => {
    expect(() => loadConfig({ ...BASE, META_MAX_CONNECTIONS: '0' })).toThrow(/^META_MAX_CONNECTIONS: /);
  });

  it('names every bad variable on its own line, never echoing the token', () => {
    let message = '';
    try {
      loadConfig({
        ...BASE,
        REDIS_URL: 'http://x',
        META_ACCESS_TOKEN: 'short',
        REFRESH_AD_RELEVANCE: 'maybe',
      });
    } catch (error) {
      expect(isConfigError(error)).toBe(true);
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'REDIS_URL: expected a redis:// or rediss:// URL, got http://…',
      'META_ACCESS_TOKEN: must be the system-user access token (at least 8 characters)',
      "REFRESH_AD_RELEVANCE: expected true or false (or 1/0, yes/no), got 'maybe'",
    ]);
    expect(message).not.toContain('short');
  });

  it('reports a missing variable as required, and a malformed one as what it is', () => {
    expect(() => loadConfig({})).toThrow(/^REDIS_URL: is required \(or REDIS_CLUSTER_NODES\)$/m);
    expect(() => loadConfig({ ...BASE, CONCURRENCY_VALIDATE: 'abc' })).toThrow(
      /^CONCURRENCY_VALIDATE: expected an integer, got 'abc'$/,
    );
    expect(() => loadConfig({ ...BASE, CONCURRENCY_VALIDATE: '' })).not.toThrow();
  });

  it('trims every value the same way: " 5 " is 5', () => {
    expect(loadConfig({ ...BASE, CONCURRENCY_VALIDATE: ' 5 ' }).CONCURRENCY_VALIDATE).toBe(5);
    expect(loadConfig({ ...BASE, META_ACCESS_TOKEN: ' EAAtoken-value ' }).META_ACCESS_TOKEN).toBe(
      'EAAtoken-value',
    );
  });

  it('lists every secret of the environment for its logs, not only the token and the app secret', () => {
    const config = loadConfig({
      ...BASE,
      META_APP_SECRET: 'app-secret-0123456789',
      ADMIN_PASSWORD: 'admin-password-1',
      REDIS_URL: 'redis://default:redis-password@127.0.0.1:6379',
    });
    expect(config.secrets.toSorted()).toEqual(
      [
        BASE.SUPABASE_SERVICE_ROLE_KEY,
        BASE.META_ACCESS_TOKEN,
        'app-secret-0123456789',
        'admin-password-1',
        'redis-password',
      ].toSorted(),
    );
  });

  it('parses booleans', () => {
    expect(loadConfig({ ...BASE, REFRESH_AD_RELEVANCE: 'false' }).REFRESH_AD_RELEVANCE).toBe(false);
    expect(loadConfig({ ...BASE, REFRESH_AD_RELEVANCE: '1' }).REFRESH_AD_RELEVANCE).toBe(true);
  });
});

describe('settings from the configuration', () => {
  it("dev tier hints by default; the time scale shortens Meta's hour and Meta-time waits", () => {
    const dev = limiterSettingsFor(loadConfig(BASE));
    expect(dev.paces?.ads_insights).toEqual({ callsPerHour: 600, burst: 3 });
    expect(dev.windowMs).toBe(3_600_000);
    expect(dev.fallbackBlockMs).toBe(300_000);
    const fast = limiterSettingsFor(
      loadConfig({ ...BASE, META_TIME_SCALE: '3600', ACCOUNT_CONCURRENCY: '0' }),
    );
    // Quotas stay per Meta hour; the hour itself is 1 s of real time.
    expect(fast.paces?.ads_insights?.callsPerHour).toBe(600);
    expect(fast.windowMs).toBe(1_000);
    expect(fast.fallbackBlockMs).toBe(83);
    expect(fast.maxConcurrentPerAccount).toBe(0);
    const standard = limiterSettingsFor(loadConfig({ ...BASE, META_ACCESS_TIER: 'standard' }));
    expect(standard.paces?.ads_management?.callsPerHour).toBe(100_000);
  });

  it('maps concurrency and step-job settings', () => {
    const settings = resolveWorkerSettings(
      workerSettingsFor(
        loadConfig({ ...BASE, CONCURRENCY_REFRESH_CACHE: '3', ASYNC_POLL_INTERVAL_MS: '250' }),
      ),
    );
    expect(settings.concurrency).toEqual({
      validate: 20,
      'refresh-cache': 3,
      'collect-insights': 10,
      summaries: 10,
      'drift-check': 5,
    });
    expect(settings.asyncPollIntervalMs).toBe(250);
    expect(resolveWorkerSettings({ concurrency: { validate: 1 } }).concurrency).toEqual({
      validate: 1,
      'refresh-cache': 10,
      'collect-insights': 10,
      summaries: 10,
      'drift-check': 5,
    });
  });

  it('maps the summaries settings, and names a bad re-collection day', () => {
    const settings = resolveWorkerSettings(
      workerSettingsFor(
        loadConfig({
          ...BASE,
          SUMMARIES_BACKFILL_MONTHS: '3',
          SUMMARIES_PIECE_WEEKS: '9',
          SUMMARIES_RECOLLECT_DAYS: ' 28, 5,5 ',
        }),
      ),
    );
    expect(settings).toMatchObject({
      summariesBackfillMonths: 3,
      summariesBackfillWeeks: 54,
      summariesPieceWeeks: 9,
      summariesRestatementDays: 28,
      summariesMonthlyRecollectDays: [5, 28],
      summariesWeeklyRecollectWeekdays: [1],
    });
    expect(() => loadConfig({ ...BASE, SUMMARIES_RECOLLECT_DAYS: '5,32' })).toThrow(
      'SUMMARIES_RECOLLECT_DAYS: 32 is outside 1-31',
    );
    expect(() => loadConfig({ ...BASE, SUMMARIES_RECOLLECT_WEEKDAYS: 'mon' })).toThrow(
      /SUMMARIES_RECOLLECT_WEEKDAYS: expected comma-separated whole numbers from 1 to 7/,
    );
    expect(() => loadConfig({ ...BASE, SUMMARIES_BACKFILL_MONTHS: '37' })).toThrow(
      /SUMMARIES_BACKFILL_MONTHS/,
    );
  });
});

describe('tokenFingerprint', () => {
  it('is HMAC-SHA256(key, token) in hex, as the producer computes it', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(tokenFingerprint('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('QUEUE_PREFIX', () => {
  it('accepts a hash-tagged prefix and names a malformed one', () => {
    expect(loadConfig({ ...BASE, QUEUE_PREFIX: '{prod}' }).QUEUE_PREFIX).toBe('{prod}');
    expect(loadConfig({ ...BASE, QUEUE_PREFIX: 'app:{meta}' }).QUEUE_PREFIX).toBe('app:{meta}');
    expect(() => loadConfig({ ...BASE, QUEUE_PREFIX: '{a}{b}' })).toThrow(
      /^QUEUE_PREFIX: invalid queue prefix /,
    );
  });
});

describe('META_ACCESS_TOKEN_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { META_ACCESS_TOKEN: _token, ...withoutToken } = BASE;

  it('reads the token from the file and keeps the path', () => {
    const path = join(dir, 'meta-token');
    writeFileSync(path, 'EAAtoken-from-file\n');
    const config = loadConfig({ ...withoutToken, META_ACCESS_TOKEN_FILE: path });
    expect(config.META_ACCESS_TOKEN).toBe('EAAtoken-from-file');
    expect(config.metaAccessTokenFile).toBe(path);
    expect(config.secrets).toContain('EAAtoken-from-file');
    expect(loadConfig(BASE).metaAccessTokenFile).toBeUndefined();
  });

  it('needs exactly one of the two', () => {
    expect(() => loadConfig(withoutToken)).toThrow(
      /^META_ACCESS_TOKEN: is required \(or META_ACCESS_TOKEN_FILE\)$/,
    );
    const path = join(dir, 'both');
    writeFileSync(path, 'EAAtoken-from-file');
    expect(() => loadConfig({ ...BASE, META_ACCESS_TOKEN_FILE: path })).toThrow(
      /^META_ACCESS_TOKEN: set META_ACCESS_TOKEN or META_ACCESS_TOKEN_FILE, not both$/,
    );
  });

  it('names the variable and the path of an empty or missing file, never its content', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() => loadConfig({ ...withoutToken, META_ACCESS_TOKEN_FILE: empty })).toThrow(
      `META_ACCESS_TOKEN_FILE: ${empty} is empty; it must hold the system-user access token`,
    );
    const missing = join(dir, 'missing');
    expect(() => loadConfig({ ...withoutToken, META_ACCESS_TOKEN_FILE: missing })).toThrow(
      `META_ACCESS_TOKEN_FILE: cannot read ${missing} (no such file)`,
    );
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('makes REDIS_URL optional and is exposed as redis.clusterNodes', () => {
    const { REDIS_URL: _url, ...withoutUrl } = BASE;
    expect(loadConfig({ ...withoutUrl, REDIS_CLUSTER_NODES: 'r1:7000,r2:7000' }).redis).toEqual({
      url: undefined,
      clusterNodes: ['r1:7000', 'r2:7000'],
    });
    expect(loadConfig(BASE).redis).toEqual({ url: BASE.REDIS_URL, clusterNodes: undefined });
  });
});
