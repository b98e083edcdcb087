import { describe, expect, it } from 'vitest';
import { BucLimiter } from './buc-limiter.ts';
import { computeQuota } from './quota.ts';

const HOUR = 3_600_000;

describe('computeQuota (reference §1.2)', () => {
  it.each([
    [{ buc: 'ads_insights', tier: 'development', activeAds: 10 }, 4600],
    [{ buc: 'ads_insights', tier: 'development', activeAds: 10, userErrors: 1000 }, 4599],
    [{ buc: 'ads_insights', tier: 'standard', activeAds: 10 }, 194_000],
    [{ buc: 'ads_management', tier: 'development', activeAds: 10 }, 700],
    [{ buc: 'ads_management', tier: 'standard', activeAds: 10 }, 100_400],
    [{ buc: 'ads_management', tier: 'standard', activeAds: 10, override: 7 }, 7],
  ] as const)('%j -> %d', (input, expected) => {
    expect(computeQuota(input)).toBe(expected);
  });
});

describe('BucLimiter', () => {
  const windowMode = { windowMs: HOUR, blockMs: 'window' as const };

  it('allows quota calls, throttles the next, and reports whole regain minutes rounded up', () => {
    const limiter = new BucLimiter();
    const t0 = 1_000_000;
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const decision = limiter.check('1', 'ads_management', t0 + i * 60_000, 4, windowMode);
      expect(decision.allowed).toBe(true);
      counts.push(decision.usage.callCount);
    }
    expect(counts).toEqual([25, 50, 75, 100]);
    // At 100 % the answer already carries the regain time: the oldest call leaves at t0 + 60 min.
    expect(limiter.peek('1', 'ads_management', t0 + 3 * 60_000, 4, windowMode).regainMinutes).toBe(57);
    expect(limiter.peek('1', 'ads_management', t0 + 3 * 60_000, 5, windowMode).regainMinutes).toBe(0);
    const blocked = limiter.check('1', 'ads_management', t0 + 10 * 60_000 + 1, 4, windowMode);
    expect(blocked.allowed).toBe(false);
    // The oldest call leaves the window at t0 + 60 min: 50 min minus 1 ms -> 50.
    expect(blocked.usage.regainMinutes).toBe(50);
    expect(limiter.check('1', 'ads_insights', t0, 4, windowMode).allowed).toBe(true);
    expect(limiter.check('2', 'ads_management', t0, 4, windowMode).allowed).toBe(true);
    // One call fits again once the oldest leaves; then the window is full again.
    expect(limiter.check('1', 'ads_management', t0 + HOUR, 4, windowMode).allowed).toBe(true);
    expect(limiter.check('1', 'ads_management', t0 + HOUR + 1, 4, windowMode).allowed).toBe(false);
  });

  it('a fixed block restarts the window when it ends', () => {
    const limiter = new BucLimiter();
    const settings = { windowMs: HOUR, blockMs: 5 * 60_000 };
    for (let i = 0; i < 3; i++) limiter.check('1', 'ads_insights', i, 3, settings);
    const blocked = limiter.check('1', 'ads_insights', 10, 3, settings);
    expect(blocked.allowed).toBe(false);
    expect(blocked.usage.regainMinutes).toBe(5);
    expect(limiter.check('1', 'ads_insights', 4 * 60_000 + 30_000, 3, settings).usage.regainMinutes).toBe(1);
    const after = limiter.check('1', 'ads_insights', 5 * 60_000 + 11, 3, settings);
    expect(after.allowed).toBe(true);
    expect(after.usage.calls).toBe(1);
  });

  it('does not block when not enforcing but still counts', () => {
    const limiter = new BucLimiter();
    let last = limiter.check('1', 'ads_insights', 0, 2, windowMode, 1, false);
    for (let i = 1; i < 5; i++) last = limiter.check('1', 'ads_insights', i, 2, windowMode, 1, false);
    expect(last.allowed).toBe(true);
    expect(last.usage.callCount).toBe(250);
  });
});
