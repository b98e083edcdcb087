import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITER_SETTINGS } from './settings.ts';
import { slowdownFactor } from './slowdown.ts';
import { throttleBlockMs } from './throttle-block.ts';

describe('slowdownFactor', () => {
  it.each([
    [0, 1],
    [89.9, 1],
    [90, 2],
    [96, 2],
    [97, 4],
    [130, 4],
    [Number.NaN, 1],
    [-3, 1],
  ])('%s %% -> x%s', (pct, factor) => {
    expect(slowdownFactor(pct)).toBe(factor);
  });

  it('never slows an account that runs at the pacing target (safety factor), only above it', () => {
    const target = DEFAULT_LIMITER_SETTINGS.safetyFactor * 100;
    expect(slowdownFactor(target)).toBe(1);
    expect(slowdownFactor(target + 5)).toBe(1);
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

describe('throttleBlockMs', () => {
  it.each([
    [{ estimatedTimeToRegainAccessMinutes: 19 }, 1_140_000],
    [{ estimatedTimeToRegainAccessMinutes: 0, resetTimeDurationSeconds: 100 }, 100_000],
    [{ resetTimeDurationSeconds: 100, retryAfterMs: 5 }, 100_000],
    [{ estimatedTimeToRegainAccessMinutes: 2, resetTimeDurationSeconds: 100 }, 120_000],
    [{ retryAfterMs: 1_500.2 }, 1_501],
    [{ estimatedTimeToRegainAccessMinutes: 0 }, undefined],
    [{}, undefined],
  ])('%j -> %s', (hints, expected) => {
    expect(throttleBlockMs(hints)).toBe(expected);
  });
});
