import { describe, expect, it } from 'vitest';
import { BREAKDOWN_GROUPS, breakdownGroupFor, cellWeights, splitRecord } from './breakdowns.ts';

describe('breakdowns', () => {
  it('groups requested dimensions and refuses mixes', () => {
    expect(breakdownGroupFor([])).toBeNull();
    expect(breakdownGroupFor(['gender', 'age'])).toMatchObject({ name: 'demographic' });
    expect(breakdownGroupFor(['region'])).toMatchObject({ name: 'geo' });
    expect(breakdownGroupFor(['age', 'country'])).toBe('mixed');
  });

  it.each(BREAKDOWN_GROUPS.map((group) => [group.name, group] as const))(
    '%s: weights sum to 1 and splits add up exactly',
    (_name, group) => {
      const weights = cellWeights(group, 'seed', 12345, 'PL', 20_000);
      expect([...weights].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(cellWeights(group, 'seed', 12345, 'PL', 20_000)).toEqual(weights);
      expect(cellWeights(group, 'seed', 12345, 'PL', 20_001)).not.toEqual(weights);
      const record = Float64Array.from([1234, 987, 31, 17, 45_678, 0, 3]);
      const totals = new Float64Array(record.length);
      let cells = 0;
      splitRecord(record, weights, (_cell, part) => {
        cells++;
        for (let i = 0; i < part.length; i++) {
          expect(Number.isInteger(part[i])).toBe(true);
          expect(part[i]).toBeGreaterThanOrEqual(0);
          totals[i] = (totals[i] ?? 0) + (part[i] ?? 0);
        }
      });
      expect(cells).toBe(group.cells.length);
      expect(totals).toEqual(record);
    },
  );
});
