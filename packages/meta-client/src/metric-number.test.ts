import { describe, expect, it } from 'vitest';
import { metricNumber } from './metric-number.ts';

describe('metricNumber', () => {
  it.each([
    ['12.34', 12.34],
    ['1000', 1000],
    ['100.50', 100.5],
    [' 7 ', 7],
    ['-3.5', -3.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['0', 0],
    [42, 42],
    [0.25, 0.25],
  ])('%j → %d', (input, expected) => {
    expect(metricNumber(input)).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    [undefined],
    [null],
    ['NaN'],
    ['abc'],
    ['12abc'],
    ['1,234'],
    ['0x10'],
    ['Infinity'],
    ['1e999'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
    [{}],
    [[1]],
  ])('%j → 0', (input) => {
    expect(metricNumber(input)).toBe(0);
  });
});
