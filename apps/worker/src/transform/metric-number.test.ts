import { describe, expect, it } from 'vitest';
import { roundTo, safeRatio, toBigintValue, toMetricNumber } from './metric-number.ts';

describe('toMetricNumber', () => {
  it.each<[unknown, number]>([
    ['123.45', 123.45],
    ['98214', 98214],
    [' 7 ', 7],
    ['1e3', 1000],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['', 0],
    [undefined, 0],
    [null, 0],
    ['NaN', 0],
    ['Infinity', 0],
    ['12abc', 0],
    ['1,5', 0],
    [[{ action_type: 'x', value: '1' }], 0],
    [42, 42],
    [Number.NaN, 0],
  ])('%j -> %d', (input, expected) => {
    expect(toMetricNumber(input)).toBe(expected);
  });
});

describe('toBigintValue', () => {
  it.each<[unknown, number]>([
    ['1234.6', 1235],
    ['1234.4', 1234],
    [0.5, 1],
    ['-0.4', 0],
    ['', 0],
    ['NaN', 0],
  ])('%j -> %d', (input, expected) => {
    const value = toBigintValue(input);
    expect(value).toBe(expected);
    expect(Number.isInteger(value)).toBe(true);
    expect(Object.is(value, -0)).toBe(false);
  });
});

describe('roundTo and safeRatio', () => {
  it('rounds half away from zero without binary noise', () => {
    expect(roundTo(2.675, 2)).toBe(2.68);
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(0.1 + 0.2, 2)).toBe(0.3);
    expect(roundTo(Number.NaN, 2)).toBe(0);
  });

  it('agrees with rounding every value after toPrecision(15), halves and large values included', () => {
    const reference = (value: number, decimals: number): number => {
      const factor = 10 ** decimals;
      const scaled = Number((Math.abs(value) * factor).toPrecision(15));
      return (Math.sign(value) * Math.round(scaled)) / factor + 0;
    };
    const values: number[] = [0, -0, 0.5, 1.5, 2.5, -2.5, 1e15 + 0.5, 123456789012.345, 9007199254740991];
    for (let cents = 0; cents < 20_000; cents++) {
      // x.xx5 values (the binary-noise halves), their neighbours, and sums like the daily totals.
      values.push(
        cents / 1000 + 0.005,
        cents / 1000 + 0.0049999,
        -(cents / 100 + 0.005),
        cents * 0.1 + cents * 0.2,
      );
    }
    for (const value of values) {
      for (const decimals of [0, 2, 4]) expect(roundTo(value, decimals)).toBe(reference(value, decimals));
    }
  });

  it('returns 0 instead of dividing by zero', () => {
    expect(safeRatio(6400, 1000)).toBe(6.4);
    expect(safeRatio(6400, 0)).toBe(0);
    expect(safeRatio(Number.POSITIVE_INFINITY, 2)).toBe(0);
  });
});
