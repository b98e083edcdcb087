import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITER_SETTINGS } from './settings.ts';
import { slowdownFactor } from './slowdown.ts';

describe('slowdownFactor', () => {
  it.each([
    [0, 1],
    [94.9, 1],
    [95, 2],
    [98, 2],
    [99, 4],
    [130, 4],
    [Number.NaN, 1],
    [-3, 1],
  ])('%s %% -> x%s', (pct, factor) => {
    expect(slowdownFactor(pct)).toBe(factor);
  });

  it('never slows an account that runs at the pacing target (safety factor), only above it', () => {
    const target = DEFAULT_LIMITER_SETTINGS.safetyFactor * 100;
    expect(slowdownFactor(target)).toBe(1);
    expect(slowdownFactor(target + 4)).toBe(1);
  });

  it('uses custom steps in any order', () => {
    const steps = [
      { atPct: 95, factor: 10 },
      { atPct: 50, factor: 1.5 },
    ];
    expect(slowdownFactor(60, steps)).toBe(1.5);
    expect(slowdownFactor(96, steps)).toBe(10);
  });
});
