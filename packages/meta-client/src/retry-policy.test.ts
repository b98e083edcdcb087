import { describe, expect, it } from 'vitest';
import { MetaApiError } from './errors/meta-api-error.ts';
import { MetaNetworkError } from './errors/meta-network-error.ts';
import { DEFAULT_RETRY_POLICY, nextDelay } from './retry-policy.ts';

const network = new MetaNetworkError({ method: 'GET', path: '/v26.0/me' });
const throttle = new MetaApiError({
  category: 'account_throttle',
  status: 400,
  code: 80004,
  metaMessage: 'x',
});

describe('nextDelay', () => {
  it('retries transient GETs with growing, jittered, capped delays', () => {
    expect(nextDelay({ attempt: 1, error: network, method: 'GET', random: () => 0 })).toBe(250);
    expect(nextDelay({ attempt: 1, error: network, method: 'GET', random: () => 1 })).toBe(500);
    expect(nextDelay({ attempt: 2, error: network, method: 'GET', random: () => 1 })).toBe(1000);
    const policy = { ...DEFAULT_RETRY_POLICY, limit: 20 };
    expect(nextDelay({ attempt: 15, error: network, method: 'GET', policy, random: () => 1 })).toBe(10_000);
  });

  it('stops after the limit', () => {
    expect(nextDelay({ attempt: 3, error: network, method: 'GET' })).toBeUndefined();
    expect(
      nextDelay({ attempt: 1, error: network, method: 'GET', policy: { ...DEFAULT_RETRY_POLICY, limit: 0 } }),
    ).toBeUndefined();
  });

  it('never retries POST, throttles or foreign errors by default', () => {
    expect(nextDelay({ attempt: 1, error: network, method: 'POST' })).toBeUndefined();
    expect(nextDelay({ attempt: 1, error: throttle, method: 'GET' })).toBeUndefined();
    expect(nextDelay({ attempt: 1, error: new Error('x'), method: 'GET' })).toBeUndefined();
  });

  it('honours retryAfterMs when it fits, leaves longer waits to the caller', () => {
    const soon = new MetaNetworkError({ retryAfterMs: 2000 });
    const late = new MetaNetworkError({ retryAfterMs: 60_000 });
    expect(nextDelay({ attempt: 1, error: soon, method: 'GET' })).toBe(2000);
    expect(nextDelay({ attempt: 1, error: late, method: 'GET' })).toBeUndefined();
  });
});
