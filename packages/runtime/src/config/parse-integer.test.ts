import { describe, expect, it } from 'vitest';
import { parseInteger } from './parse-integer.ts';

describe('parseInteger: the one integer rule, for variables and flags', () => {
  it.each([
    ['5', {}, { ok: true, value: 5 }],
    [' 5 ', {}, { ok: true, value: 5 }],
    ['-12', {}, { ok: true, value: -12 }],
    ['007', {}, { ok: true, value: 7 }],
    ['abc', {}, { ok: false, problem: "expected an integer, got 'abc'" }],
    ['1e3', {}, { ok: false, problem: "expected an integer, got '1e3'" }],
    [' 0x10 ', {}, { ok: false, problem: "expected an integer, got '0x10'" }],
    ['', {}, { ok: false, problem: "expected an integer, got ''" }],
    ['3', { min: 4, max: 28 }, { ok: false, problem: "must be at least 4, got '3'" }],
    ['29', { min: 4, max: 28 }, { ok: false, problem: "must be at most 28, got '29'" }],
  ])('%j %j', (raw, range, expected) => {
    expect(parseInteger(raw, range)).toEqual(expected);
  });
});
