import { describe, expect, it } from 'vitest';
import { InvalidAdAccountIdError, isInvalidAdAccountIdError } from './errors/invalid-ad-account-id-error.ts';
import { parseAdAccountId, toActId } from './parse-ad-account-id.ts';

describe('parseAdAccountId', () => {
  it.each([
    ['act_123', '123'],
    ['123', '123'],
    ['  act_123  ', '123'],
    ['\t987654321012345\n', '987654321012345'],
    [123, '123'],
  ])('%j → %j', (input, expected) => {
    expect(parseAdAccountId(input)).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    ['act_'],
    ['act_abc'],
    ['act_12a'],
    ['ACT_123'],
    ['act 123'],
    ['act__123'],
    ['12 3'],
    ['-123'],
    ['1.5'],
    ['0'],
    ['act_000'],
    ['act_0012'],
    ['0012'],
    ['123456789012345678901'],
    ['act_123/insights'],
    [null],
    [undefined],
    [1.5],
    [Number.MAX_SAFE_INTEGER + 2],
    [{ id: '123' }],
  ])('rejects %j with InvalidAdAccountIdError quoting the value', (input) => {
    let thrown: unknown;
    try {
      parseAdAccountId(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidAdAccountIdError);
    expect(isInvalidAdAccountIdError(thrown)).toBe(true);
    const error = thrown as InvalidAdAccountIdError;
    expect(error.category).toBe('request_bug');
    expect(error.message).toContain(JSON.stringify(typeof input === 'string' ? input : String(input)));
  });

  it('truncates very long values in the message', () => {
    const long = `act_${'x'.repeat(500)}`;
    expect(() => parseAdAccountId(long)).toThrow(/…/);
    try {
      parseAdAccountId(long);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('toActId', () => {
  it.each([
    ['123', 'act_123'],
    ['act_123', 'act_123'],
    [' act_9 ', 'act_9'],
  ])('%j → %j', (input, expected) => {
    expect(toActId(input)).toBe(expected);
  });

  it('validates', () => {
    expect(() => toActId('act_x')).toThrow(InvalidAdAccountIdError);
  });
});
