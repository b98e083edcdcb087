import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { tokenFingerprint } from './runtime/fingerprint.ts';
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
      LIMITER_SAFETY_FACTOR: 0.8,
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
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^REDIS_URL: /);
    expect(message).toMatch(/META_ACCESS_TOKEN: /);
    expect(message).toMatch(/REFRESH_AD_RELEVANCE: must be true or false/);
    expect(message).not.toContain('short');
  });

  it('reports a missing variable as required', () => {
    expect(() => loadConfig({})).toThrow(/REDIS_URL: is required/);
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
    expect(settings.concurrency).toEqual({ validate: 20, 'refresh-cache': 3, 'collect-insights': 10 });
    expect(settings.asyncPollIntervalMs).toBe(250);
    expect(resolveWorkerSettings({ concurrency: { validate: 1 } }).concurrency).toEqual({
      validate: 1,
      'refresh-cache': 10,
      'collect-insights': 10,
    });
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
    expect(() => loadConfig({ ...BASE, QUEUE_PREFIX: '{a}{b}' })).toThrow(/^QUEUE_PREFIX: /);
  });
});
