import { describe, expect, it } from 'vitest';
import { hashString, mulberry32, numericId } from './hash.ts';

describe('seeded randomness', () => {
  it('mulberry32 replays for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(seqA);
  });

  it('mulberry32 is roughly uniform in [0, 1)', () => {
    const random = mulberry32(7);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const value = random();
      if (value < 0 || value >= 1) outside++;
      buckets[Math.floor(value * 10)] = (buckets[Math.floor(value * 10)] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('hashString is stable and numericId has the requested shape', () => {
    expect(hashString('meta')).toBe(hashString('meta'));
    expect(hashString('meta')).not.toBe(hashString('Meta'));
    expect(numericId('1202', 99, 18)).toMatch(/^1202\d{14}$/);
  });
});
