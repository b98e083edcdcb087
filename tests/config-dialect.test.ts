/**
 * One configuration dialect: the producer and the worker read every variable they share the same way.
 * The same table of values goes through both apps' loadConfig; each row states the value or the message
 * both must give, so a helper changed in one app only (or a rule dropped) fails here. The rows include
 * the cases issue 16 found read differently (`app:{meta}`, `{a}{b}`, `1e3`, ` 0x10 `) and issue 12's
 * (`CONCURRENCY_VALIDATE=abc` said "is required", `" 5 "` trimmed in one app only).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig as loadProducerConfig } from '@meta-engine/producer';
import { isConfigError } from '@meta-engine/runtime';
import { loadConfig as loadWorkerConfig } from '@meta-engine/worker';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'config-dialect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, ' EAAtoken-from-file \n');
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, '\n');

const BASE: Record<string, string | undefined> = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
  META_ACCESS_TOKEN: 'EAAtoken-value',
};

/** What each app exposes for a shared variable, in a common shape. */
interface View {
  redis: { url: string | undefined; clusterNodes: string[] | undefined };
  supabaseUrl: string;
  serviceRoleKey: string;
  token: string | undefined;
  tokenFile: string | undefined;
  fingerprintKey: string;
  tokenPollIntervalMs: number;
  queuePrefix: string;
  logLevel: string;
  secrets: string[];
}

const VIEWS: Record<'worker' | 'producer', (env: NodeJS.ProcessEnv) => View> = {
  worker: (env: NodeJS.ProcessEnv) => {
    const c = loadWorkerConfig(env);
    return {
      redis: c.redis,
      supabaseUrl: c.SUPABASE_URL,
      serviceRoleKey: c.SUPABASE_SERVICE_ROLE_KEY,
      token: c.META_ACCESS_TOKEN,
      tokenFile: c.metaAccessTokenFile,
      fingerprintKey: c.TOKEN_FINGERPRINT_KEY,
      tokenPollIntervalMs: c.TOKEN_POLL_INTERVAL_MS,
      queuePrefix: c.QUEUE_PREFIX,
      logLevel: c.LOG_LEVEL,
      secrets: c.secrets.toSorted(),
    };
  },
  producer: (env: NodeJS.ProcessEnv) => {
    const c = loadProducerConfig(env, { token: true });
    return {
      redis: c.redis,
      supabaseUrl: c.supabaseUrl,
      serviceRoleKey: c.supabaseServiceRoleKey,
      token: c.metaAccessToken,
      tokenFile: c.metaAccessTokenFile,
      fingerprintKey: c.tokenFingerprintKey,
      tokenPollIntervalMs: c.tokenPollIntervalMs,
      queuePrefix: c.queuePrefix,
      logLevel: c.logLevel,
      secrets: c.secrets.toSorted(),
    };
  },
};

function outcome(app: keyof typeof VIEWS, env: NodeJS.ProcessEnv): { view: View } | { problems: string[] } {
  try {
    return { view: VIEWS[app](env) };
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return { problems: error.issues.map(({ variable, problem }) => `${variable}: ${problem}`) };
  }
}

type Expected = Partial<View> | string[];
const ROWS: Array<[string, Record<string, string | undefined>, Expected]> = [
  ['QUEUE_PREFIX app:{meta}', { QUEUE_PREFIX: 'app:{meta}' }, { queuePrefix: 'app:{meta}' }],
  ['QUEUE_PREFIX {meta} trimmed', { QUEUE_PREFIX: ' {meta} ' }, { queuePrefix: '{meta}' }],
  ['QUEUE_PREFIX empty = default', { QUEUE_PREFIX: '' }, { queuePrefix: '{meta}' }],
  [
    'QUEUE_PREFIX {a}{b}',
    { QUEUE_PREFIX: '{a}{b}' },
    [
      'QUEUE_PREFIX: invalid queue prefix "{a}{b}": use letters, digits, "_.-:" and at most one hash tag such as "{meta}"',
    ],
  ],
  ['LOG_LEVEL DEBUG', { LOG_LEVEL: ' DEBUG ' }, { logLevel: 'debug' }],
  [
    'LOG_LEVEL loud',
    { LOG_LEVEL: 'loud' },
    ["LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'"],
  ],
  ['REDIS_URL missing', { REDIS_URL: undefined }, ['REDIS_URL: is required (or REDIS_CLUSTER_NODES)']],
  ['REDIS_URL blank', { REDIS_URL: '  ' }, ['REDIS_URL: is required (or REDIS_CLUSTER_NODES)']],
  [
    'REDIS_URL http',
    { REDIS_URL: 'http://u:hunter2@h' },
    ['REDIS_URL: expected a redis:// or rediss:// URL, got http://…'],
  ],
  [
    'REDIS_CLUSTER_NODES alone',
    { REDIS_URL: undefined, REDIS_CLUSTER_NODES: 'r1:7000, r2:7001' },
    { redis: { url: undefined, clusterNodes: ['r1:7000', 'r2:7001'] } },
  ],
  [
    'REDIS_CLUSTER_NODES with REDIS_URL for credentials',
    { REDIS_URL: 'rediss://default:redis-password@r1', REDIS_CLUSTER_NODES: 'r1:7000' },
    { redis: { url: 'rediss://default:redis-password@r1', clusterNodes: ['r1:7000'] } },
  ],
  [
    'REDIS_CLUSTER_NODES malformed',
    { REDIS_CLUSTER_NODES: 'r1:1e3' },
    ["REDIS_CLUSTER_NODES: expected host:port[,host:port...], got 'r1:1e3'"],
  ],
  [
    'SUPABASE_URL',
    { SUPABASE_URL: 'ftp://x' },
    ['SUPABASE_URL: expected the http(s):// URL of the Supabase project, got ftp://…'],
  ],
  [
    'SUPABASE_SERVICE_ROLE_KEY short',
    { SUPABASE_SERVICE_ROLE_KEY: 'short-key' },
    [
      'SUPABASE_SERVICE_ROLE_KEY: must be the service-role key of the Supabase project (at least 20 characters)',
    ],
  ],
  [
    'META_ACCESS_TOKEN trimmed',
    { META_ACCESS_TOKEN: ' EAAtoken-value ' },
    { token: 'EAAtoken-value', tokenFile: undefined },
  ],
  [
    'META_ACCESS_TOKEN_FILE',
    { META_ACCESS_TOKEN: undefined, META_ACCESS_TOKEN_FILE: tokenFile },
    { token: 'EAAtoken-from-file', tokenFile },
  ],
  [
    'META_ACCESS_TOKEN and _FILE',
    { META_ACCESS_TOKEN_FILE: tokenFile },
    ['META_ACCESS_TOKEN: set META_ACCESS_TOKEN or META_ACCESS_TOKEN_FILE, not both'],
  ],
  [
    'META_ACCESS_TOKEN_FILE empty',
    { META_ACCESS_TOKEN: undefined, META_ACCESS_TOKEN_FILE: emptyFile },
    [`META_ACCESS_TOKEN_FILE: ${emptyFile} is empty; it must hold the system-user access token`],
  ],
  [
    'no token',
    { META_ACCESS_TOKEN: undefined },
    ['META_ACCESS_TOKEN: is required (or META_ACCESS_TOKEN_FILE)'],
  ],
  ['TOKEN_FINGERPRINT_KEY unset', {}, { fingerprintKey: 'meta-engine-fingerprint' }],
  [
    'TOKEN_FINGERPRINT_KEY',
    { TOKEN_FINGERPRINT_KEY: ' production-key ' },
    { fingerprintKey: 'production-key' },
  ],
  [
    'TOKEN_FINGERPRINT_KEY short',
    { TOKEN_FINGERPRINT_KEY: 'abc' },
    ['TOKEN_FINGERPRINT_KEY: must be the HMAC key of the token fingerprint (at least 8 characters)'],
  ],
  ['TOKEN_POLL_INTERVAL_MS unset', {}, { tokenPollIntervalMs: 10_000 }],
  ['TOKEN_POLL_INTERVAL_MS', { TOKEN_POLL_INTERVAL_MS: ' 2500 ' }, { tokenPollIntervalMs: 2500 }],
  [
    'TOKEN_POLL_INTERVAL_MS 5s',
    { TOKEN_POLL_INTERVAL_MS: '5s' },
    ["TOKEN_POLL_INTERVAL_MS: expected a duration in milliseconds (an integer), got '5s'"],
  ],
  [
    'secrets: the same set in both processes',
    {
      META_APP_SECRET: 'app-secret-0123456789',
      ADMIN_PASSWORD: 'admin-password',
      TOKEN_FINGERPRINT_KEY: 'production-key',
      REDIS_URL: 'redis://:redis-password@127.0.0.1:6379',
      DATABASE_URL: 'postgres://postgres:db-password@127.0.0.1/postgres',
    },
    {
      secrets: [
        'EAAtoken-value',
        'admin-password',
        'app-secret-0123456789',
        'db-password',
        'production-key',
        'redis-password',
        'service-role-key-0123456789',
      ].toSorted(),
    },
  ],
];

describe('the producer and the worker read the shared variables alike', () => {
  it.each(ROWS)('%s', (_name, overrides, expected) => {
    const env = { ...BASE, ...overrides };
    const worker = outcome('worker', env);
    const producer = outcome('producer', env);
    expect(producer).toEqual(worker);
    if (Array.isArray(expected)) expect(worker).toEqual({ problems: expected });
    else expect('view' in worker && worker.view).toMatchObject(expected);
    expect(JSON.stringify(worker)).not.toContain('hunter2');
  });

  it('integers follow one rule in both: trimmed digits, no exponent or hex, "required" only when missing', () => {
    const cases: Array<[string, string]> = [
      [' 5 ', 'ok'],
      ['abc', "expected an integer, got 'abc'"],
      ['1e3', "expected an integer, got '1e3'"],
      [' 0x10 ', "expected an integer, got '0x10'"],
      ['', 'ok'],
    ];
    for (const [raw, message] of cases) {
      const worker = outcome('worker', { ...BASE, CONCURRENCY_VALIDATE: raw });
      const producer = outcome('producer', { ...BASE, FANOUT_CONCURRENCY: raw });
      if (message === 'ok') {
        expect(worker).toHaveProperty('view');
        expect(producer).toHaveProperty('view');
      } else {
        expect(worker).toEqual({ problems: [`CONCURRENCY_VALIDATE: ${message}`] });
        expect(producer).toEqual({ problems: [`FANOUT_CONCURRENCY: ${message}`] });
      }
    }
    expect(loadWorkerConfig({ ...BASE, CONCURRENCY_VALIDATE: ' 5 ' }).CONCURRENCY_VALIDATE).toBe(5);
    expect(loadProducerConfig({ ...BASE, FANOUT_CONCURRENCY: ' 5 ' }).fanout.concurrency).toBe(5);
  });

  it('ports follow one rule in both: 1e3 and " 0x10 " are refused', () => {
    for (const raw of ['1e3', ' 0x10 ', '70000']) {
      const trimmed = raw.trim();
      expect(outcome('worker', { ...BASE, WORKER_HTTP_PORT: raw })).toEqual({
        problems: [`WORKER_HTTP_PORT: expected a port from 0 to 65535, got '${trimmed}'`],
      });
      expect(outcome('producer', { ...BASE, ADMIN_PORT: raw })).toEqual({
        problems: [`ADMIN_PORT: expected a port from 0 to 65535, got '${trimmed}'`],
      });
    }
  });
});
