import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isConfigError } from './config-error.ts';
import { parseEnv } from './parse-env.ts';
import { REDIS_FIELDS, REDIS_RULE, redisServersFrom } from './redis-servers.ts';

const read = (env: Record<string, string>) =>
  redisServersFrom(parseEnv(z.object(REDIS_FIELDS), env, [REDIS_RULE]));

function problems(env: Record<string, string>): string {
  try {
    read(env);
  } catch (error) {
    if (isConfigError(error)) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('REDIS_URL / REDIS_CLUSTER_NODES', () => {
  it('takes one server, or a cluster with REDIS_URL for the credentials only', () => {
    expect(read({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      url: 'redis://127.0.0.1:6379',
      clusterNodes: undefined,
    });
    expect(read({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7000' })).toEqual({
      url: undefined,
      clusterNodes: ['10.0.0.1:7000', '10.0.0.2:7000'],
    });
    expect(read({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'rediss://default:pw@ignored-host' })).toEqual({
      url: 'rediss://default:pw@ignored-host',
      clusterNodes: ['a:7000'],
    });
  });

  it('names both when neither is set, and each malformed one', () => {
    expect(problems({})).toBe('REDIS_URL: is required (or REDIS_CLUSTER_NODES)');
    expect(problems({ REDIS_URL: ' ', REDIS_CLUSTER_NODES: '' })).toBe(
      'REDIS_URL: is required (or REDIS_CLUSTER_NODES)',
    );
    expect(problems({ REDIS_CLUSTER_NODES: 'a:7000,,b:7000' })).toBe(
      'REDIS_CLUSTER_NODES: has an empty entry; expected host:port[,host:port...]',
    );
    expect(problems({ REDIS_URL: 'http://x', REDIS_CLUSTER_NODES: 'nohost' })).toBe(
      "REDIS_URL: expected a redis:// or rediss:// URL, got http://…\nREDIS_CLUSTER_NODES: expected host:port[,host:port...], got 'nohost'",
    );
  });
});
