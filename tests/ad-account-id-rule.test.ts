import { parseAdAccountId } from '@meta-engine/meta-client';
import { describe, expect, it } from 'vitest';
import { storedAdAccountId } from '../packages/db/src/repo/stored-ad-account-id.ts';

// db keeps its own copy of the ad account id rule (db knows nothing of Meta); both must agree.
const INPUTS: unknown[] = [
  'act_123',
  '123',
  '  act_123  ',
  '\t987654321012345\n',
  123,
  '',
  '   ',
  'act_',
  'act_12a',
  'ACT_123',
  'act 123',
  'act__123',
  '-123',
  '1.5',
  '0',
  'act_0012',
  '0012',
  '12345678901234567890',
  '123456789012345678901',
  'act_123/insights',
  null,
  undefined,
  1.5,
  Number.MAX_SAFE_INTEGER + 2,
  { id: '123' },
  `act_${'x'.repeat(500)}`,
];

function outcome(parse: (input: unknown) => string, input: unknown): string {
  try {
    return `ok ${parse(input)}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

describe('ad account id rule: db storedAdAccountId and meta-client parseAdAccountId', () => {
  it.each(INPUTS.map((input) => [input]))('%j gives the same id or the same message', (input) => {
    expect(outcome(storedAdAccountId, input)).toBe(outcome(parseAdAccountId, input));
  });
});
