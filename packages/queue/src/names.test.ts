import { describe, expect, it } from 'vitest';
import {
  buildQueueNames,
  hasHashTag,
  keyBaseFor,
  limiterKeyPrefixFor,
  requireClusterPrefix,
  resolveQueuePrefix,
} from './names.ts';

describe('queue names', () => {
  it('derives every name from one prefix with a hash tag', () => {
    const naming = buildQueueNames();
    expect(naming.prefix).toBe('{meta}');
    expect(naming.names).toEqual([
      'validate',
      'refresh-cache',
      'collect-insights',
      'summaries',
      'drift-check',
      'fanout',
    ]);
    expect(naming.qualified['collect-insights']).toBe('{meta}:collect-insights');
    expect(naming.limiterKeyPrefix).toBe('meta:limiter');
    expect(naming.controlKeyPrefix).toBe('meta:control');
  });

  it('accepts custom prefixes and strips the hash tag for per-account keys', () => {
    expect(buildQueueNames('{acme-prod}').qualified.fanout).toBe('{acme-prod}:fanout');
    expect(keyBaseFor('app:{meta}')).toBe('app:meta');
    expect(limiterKeyPrefixFor('plain')).toBe('plain:limiter');
  });

  it.each(['', '{a}{b}', '{meta', 'me ta', '{}', 'a}b{'])('rejects prefix %j', (prefix) => {
    expect(() => resolveQueuePrefix(prefix)).toThrow(/invalid queue prefix/);
  });
});

describe('prefixes on Redis Cluster', () => {
  it('accepts a hash-tagged prefix and refuses one without a tag, naming it and a fix', () => {
    expect(hasHashTag('{meta}')).toBe(true);
    expect(hasHashTag('bull:{meta}')).toBe(true);
    expect(hasHashTag('meta')).toBe(false);
    expect(requireClusterPrefix('{meta}')).toBe('{meta}');
    expect(() => requireClusterPrefix('meta')).toThrow(
      'queue prefix "meta" has no hash tag: on Redis Cluster every key of a queue must share one slot; use a prefix such as "{meta}"',
    );
  });
});
