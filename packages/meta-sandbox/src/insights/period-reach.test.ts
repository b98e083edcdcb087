import { describe, expect, it } from 'vitest';
import type { AdModel } from '../world/build-world.ts';
import { PeriodReach } from './period-reach.ts';

const ad = (audience: number) => ({ audience }) as AdModel;

describe('PeriodReach', () => {
  it('one ad on one day is exactly its reach', () => {
    const reach = new PeriodReach(50_000);
    reach.add(ad(10_000), 100, 1234);
    expect(reach.total()).toBe(1234);
  });

  it('over days: between the largest and the sum of the daily values, saturating at the audience', () => {
    const a = ad(5000);
    const reach = new PeriodReach(20_000);
    for (let day = 0; day < 60; day++) reach.add(a, day, 800);
    const total = reach.total();
    expect(total).toBeGreaterThan(800);
    expect(total).toBeLessThan(60 * 800);
    expect(total).toBeLessThanOrEqual(5000);
    expect(total).toBeGreaterThan(4900);
  });

  it('over ads on one day: de-duplicated in the shared population', () => {
    const reach = new PeriodReach(10_000);
    reach.add(ad(8000), 1, 3000);
    reach.add(ad(8000), 1, 3000);
    expect(reach.total()).toBe(Math.round(10_000 * (1 - 0.7 * 0.7)));
  });

  it('more days never lower the reach', () => {
    const a = ad(3000);
    let previous = 0;
    for (let days = 1; days <= 20; days++) {
      const reach = new PeriodReach(9000);
      for (let day = 0; day < days; day++) reach.add(a, day, 200 + ((day * 37) % 150));
      const total = reach.total();
      expect(total).toBeGreaterThanOrEqual(previous);
      previous = total;
    }
  });
});
