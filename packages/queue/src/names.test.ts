import { describe, expect, it } from 'vitest';
import { buildQueueNames, keyBaseFor, limiterKeyPrefixFor, resolveQueuePrefix } from './names.ts';

describe('queue names', () => {
  it('derives every name from one prefix with a hash tag', () => {
    const naming = buildQueueNames();
    expect(naming.prefix).toBe('{meta}');
    expect(naming.names).toEqual(['validate', 'refresh-cache', 'collect-insights', 'fanout']);
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
